#include "api/stats_handler.h"

#include <boost/json.hpp>

#include "api/csv.h"
#include "api/http_util.h"
#include "api/money.h"
#include "api/report_completeness.h"
#include "common/time_format.h"

namespace ct::api {
namespace {

namespace json = boost::json;

// Conversion figures next to a row's clicks: value as a decimal string (summed micros, see
// the header on currencies), conversion_rate = conversions / total and epc (earnings per
// click) = value / total, both 0 when there were no clicks.
void AddConversions(json::object* o, int64_t total, int64_t conversions, int64_t value_micros) {
  (*o)["conversions"] = conversions;
  (*o)["value"] = FormatMicros(value_micros);
  (*o)["conversion_rate"] = total > 0 ? static_cast<double>(conversions) / total : 0.0;
  (*o)["epc"] = FormatMicros(total > 0 ? value_micros / total : 0);
}

// Every bucket of `starts` (empty ones as zeros), calling `emit` with each and its index.
template <typename Emit>
void ForEachBucket(const std::vector<int64_t>& starts, const ct::LinkStats& s, Emit emit) {
  size_t next = 0;
  for (size_t i = 0; i < starts.size(); ++i) {
    const int64_t t = starts[i];
    StatsBucket b{t};
    while (next < s.series.size() && s.series[next].start_us < t) ++next;
    if (next < s.series.size() && s.series[next].start_us == t) b = s.series[next];
    emit(i, b);
  }
}

json::array Series(const std::vector<int64_t>& starts, int64_t to_us, const ct::LinkStats& s,
                   const Completeness& c) {
  json::array series;
  const std::vector<bool> complete = CompleteBuckets(starts, to_us, c.complete_until_us);
  ForEachBucket(starts, s, [&](size_t i, const StatsBucket& b) {
    json::object o{{"t", FormatIso8601(b.start_us)},
                   {"total", b.total},
                   {"unique", b.unique},
                   {"bots", b.bots}};
    AddConversions(&o, b.total, b.conversions, b.value_micros);
    o["complete"] = static_cast<bool>(complete[i]);
    series.push_back(std::move(o));
  });
  return series;
}

// (now - before) / before; null when there was nothing before (no ratio to give).
json::value Change(int64_t now, int64_t before) {
  if (before == 0) return nullptr;
  return static_cast<double>(now - before) / static_cast<double>(before);
}

// format=csv: the series (t,total,unique,bots,conversions,revenue) or, with group_by, the
// breakdown (value,...), as an attachment; cells are defused against formula injection
// (api/csv.h), which matters for breakdown values (referrers, destinations) taken from clicks.
ApiResponse CsvReport(const StatsParams& p, int64_t link_id, const ct::LinkStats& s,
                      const std::vector<BreakdownRow>* breakdown) {
  std::string body;
  std::string name = link_id != 0 ? "link-" + std::to_string(link_id) : "account";
  if (breakdown != nullptr) {
    body = CsvLine({"value", "total", "unique", "bots", "conversions", "revenue"});
    for (const BreakdownRow& r : *breakdown) {
      body += CsvLine({r.value, std::to_string(r.total), std::to_string(r.unique),
                       std::to_string(r.bots), std::to_string(r.conversions),
                       FormatMicros(r.value_micros)});
    }
    name += "-by-" + p.group_by_name;
  } else {
    body = CsvLine({"t", "total", "unique", "bots", "conversions", "revenue"});
    ForEachBucket(p.bucket_starts, s, [&](size_t, const StatsBucket& b) {
      body += CsvLine({FormatIso8601(b.start_us), std::to_string(b.total), std::to_string(b.unique),
                       std::to_string(b.bots), std::to_string(b.conversions),
                       FormatMicros(b.value_micros)});
    });
    name += "-" + p.interval_name + "s";
  }
  ApiResponse r;
  r.status = 200;
  r.content_type = "text/csv; charset=utf-8";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + ".csv\"");
  r.body = std::move(body);
  return r;
}

// The short URL of a link: public_url + "/" + slug on the default domain; on a custom domain
// the domain with public_url's scheme.
std::string ShortUrl(const ApiOptions& o, const LinkRow& l) {
  if (l.domain.empty()) return o.public_url + "/" + l.slug;
  std::string scheme = o.public_url.substr(0, o.public_url.find("://"));
  return scheme + "://" + l.domain + "/" + l.slug;
}

}  // namespace

ApiResponse StatsHandler::LinkStats(const Principal& who, int64_t link_id, const ApiRequest& req) {
  return Stats(who, link_id, req);
}

ApiResponse StatsHandler::AccountStats(const Principal& who, const ApiRequest& req) {
  return Stats(who, 0, req);
}

ApiResponse StatsHandler::Stats(const Principal& who, int64_t link_id, const ApiRequest& req) {
  Result<StatsParams> parsed = ParseStatsParams(req.target, ctx_->clock->NowMicros());
  if (!parsed.ok()) return ErrorResponse(400, "bad_request", parsed.status().message());
  const StatsParams& p = *parsed;
  // Before the store is read: what is committed by now is in the report (report_completeness.h).
  const Completeness completeness = ReportCompleteness(*ctx_);
  StatsQuery q;
  q.account_id = who.account_id;
  q.link_id = link_id;
  q.from_us = p.from_us;
  q.to_us = p.to_us;
  q.interval = p.interval;
  q.bucket_starts_us = p.bucket_starts;
  q.filters = p.filters;
  q.goal_id = p.goal_id;
  std::string currency;
  if (p.goal_id != 0) {
    // Another account's goal is a 404 like a missing one; its currency labels the value.
    auto goal = ctx_->store->GetGoal(who.account_id, p.goal_id);
    if (!goal.ok()) return ErrorFromStatus(goal.status());
    if (!goal->has_value()) return ErrorResponse(404, "not_found", "goal not found");
    currency = (*goal)->currency;
  }
  auto stats = ctx_->store->GetLinkStats(q);
  if (!stats.ok()) return ErrorFromStatus(stats.status());
  if (!stats->has_value()) return ErrorResponse(404, "not_found", "link not found");
  const ct::LinkStats& s = **stats;
  if (p.csv) {
    if (!p.group_by) return CsvReport(p, link_id, s, nullptr);
    auto rows = ctx_->store->GetBreakdown(q, *p.group_by, p.limit);
    if (!rows.ok()) return ErrorFromStatus(rows.status());
    if (!rows->has_value()) return ErrorResponse(404, "not_found", "link not found");
    return CsvReport(p, link_id, s, &**rows);
  }

  json::object body;
  if (link_id != 0) body["link_id"] = link_id;
  body["from"] = FormatIso8601(p.from_us);
  body["to"] = FormatIso8601(p.to_us);
  body["interval"] = p.interval_name;
  body["tz"] = p.tz;
  body["total"] = s.total;
  body["unique"] = s.unique;
  body["bots"] = s.bots;
  body["head"] = s.head;
  AddConversions(&body, s.total, s.conversions, s.value_micros);
  if (p.goal_id != 0) {
    body["goal_id"] = p.goal_id;
    body["currency"] = currency;
  }
  body["series"] = Series(p.bucket_starts, p.to_us, s, completeness);
  if (p.compare_previous) {
    // The period of equal length just before `from`, with the same interval, tz, filters and
    // goal: totals and series as above, and the change of total and unique.
    StatsQuery prev_q = q;
    prev_q.from_us = p.previous_from_us;
    prev_q.to_us = p.from_us;
    prev_q.bucket_starts_us = p.previous_bucket_starts;
    auto prev = ctx_->store->GetLinkStats(prev_q);
    if (!prev.ok()) return ErrorFromStatus(prev.status());
    if (!prev->has_value()) return ErrorResponse(404, "not_found", "link not found");
    const ct::LinkStats& ps = **prev;
    json::object o{{"from", FormatIso8601(p.previous_from_us)},
                   {"to", FormatIso8601(p.from_us)},
                   {"total", ps.total},
                   {"unique", ps.unique},
                   {"bots", ps.bots},
                   {"head", ps.head}};
    AddConversions(&o, ps.total, ps.conversions, ps.value_micros);
    o["series"] = Series(p.previous_bucket_starts, p.from_us, ps, completeness);
    body["previous"] = std::move(o);
    body["change"] = json::object{{"total", Change(s.total, ps.total)},
                                  {"unique", Change(s.unique, ps.unique)},
                                  {"bots", Change(s.bots, ps.bots)},
                                  {"conversions", Change(s.conversions, ps.conversions)}};
  }
  // Unfiltered breakdowns and top links read hour rollups, so their data runs to the end of
  // `to`'s UTC hour (store/sqlite/report_ranges.h): incomplete until that hour is.
  constexpr int64_t kHourUs = 3'600'000'000;
  // Filtered reports read hourly combo_rollups: the same.
  const bool whole_hours = p.group_by || !p.filters.empty() || link_id == 0;
  const int64_t data_end = whole_hours ? (p.to_us + kHourUs - 1) / kHourUs * kHourUs : p.to_us;
  AddCompleteness(&body, completeness, data_end);
  if (link_id != 0) {
    // The click total another tool counted before the link was imported (`clicktrail
    // import`): all time, apart from the tracked figures above and never in the series.
    auto link = ctx_->store->GetLink(who.account_id, link_id);
    if (!link.ok()) return ErrorFromStatus(link.status());
    if (link->has_value() && (*link)->imported_clicks) {
      body["imported_total"] = *(*link)->imported_clicks;
    } else {
      body["imported_total"] = nullptr;
    }
  }
  if (p.group_by) {
    auto rows = ctx_->store->GetBreakdown(q, *p.group_by, p.limit);
    if (!rows.ok()) return ErrorFromStatus(rows.status());
    if (!rows->has_value()) return ErrorResponse(404, "not_found", "link not found");
    json::array breakdown;
    for (const BreakdownRow& r : **rows) {
      json::object o{
          {"value", r.value}, {"total", r.total}, {"unique", r.unique}, {"bots", r.bots}};
      // "value" is the dimension's value here, so the money figure is "conversion_value".
      AddConversions(&o, r.total, r.conversions, r.value_micros);
      o["conversion_value"] = o["value"];
      o["value"] = r.value;
      breakdown.push_back(std::move(o));
    }
    body["group_by"] = p.group_by_name;
    body["breakdown"] = std::move(breakdown);
  }
  if (link_id == 0) {
    // Top links come from the rollups: filters do not apply to them.
    auto top = ctx_->store->GetTopLinks(who.account_id, p.from_us, p.to_us, p.limit);
    if (!top.ok()) return ErrorFromStatus(top.status());
    json::array links;
    for (const TopLink& t : *top) {
      auto link = ctx_->store->GetLink(who.account_id, t.link_id);
      if (!link.ok()) return ErrorFromStatus(link.status());
      json::object o{{"id", t.link_id}};
      o["slug"] = link->has_value() ? (*link)->slug : "";
      o["short_url"] = link->has_value() ? ShortUrl(ctx_->options, **link) : "";
      o["total"] = t.total;
      o["unique"] = t.unique;
      o["bots"] = t.bots;
      AddConversions(&o, t.total, t.conversions, t.value_micros);
      links.push_back(std::move(o));
    }
    body["top_links"] = std::move(links);
  }
  return JsonResponse(200, body);
}

}  // namespace ct::api
