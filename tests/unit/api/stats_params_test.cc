// The report parameters added for the dashboard: compare=previous (the previous period's range
// and buckets), format=csv, and the hourly granularity filtered reports have.
#include "api/stats_params.h"

#include <gtest/gtest.h>

#include "common/time_format.h"

namespace ct::api {
namespace {

constexpr int64_t kHourUs = 3'600'000'000;

int64_t At(const char* iso) { return *ParseIso8601(iso); }

TEST(StatsParamsTest, ComparePreviousIsTheEqualPeriodJustBefore) {
  auto p = ParseStatsParams(
      "/s?interval=hour&compare=previous&from=2026-03-10T10:00:00Z&to=2026-03-10T13:00:00Z", 0);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(p->compare_previous);
  EXPECT_EQ(p->previous_from_us, At("2026-03-10T07:00:00Z"));
  EXPECT_EQ(p->previous_bucket_starts,
            (std::vector<int64_t>{At("2026-03-10T07:00:00Z"), At("2026-03-10T08:00:00Z"),
                                  At("2026-03-10T09:00:00Z")}));
  // Local days: the previous period's buckets are the two local days before `from`, though one
  // of them is 23 hours long (Berlin's DST starts on Mar 31, 2024).
  p = ParseStatsParams(
      "/s?interval=day&tz=Europe/Berlin&compare=previous&from=2024-04-01T00:00:00%2B02:00"
      "&to=2024-04-03T00:00:00%2B02:00",
      0);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->previous_bucket_starts.size(), 2u);
  EXPECT_EQ(p->previous_bucket_starts[0], At("2024-03-29T23:00:00Z"));  // Mar 30, CET
  EXPECT_EQ(p->previous_bucket_starts[1], At("2024-03-30T23:00:00Z"));  // Mar 31 (23 h)
  EXPECT_EQ(p->previous_from_us, At("2024-03-29T23:00:00Z"));
  // `to` inside an hour (the default: now): the previous period has as many buckets.
  p = ParseStatsParams("/s?interval=hour&compare=previous", At("2026-03-10T12:34:00Z"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->previous_bucket_starts.size(), p->bucket_starts.size());
  EXPECT_EQ(p->previous_bucket_starts.back() + kHourUs, p->from_us);
  EXPECT_FALSE(ParseStatsParams("/s?compare=next", 0).ok());
  EXPECT_FALSE(ParseStatsParams("/s?compare=previous&compare=previous", 0).ok());
}

TEST(StatsParamsTest, FormatCsvOrJson) {
  auto p = ParseStatsParams("/s?format=csv", 10 * kHourUs);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->csv);
  p = ParseStatsParams("/s?format=json", 10 * kHourUs);
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->csv);
  EXPECT_FALSE(ParseStatsParams("/s?format=xlsx", 10 * kHourUs).ok());
}

TEST(StatsParamsTest, FilteredReportsAreHourly) {
  const int64_t now = At("2026-03-10T12:34:00Z");
  EXPECT_TRUE(ParseStatsParams("/s?interval=hour&country=US", now).ok());
  EXPECT_TRUE(ParseStatsParams("/s?interval=day&tz=Europe/Berlin&country=US", now).ok());
  auto minute = ParseStatsParams("/s?interval=minute&country=US", now);
  ASSERT_FALSE(minute.ok());
  EXPECT_NE(minute.status().message().find("hourly"), std::string::npos);
  EXPECT_FALSE(ParseStatsParams("/s?interval=day&tz=Asia/Kolkata&os=ios", now).ok());
  // Unfiltered, minutes and :30 zones stay as they were.
  EXPECT_TRUE(ParseStatsParams("/s?interval=minute", now).ok());
  EXPECT_TRUE(ParseStatsParams("/s?interval=day&tz=Asia/Kolkata", now).ok());
}

}  // namespace
}  // namespace ct::api
