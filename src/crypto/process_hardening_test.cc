#include "crypto/process_hardening.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cstdlib>

namespace voxsecrets::crypto {
namespace {

// DisableCoreDumps cannot be undone by an unprivileged process, so it runs in a child.
TEST(ProcessHardeningDeathTest, DisableCoreDumpsTurnsThemOff) {
  EXPECT_EXIT(
      {
        if (!DisableCoreDumps().ok()) std::_Exit(2);
        rlimit lim{};
        if (getrlimit(RLIMIT_CORE, &lim) != 0 || lim.rlim_cur != 0) std::_Exit(3);
        if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) std::_Exit(4);
        if (CoreDumpsEnabled()) std::_Exit(5);
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace voxsecrets::crypto
