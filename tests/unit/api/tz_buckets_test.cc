// Local bucket boundaries from the system tz database: DST in Europe/Berlin (a 23-hour day in
// spring, a 25-hour one in autumn), a :30 zone (Asia/Kolkata), UTC, unknown names, the cap.
#include "api/tz_buckets.h"

#include <gtest/gtest.h>

#include "common/time_format.h"

namespace ct::api {
namespace {

constexpr int64_t kMinuteUs = 60'000'000;
constexpr int64_t kHourUs = 60 * kMinuteUs;
constexpr int64_t kDayUs = 24 * kHourUs;

int64_t T(const char* iso) {
  auto t = ParseIso8601(iso);
  EXPECT_TRUE(t.ok()) << iso;
  return t.ok() ? *t : 0;
}

std::vector<std::string> Format(const std::vector<int64_t>& v) {
  std::vector<std::string> out;
  for (int64_t t : v) out.push_back(FormatIso8601(t));
  return out;
}

TEST(TzBucketsTest, BerlinDaysAcrossSpringForward) {
  auto starts = LocalBucketStarts("Europe/Berlin", Interval::kDay, T("2024-03-30T12:00:00Z"),
                                  T("2024-04-01T12:00:00Z"), 100);
  ASSERT_TRUE(starts.ok()) << starts.status().ToString();
  EXPECT_EQ(Format(*starts),
            (std::vector<std::string>{"2024-03-29T23:00:00Z", "2024-03-30T23:00:00Z",
                                      "2024-03-31T22:00:00Z"}));
}

TEST(TzBucketsTest, BerlinHoursSkipTheMissingHourAndRepeatTheExtraOne) {
  // Spring: local 02:00 does not exist; hours are still one UTC hour apart (23 of them).
  auto spring = LocalBucketStarts("Europe/Berlin", Interval::kHour, T("2024-03-30T23:00:00Z"),
                                  T("2024-03-31T22:00:00Z"), 100);
  ASSERT_TRUE(spring.ok());
  EXPECT_EQ(spring->size(), 23u);
  // Autumn: 02:00-03:00 happens twice: 25 buckets in the local day of Oct 27.
  auto autumn = LocalBucketStarts("Europe/Berlin", Interval::kHour, T("2024-10-26T22:00:00Z"),
                                  T("2024-10-27T23:00:00Z"), 100);
  ASSERT_TRUE(autumn.ok());
  EXPECT_EQ(autumn->size(), 25u);
  auto days = LocalBucketStarts("Europe/Berlin", Interval::kDay, T("2024-10-27T10:00:00Z"),
                                T("2024-10-28T10:00:00Z"), 100);
  ASSERT_TRUE(days.ok());
  EXPECT_EQ(Format(*days),
            (std::vector<std::string>{"2024-10-26T22:00:00Z", "2024-10-27T23:00:00Z"}));
}

TEST(TzBucketsTest, KolkataIsHalfAnHourOff) {
  auto days = LocalBucketStarts("Asia/Kolkata", Interval::kDay, T("2024-01-01T00:00:00Z"),
                                T("2024-01-02T00:00:00Z"), 100);
  ASSERT_TRUE(days.ok());
  EXPECT_EQ(Format(*days),
            (std::vector<std::string>{"2023-12-31T18:30:00Z", "2024-01-01T18:30:00Z"}));
  auto hours = LocalBucketStarts("Asia/Kolkata", Interval::kHour, T("2024-01-01T00:10:00Z"),
                                 T("2024-01-01T02:00:00Z"), 100);
  ASSERT_TRUE(hours.ok());
  EXPECT_EQ(Format(*hours),
            (std::vector<std::string>{"2023-12-31T23:30:00Z", "2024-01-01T00:30:00Z",
                                      "2024-01-01T01:30:00Z"}));
}

TEST(TzBucketsTest, UtcMatchesPlainBuckets) {
  auto minutes = LocalBucketStarts("UTC", Interval::kMinute, T("2024-01-01T00:00:30Z"),
                                   T("2024-01-01T00:10:00Z"), 100);
  ASSERT_TRUE(minutes.ok());
  ASSERT_EQ(minutes->size(), 10u);
  EXPECT_EQ(minutes->front(), T("2024-01-01T00:00:00Z"));
  auto days = LocalBucketStarts("UTC", Interval::kDay, T("2024-01-01T00:00:00Z"),
                                T("2024-02-01T00:00:00Z"), 100);
  ASSERT_TRUE(days.ok());
  EXPECT_EQ(days->size(), 31u);
  EXPECT_EQ((*days)[1] - (*days)[0], kDayUs);
}

TEST(TzBucketsTest, UnknownZonesAndTooManyBuckets) {
  EXPECT_TRUE(IsKnownTimeZone("Europe/Berlin"));
  EXPECT_TRUE(IsKnownTimeZone("UTC"));
  for (const char* bad : {"", "Mars/Olympus", "Europe/../etc/passwd", "europe/berlin"}) {
    EXPECT_FALSE(IsKnownTimeZone(bad)) << bad;
    auto r = LocalBucketStarts(bad, Interval::kDay, 0, kDayUs, 10);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  auto r = LocalBucketStarts("UTC", Interval::kMinute, 0, 11 * kMinuteUs, 10);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(LocalBucketStarts("UTC", Interval::kMinute, 0, 10 * kMinuteUs, 10).ok());
}

}  // namespace
}  // namespace ct::api
