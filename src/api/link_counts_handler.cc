#include "api/link_counts_handler.h"

#include <boost/json.hpp>
#include <limits>

#include "api/http_util.h"
#include "api/money.h"
#include "api/stats_params.h"
#include "common/time_format.h"

namespace ct::api {

namespace json = boost::json;

ApiResponse LinkCounts(const ApiContext& ctx, const Principal& who, const ApiRequest& req) {
  Result<StatsParams> parsed = ParseStatsParams(req.target, ctx.clock->NowMicros());
  if (!parsed.ok()) return ErrorResponse(400, "bad_request", parsed.status().message());
  const StatsParams& p = *parsed;
  // Counts are per link over the whole range: a parameter that would shape a report is a
  // mistake here, not something to ignore.
  if (!p.filters.empty() || p.group_by || p.compare_previous || p.csv || p.goal_id != 0) {
    return ErrorResponse(400, "bad_request",
                         "links/counts takes only from and to (filters, group_by, goal_id, compare "
                         "and format belong to /stats)");
  }
  auto counts =
      ctx.store->GetTopLinks(who.account_id, p.from_us, p.to_us, std::numeric_limits<int>::max());
  if (!counts.ok()) return ErrorFromStatus(counts.status());
  json::array rows;
  rows.reserve(counts->size());
  for (const TopLink& t : *counts) {
    rows.push_back(json::object{{"id", t.link_id},
                                {"total", t.total},
                                {"unique", t.unique},
                                {"bots", t.bots},
                                {"conversions", t.conversions},
                                {"value", FormatMicros(t.value_micros)}});
  }
  json::object body{{"from", FormatIso8601(p.from_us)}, {"to", FormatIso8601(p.to_us)}};
  body["counts"] = std::move(rows);
  return JsonResponse(200, body);
}

}  // namespace ct::api
