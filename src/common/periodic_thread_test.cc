#include "common/periodic_thread.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace voxsecrets {
namespace {

// Hang guard only: waits until `done` holds or 30 s passed.
template <typename Done>
bool WaitFor(const Done& done) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!done() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return done();
}

TEST(PeriodicThreadTest, RunsAtOnceAndThenAgainEveryInterval) {
  std::atomic<int> runs{0};
  PeriodicThread thread(std::chrono::milliseconds(1), [&] { ++runs; });
  EXPECT_TRUE(WaitFor([&] { return runs.load() >= 3; })) << runs.load();
}

TEST(PeriodicThreadTest, TheDestructorEndsTheWaitInsteadOfSleepingTheIntervalOut) {
  std::atomic<int> runs{0};
  {
    PeriodicThread thread(std::chrono::hours(1), [&] { ++runs; });
    ASSERT_TRUE(WaitFor([&] { return runs.load() == 1; }));
  }  // an hour-long wait: only the destructor's wake-up lets this scope end
  EXPECT_EQ(runs.load(), 1);
}

TEST(PeriodicThreadTest, TheDestructorWaitsForARunInProgress) {
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  {
    PeriodicThread thread(std::chrono::hours(1), [&] {
      started = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      finished = true;
    });
    ASSERT_TRUE(WaitFor([&] { return started.load(); }));
  }
  EXPECT_TRUE(finished.load());
}

}  // namespace
}  // namespace voxsecrets
