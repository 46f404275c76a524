// The report endpoints (README "Stats"; parameters: api/stats_params.h):
//   GET /api/v1/links/{id}/stats  a link's totals and series, optionally a breakdown (group_by)
//   GET /api/v1/stats             the same over all the account's links, plus its top links
//
// The series lists every bucket in the range (local buckets of `tz`), empty ones as zeros, so
// charts need no gap logic; at most kMaxBuckets. "t" is each bucket's start as a UTC instant.
// `total`, `unique`, `bots` and `head` are the sums over the series (definitions:
// store/sqlite/commit.cc). Every report reads rollups, never raw hits; filtered ones (and
// filtered breakdowns) read the hourly combo_rollups, so they have whole-hour granularity and
// outlive the raw-hit retention (store/sqlite/reports.cc).
//
// compare=previous adds "previous" (from, to, totals and series of the period of equal length
// just before `from`, same interval/tz/filters/goal) and "change" (ratio (now - before) /
// before of total, unique, bots and conversions; null when before is 0). format=csv answers the
// series, or with group_by the breakdown, as a text/csv attachment (same parameters).
//
// Conversions (issue 4): the totals, each series bucket, breakdown row and top link also carry
// `conversions`, `value` (a decimal string; in a breakdown row `conversion_value`, since
// "value" names the dimension's value there), `conversion_rate` (conversions / total) and `epc`
// (value / total, decimal string). `goal_id` restricts conversions to one goal (404 if it is
// not the account's) and adds its `currency`. Without goal_id the value is the plain sum of
// every goal's value micros, whatever their currencies: an account with goals in several
// currencies should ask per goal.
#pragma once

#include <cstdint>

#include "api/api_context.h"
#include "api/auth.h"
#include "api/stats_params.h"
#include "edge/api_handler.h"

namespace ct::api {

class StatsHandler {
 public:
  explicit StatsHandler(const ApiContext* ctx) : ctx_(ctx) {}
  ApiResponse LinkStats(const Principal& who, int64_t link_id, const ApiRequest& req);
  ApiResponse AccountStats(const Principal& who, const ApiRequest& req);

 private:
  // link_id 0: account-wide.
  ApiResponse Stats(const Principal& who, int64_t link_id, const ApiRequest& req);

  const ApiContext* ctx_;
};

}  // namespace ct::api
