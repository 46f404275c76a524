// Bucket marking against complete_until: a bucket is complete when it ends (the next bucket's
// start, the last one's `to`) at or before the watermark; the report's fields.
#include "api/report_completeness.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace ct::api {
namespace {

constexpr int64_t kMinute = 60'000'000;
constexpr int64_t kT0 = 1'704'067'200'000'000;  // 2024-01-01T00:00:00Z

TEST(ReportCompletenessTest, BucketsEndingAtOrBeforeTheWatermarkAreComplete) {
  const std::vector<int64_t> starts = {kT0, kT0 + kMinute, kT0 + 2 * kMinute, kT0 + 3 * kMinute};
  const int64_t to = kT0 + 3 * kMinute + kMinute / 2;  // the last bucket is cut at `to`
  EXPECT_EQ(CompleteBuckets(starts, to, kT0 + 2 * kMinute),
            (std::vector<bool>{true, true, false, false}));
  EXPECT_EQ(CompleteBuckets(starts, to, kT0 + 2 * kMinute - 1),
            (std::vector<bool>{true, false, false, false}));
  EXPECT_EQ(CompleteBuckets(starts, to, kT0), (std::vector<bool>{false, false, false, false}));
  // The last bucket ends at `to`, not at its full minute.
  EXPECT_EQ(CompleteBuckets(starts, to, to), (std::vector<bool>{true, true, true, true}));
  EXPECT_EQ(CompleteBuckets(starts, to, to - 1), (std::vector<bool>{true, true, true, false}));
  EXPECT_TRUE(CompleteBuckets({}, to, to).empty());
}

TEST(ReportCompletenessTest, UnevenLocalBucketsUseTheirOwnEnds) {
  // A 23-hour local day next to a 24-hour one (DST): ends are the next starts, whatever width.
  const int64_t h = 60 * kMinute;
  const std::vector<int64_t> starts = {kT0, kT0 + 23 * h};
  EXPECT_EQ(CompleteBuckets(starts, kT0 + 47 * h, kT0 + 23 * h), (std::vector<bool>{true, false}));
}

TEST(ReportCompletenessTest, FieldsSayUpToWhenAndWhoIsLagging) {
  Completeness c;
  c.complete_until_us = kT0 + kMinute;
  boost::json::object body;
  AddCompleteness(&body, c, kT0 + kMinute);
  EXPECT_EQ(body.at("complete_until").as_string(), "2024-01-01T00:01:00Z");
  EXPECT_EQ(body.at("incomplete").as_bool(), false);
  EXPECT_FALSE(body.contains("lagging_stage"));

  c.lagging_stage = "store";
  c.lagging_reason = "database is locked";
  boost::json::object late;
  AddCompleteness(&late, c, kT0 + kMinute + 1);
  EXPECT_EQ(late.at("incomplete").as_bool(), true);
  EXPECT_EQ(late.at("lagging_stage").as_string(), "store");
  EXPECT_EQ(late.at("lagging_reason").as_string(), "database is locked");
}

}  // namespace
}  // namespace ct::api
