#include "common/rate_limiter.h"

#include <gtest/gtest.h>

namespace ct {
namespace {

TEST(RateLimiterTest, BurstThenRateThenRetryAfter) {
  FakeClock clock;
  RateLimiter limiter(/*rate_per_second=*/2, /*burst=*/3, &clock);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Acquire(7), 0) << i;
  EXPECT_EQ(limiter.Acquire(7), 1);  // empty: a token comes back in 0.5 s -> Retry-After 1
  clock.Advance(std::chrono::milliseconds(500));
  EXPECT_EQ(limiter.Acquire(7), 0);
  EXPECT_GT(limiter.Acquire(7), 0);
  // Keys have their own buckets.
  EXPECT_EQ(limiter.Acquire(8), 0);
  // Refills only up to the burst.
  clock.Advance(std::chrono::seconds(60));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Acquire(7), 0);
  EXPECT_GT(limiter.Acquire(7), 0);
}

TEST(RateLimiterTest, SlowRateGivesLongerRetryAfter) {
  FakeClock clock;
  RateLimiter limiter(1, 1, &clock);
  EXPECT_EQ(limiter.Acquire(1), 0);
  EXPECT_EQ(limiter.Acquire(1), 1);
  RateLimiter off(0, 1, &clock);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(off.Acquire(1), 0);
}

}  // namespace
}  // namespace ct
