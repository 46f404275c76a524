// The query parameters of the report endpoints (README "Stats"), parsed and validated in one
// place so every endpoint refuses the same mistakes with the same precise 400 message:
//   from, to        ISO 8601 instants; to exclusive, default now; from default 60 minutes /
//                   48 hours / 30 days before `to`, rounded down to the start of its bucket
//   interval        minute | hour | day (default day)
//   tz              IANA zone name (default UTC): buckets are local minutes/hours/days
//   group_by        country|device|os|browser|referrer|language|destination|bot
//   limit           rows of the breakdown / top links, 1..1000 (default 50)
//   goal_id         conversions (and value) of this goal only; clicks are not affected
//   filters         country= device= os= browser= referrer= language= destination= bot=
//                   (AND; an empty value selects "unknown", for referrer "direct"). Filtered
//                   reports read hourly rollups: interval hour or day, in a zone whose bucket
//                   starts are whole UTC hours (a :30 zone's days are refused with filters)
//   compare         previous: also the period of equal length just before `from`
//   format          json (default) | csv
// Any other parameter, or one given twice, is refused: a typo must not silently widen a report.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace ct::api {

inline constexpr int64_t kMaxBuckets = 10'000;  // a year of hours; bigger ranges: coarser interval
inline constexpr int kDefaultReportLimit = 50;
inline constexpr int kMaxReportLimit = 1000;

struct StatsParams {
  int64_t from_us = 0;                 // the first bucket's start
  int64_t to_us = 0;                   // exclusive
  std::vector<int64_t> bucket_starts;  // UTC instants, ascending; [0] == from_us
  Interval interval = Interval::kDay;
  std::string interval_name = "day";
  std::string tz = "UTC";
  std::optional<Dimension> group_by;
  std::string group_by_name;
  std::vector<StatsFilter> filters;
  int limit = kDefaultReportLimit;
  int64_t goal_id = 0;  // 0: every goal
  // compare=previous: [previous_from_us, from_us), bucketed like the report (same interval/tz).
  bool compare_previous = false;
  int64_t previous_from_us = 0;
  std::vector<int64_t> previous_bucket_starts;
  bool csv = false;  // format=csv
};

// Parses the query string of `target` ("/path?..."); kInvalidArgument with the message of the
// 400 on any bad parameter. `now_us` is the default `to`.
Result<StatsParams> ParseStatsParams(std::string_view target, int64_t now_us);

// "country" .. "bot"; nullopt for any other name.
std::optional<Dimension> DimensionFromName(std::string_view name);
std::string_view DimensionName(Dimension d);

}  // namespace ct::api
