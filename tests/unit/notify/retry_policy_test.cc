// The retry schedule, its jitter and Retry-After parsing.
#include "notify/retry_policy.h"

#include <gtest/gtest.h>

#include "notify/notifier.h"

namespace ct::notify {
namespace {

using std::chrono::seconds;

TEST(RetryPolicyTest, ParsesSchedules) {
  auto s = ParseRetrySchedule("5s, 5m,30m,2h,1d");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(*s, (std::vector<seconds>{seconds(5), seconds(300), seconds(1800), seconds(7200),
                                      seconds(86400)}));
  auto d = ParseRetrySchedule("5s,5m,30m,2h,5h,10h,14h,20h,20h");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, DefaultRetrySchedule());
  for (const char* bad : {"", "5", "5x", "s", "0s", "-5s", "5s,,5m", "5s,", "40d", "1.5h"}) {
    auto r = ParseRetrySchedule(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  EXPECT_NE(ParseRetrySchedule("5s,7q").status().message().find("'7q'"), std::string::npos);
}

TEST(RetryPolicyTest, DefaultScheduleSpansAboutThreeDays) {
  seconds total{0};
  for (auto s : DefaultRetrySchedule()) total += s;
  EXPECT_EQ(total, seconds(5 + 300 + 1800 + 7200 + (5 + 10 + 14 + 20 + 20) * 3600));
}

TEST(RetryPolicyTest, DelayFollowsTheScheduleWithinTheJitter) {
  std::mt19937_64 rng(42);
  std::vector<seconds> schedule{seconds(10), seconds(100)};
  for (int i = 0; i < 1000; ++i) {
    auto d1 = RetryDelay(schedule, 1, 0.2, rng);
    auto d2 = RetryDelay(schedule, 2, 0.2, rng);
    ASSERT_TRUE(d1 && d2);
    EXPECT_GE(d1->count(), 8'000'000);
    EXPECT_LE(d1->count(), 12'000'000);
    EXPECT_GE(d2->count(), 80'000'000);
    EXPECT_LE(d2->count(), 120'000'000);
  }
  EXPECT_FALSE(RetryDelay(schedule, 3, 0.2, rng).has_value());  // past the last step: dead
  EXPECT_FALSE(RetryDelay(schedule, 0, 0.2, rng).has_value());
  EXPECT_EQ(RetryDelay(schedule, 1, 0, rng)->count(), 10'000'000);
}

TEST(RetryPolicyTest, RetryAfterSecondsAndDates) {
  const int64_t now = 1'445'412'480'000'000;  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(ParseRetryAfter("2", now)->count(), 2'000'000);
  EXPECT_EQ(ParseRetryAfter(" 30 ", now)->count(), 30'000'000);
  EXPECT_EQ(ParseRetryAfter("0", now)->count(), 0);
  EXPECT_EQ(*ParseRetryAfter("999999999999", now), kMaxRetryAfter);
  EXPECT_EQ(*ParseRetryAfter("172800", now), kMaxRetryAfter);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now)->count(), 30'000'000);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now)->count(), 0);  // past
  EXPECT_EQ(*ParseRetryAfter("Wed, 21 Oct 2025 07:28:00 GMT", now), kMaxRetryAfter);
  for (const char* bad : {"", "soon", "-5", "1.5"}) {
    EXPECT_FALSE(ParseRetryAfter(bad, now).has_value()) << bad;
  }
}

}  // namespace
}  // namespace ct::notify
