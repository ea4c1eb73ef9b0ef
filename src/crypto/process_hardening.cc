#include "crypto/process_hardening.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace voxsecrets::crypto {

Status DisableCoreDumps() {
  std::string failed;
  rlimit none{0, 0};
  if (setrlimit(RLIMIT_CORE, &none) != 0) {
    failed += std::string("setrlimit(RLIMIT_CORE): ") + std::strerror(errno);
  }
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    if (!failed.empty()) failed += "; ";
    failed += std::string("prctl(PR_SET_DUMPABLE): ") + std::strerror(errno);
  }
  if (!failed.empty()) return InternalError("cannot disable core dumps: " + failed);
  return Status::Ok();
}

bool CoreDumpsEnabled() {
  rlimit lim{};
  const bool limit_allows = getrlimit(RLIMIT_CORE, &lim) != 0 || lim.rlim_cur != 0;
  return limit_allows && prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1;
}

}  // namespace voxsecrets::crypto
