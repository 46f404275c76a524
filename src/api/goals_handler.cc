#include "api/goals_handler.h"

#include <algorithm>
#include <boost/json.hpp>

#include "api/conversion_input.h"
#include "api/goal_fields.h"
#include "api/http_util.h"
#include "api/json_strict.h"
#include "api/money.h"
#include "api/report_completeness.h"
#include "api/stats_params.h"
#include "common/random.h"
#include "common/time_format.h"

namespace ct::api {
namespace {

namespace json = boost::json;

ApiResponse NotFound() { return ErrorResponse(404, "not_found", "goal not found"); }

ApiResponse UnsupportedJson() {
  return ErrorResponse(415, "unsupported_media_type", "Content-Type must be application/json");
}

}  // namespace

ApiResponse GoalsHandler::Create(const Principal& who, const ApiRequest& req) {
  if (!IsJsonContentType(req)) return UnsupportedJson();
  auto obj = ParseStrictJsonObject(req.body);
  if (!obj.ok()) return ErrorFromStatus(obj.status());
  TargetCheck refused;
  auto in = ParseGoalInput(*obj, ctx_->options.ssrf, &refused);
  if (!in.ok()) return TargetErrorResponse(refused);
  for (int attempt = 0;; ++attempt) {
    auto ng = MakeNewGoal(who.account_id, RandomBase62(kGoalKeyChars), *in);
    if (!ng.ok()) return ErrorFromStatus(ng.status());
    auto created = ctx_->store->CreateGoal(*ng);
    if (created.ok()) {
      Changed();
      return JsonResponse(201, GoalToJson(*created, ctx_->options.public_url));
    }
    // Keys are unique store-wide; only a clash of the drawn key is worth another draw.
    if (created.status().code() != StatusCode::kAlreadyExists || attempt + 1 >= kGoalKeyAttempts) {
      return ErrorFromStatus(created.status());
    }
  }
}

ApiResponse GoalsHandler::List(const Principal& who) {
  auto goals = ctx_->store->ListGoals(who.account_id);
  if (!goals.ok()) return ErrorFromStatus(goals.status());
  json::array out;
  for (const GoalRow& g : *goals) out.push_back(GoalToJson(g, ctx_->options.public_url));
  return JsonResponse(200, json::object{{"goals", std::move(out)}});
}

ApiResponse GoalsHandler::Get(const Principal& who, int64_t id) {
  auto g = ctx_->store->GetGoal(who.account_id, id);
  if (!g.ok()) return ErrorFromStatus(g.status());
  if (!g->has_value() || (*g)->deleted) return NotFound();
  return JsonResponse(200, GoalToJson(**g, ctx_->options.public_url));
}

ApiResponse GoalsHandler::Update(const Principal& who, int64_t id, const ApiRequest& req) {
  if (!IsJsonContentType(req)) return UnsupportedJson();
  auto obj = ParseStrictJsonObject(req.body);
  if (!obj.ok()) return ErrorFromStatus(obj.status());
  TargetCheck refused;
  auto in = ParseGoalInput(*obj, ctx_->options.ssrf, &refused);
  if (!in.ok()) return TargetErrorResponse(refused);
  auto updated = ctx_->store->UpdateGoal(who.account_id, id, MakeGoalUpdate(std::move(*in)));
  if (!updated.ok()) return ErrorFromStatus(updated.status());
  if (!updated->has_value() || (*updated)->deleted) return NotFound();
  Changed();
  return JsonResponse(200, GoalToJson(**updated, ctx_->options.public_url));
}

ApiResponse GoalsHandler::Delete(const Principal& who, int64_t id) {
  auto deleted = ctx_->store->DeleteGoal(who.account_id, id);
  if (!deleted.ok()) return ErrorFromStatus(deleted.status());
  if (!*deleted) return NotFound();
  Changed();
  ApiResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

ApiResponse GoalsHandler::Stats(const Principal& who, int64_t id, const ApiRequest& req) {
  auto parsed = ParseStatsParams(req.target, ctx_->clock->NowMicros());
  if (!parsed.ok()) return ErrorResponse(400, "bad_request", parsed.status().message());
  const StatsParams& p = *parsed;
  // Conversions carry no click dimensions of their own when unattributed: a goal's report is
  // not filtered or broken down (use the link and account reports with goal_id for that).
  if (!p.filters.empty() || p.group_by || p.goal_id != 0) {
    return ErrorResponse(400, "bad_request",
                         "goal stats take from, to, interval, tz and limit only");
  }
  // Before the store is read: what is committed by now is in the report (report_completeness.h).
  const Completeness completeness = ReportCompleteness(*ctx_);
  // A deleted goal still reports: its conversions remain.
  auto goal = ctx_->store->GetGoal(who.account_id, id);
  if (!goal.ok()) return ErrorFromStatus(goal.status());
  if (!goal->has_value()) return NotFound();

  StatsQuery q;
  q.account_id = who.account_id;
  q.link_id = 0;  // with a goal: the unattributed conversions count too
  q.goal_id = id;
  q.from_us = p.from_us;
  q.to_us = p.to_us;
  q.interval = p.interval;
  q.bucket_starts_us = p.bucket_starts;
  auto stats = ctx_->store->GetLinkStats(q);
  if (!stats.ok()) return ErrorFromStatus(stats.status());
  auto per_goal = ctx_->store->GetGoalStats(who.account_id, p.from_us, p.to_us);
  if (!per_goal.ok()) return ErrorFromStatus(per_goal.status());
  GoalStatsRow totals{id};
  for (const GoalStatsRow& r : *per_goal) {
    if (r.goal_id == id) totals = r;
  }

  json::array series;
  size_t next = 0;
  const std::vector<StatsBucket> none;
  const std::vector<StatsBucket>& buckets = stats->has_value() ? (*stats)->series : none;
  const std::vector<bool> complete =
      CompleteBuckets(p.bucket_starts, p.to_us, completeness.complete_until_us);
  for (size_t i = 0; i < p.bucket_starts.size(); ++i) {
    const int64_t t = p.bucket_starts[i];
    StatsBucket b{t};
    while (next < buckets.size() && buckets[next].start_us < t) ++next;
    if (next < buckets.size() && buckets[next].start_us == t) b = buckets[next];
    series.push_back(json::object{{"t", FormatIso8601(t)},
                                  {"conversions", b.conversions},
                                  {"value", FormatMicros(b.value_micros)},
                                  {"complete", static_cast<bool>(complete[i])}});
  }

  // Top links: the account's most-clicked links of the range (the rollups rank by clicks),
  // each asked for this goal's conversions, most conversions first.
  auto top = ctx_->store->GetTopLinks(who.account_id, p.from_us, p.to_us, kMaxReportLimit);
  if (!top.ok()) return ErrorFromStatus(top.status());
  struct Row {
    int64_t link_id, conversions, value_micros;
  };
  std::vector<Row> rows;
  for (const TopLink& t : *top) {
    if (t.conversions == 0) continue;
    StatsQuery lq = q;
    lq.link_id = t.link_id;
    auto ls = ctx_->store->GetLinkStats(lq);
    if (!ls.ok()) return ErrorFromStatus(ls.status());
    if (ls->has_value() && (*ls)->conversions > 0) {
      rows.push_back({t.link_id, (*ls)->conversions, (*ls)->value_micros});
    }
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.conversions > b.conversions; });
  if (rows.size() > static_cast<size_t>(p.limit)) rows.resize(p.limit);
  json::array links;
  for (const Row& r : rows) {
    auto link = ctx_->store->GetLink(who.account_id, r.link_id);
    if (!link.ok()) return ErrorFromStatus(link.status());
    links.push_back(json::object{{"id", r.link_id},
                                 {"slug", link->has_value() ? (*link)->slug : ""},
                                 {"conversions", r.conversions},
                                 {"value", FormatMicros(r.value_micros)}});
  }

  json::object body;
  body["goal_id"] = id;
  body["from"] = FormatIso8601(p.from_us);
  body["to"] = FormatIso8601(p.to_us);
  body["interval"] = p.interval_name;
  body["tz"] = p.tz;
  body["currency"] = (*goal)->currency;
  body["conversions"] = totals.conversions;
  body["attributed"] = totals.attributed;
  body["unattributed"] = totals.conversions - totals.attributed;
  body["value"] = FormatMicros(totals.value_micros);
  body["series"] = std::move(series);
  body["top_links"] = std::move(links);
  // Per-goal totals and top links read hour rollups: data runs to the end of `to`'s UTC hour.
  constexpr int64_t kHourUs = 3'600'000'000;
  AddCompleteness(&body, completeness, (p.to_us + kHourUs - 1) / kHourUs * kHourUs);
  return JsonResponse(200, body);
}

}  // namespace ct::api
