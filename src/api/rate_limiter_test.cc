#include "api/rate_limiter.h"

#include <gtest/gtest.h>

#include <string>

namespace voxsecrets::api {
namespace {

TEST(RateLimiterTest, DisabledAllowsEverything) {
  FakeClock clock;
  RateLimiter limiter(RateLimit{}, clock);
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.Allow("10.0.0.1"));
  EXPECT_EQ(limiter.tracked(), 0u);
}

TEST(RateLimiterTest, ABurstThenTheRate) {
  FakeClock clock;
  RateLimiter limiter(RateLimit{.per_second = 10, .burst = 5}, clock);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.Allow("a")) << i;
  EXPECT_FALSE(limiter.Allow("a"));
  EXPECT_TRUE(limiter.Allow("b"));  // another key has its own bucket
  clock.AdvanceMillis(99);
  EXPECT_FALSE(limiter.Allow("a"));  // 0.99 of a token
  clock.AdvanceMillis(1);
  EXPECT_TRUE(limiter.Allow("a"));
  EXPECT_FALSE(limiter.Allow("a"));
  clock.AdvanceSeconds(60);  // refills up to the burst, not beyond
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.Allow("a")) << i;
  EXPECT_FALSE(limiter.Allow("a"));
}

TEST(RateLimiterTest, DefaultBurstIsTwoSecondsOfTheRate) {
  FakeClock clock;
  RateLimiter limiter(RateLimit{.per_second = 3}, clock);
  int allowed = 0;
  while (limiter.Allow("k") && allowed < 100) ++allowed;
  EXPECT_EQ(allowed, 6);
  RateLimiter slow(RateLimit{.per_second = 0.1}, clock);
  EXPECT_TRUE(slow.Allow("k"));  // at least one
  EXPECT_FALSE(slow.Allow("k"));
}

TEST(RateLimiterTest, AClockThatStepsBackRefillsNothing) {
  FakeClock clock;
  RateLimiter limiter(RateLimit{.per_second = 1, .burst = 1}, clock);
  EXPECT_TRUE(limiter.Allow("a"));
  clock.AdvanceSeconds(-3600);
  EXPECT_FALSE(limiter.Allow("a"));
  clock.AdvanceSeconds(3600);
  EXPECT_FALSE(limiter.Allow("a"));
  clock.AdvanceSeconds(1);
  EXPECT_TRUE(limiter.Allow("a"));
}

TEST(RateLimiterTest, MemoryIsBoundedByDroppingTheLeastRecentlyUsedBucket) {
  FakeClock clock;
  RateLimiter limiter(RateLimit{.per_second = 1, .burst = 1, .max_keys = 3}, clock);
  EXPECT_TRUE(limiter.Allow("a"));
  EXPECT_TRUE(limiter.Allow("b"));
  EXPECT_TRUE(limiter.Allow("c"));
  EXPECT_FALSE(limiter.Allow("a"));  // a is now the most recent
  EXPECT_TRUE(limiter.Allow("d"));   // drops b, the least recently used
  EXPECT_EQ(limiter.tracked(), 3u);
  EXPECT_FALSE(limiter.Allow("a"));  // still tracked: still empty
  EXPECT_TRUE(limiter.Allow("b"));   // forgotten: a full bucket again
  for (int i = 0; i < 100000; ++i) limiter.Allow("spray-" + std::to_string(i));
  EXPECT_EQ(limiter.tracked(), 3u);
}

}  // namespace
}  // namespace voxsecrets::api
