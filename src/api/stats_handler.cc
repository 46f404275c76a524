#include "api/stats_handler.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "api/http_util.h"
#include "common/time_format.h"

namespace ct::api {
namespace {

namespace json = boost::json;

constexpr int64_t kMinuteUs = 60'000'000;
constexpr int64_t kHourUs = 60 * kMinuteUs;
constexpr int64_t kDayUs = 24 * kHourUs;

int64_t FloorTo(int64_t t, int64_t step) {
  int64_t r = t % step;
  return r < 0 ? t - r - step : t - r;
}

}  // namespace

ApiResponse StatsHandler::LinkStats(const Principal& who, int64_t link_id, const ApiRequest& req) {
  auto u = boost::urls::parse_origin_form(req.target);
  if (!u) return ErrorResponse(400, "bad_request", "malformed request target");
  std::optional<int64_t> from, to;
  Interval interval = Interval::kDay;
  std::string interval_name = "day";
  for (auto p : u->params()) {
    if (p.key == "from" || p.key == "to") {
      auto t = ParseIso8601(p.value);
      if (!t.ok()) return ErrorResponse(400, "bad_request", p.key + ": " + t.status().message());
      (p.key == "from" ? from : to) = *t;
    } else if (p.key == "interval") {
      if (p.value == "minute")
        interval = Interval::kMinute;
      else if (p.value == "hour")
        interval = Interval::kHour;
      else if (p.value == "day")
        interval = Interval::kDay;
      else
        return ErrorResponse(400, "bad_request", "interval must be minute, hour or day");
      interval_name = p.value;
    }
  }
  const int64_t step = interval == Interval::kMinute ? kMinuteUs
                       : interval == Interval::kHour ? kHourUs
                                                     : kDayUs;
  if (!to) to = ctx_->clock->NowMicros();
  if (!from) {
    from = *to - (interval == Interval::kMinute ? 60 * kMinuteUs
                  : interval == Interval::kHour ? 48 * kHourUs
                                                : 30 * kDayUs);
  }
  if (*from >= *to) return ErrorResponse(400, "bad_request", "from must be before to");
  int64_t start = FloorTo(*from, step);
  int64_t buckets = (*to - start + step - 1) / step;
  if (buckets > kMaxBuckets) {
    return ErrorResponse(400, "bad_request",
                         "range holds " + std::to_string(buckets) + " " + interval_name +
                             "s; at most " + std::to_string(kMaxBuckets) +
                             ": use a coarser interval or a shorter range");
  }
  StatsQuery q{who.account_id, link_id, start, *to, interval};
  auto stats = ctx_->store->GetLinkStats(q);
  if (!stats.ok()) return ErrorFromStatus(stats.status());
  if (!stats->has_value()) return ErrorResponse(404, "not_found", "link not found");
  const ct::LinkStats& s = **stats;

  json::array series;
  size_t next = 0;
  for (int64_t t = start; t < *to; t += step) {
    int64_t total = 0, unique = 0;
    while (next < s.series.size() && s.series[next].start_us < t) ++next;
    if (next < s.series.size() && s.series[next].start_us == t) {
      total = s.series[next].total;
      unique = s.series[next].unique;
    }
    series.push_back(json::object{{"t", FormatIso8601(t)}, {"total", total}, {"unique", unique}});
  }
  json::object body;
  body["link_id"] = link_id;
  body["from"] = FormatIso8601(start);
  body["to"] = FormatIso8601(*to);
  body["interval"] = interval_name;
  body["total"] = s.total;
  body["unique"] = s.unique;
  body["head"] = s.head;
  body["series"] = std::move(series);
  return JsonResponse(200, body);
}

}  // namespace ct::api
