#include "api/reconciliation_handler.h"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "api/http_util.h"
#include "common/tally.h"
#include "common/time_format.h"
#include "store/reconciliation.h"

namespace ct::api {
namespace {

namespace json = boost::json;

constexpr int64_t kMaxHours = 10'000;
constexpr int64_t kDefaultHours = 48;

}  // namespace

Result<ReconciliationRange> ParseReconciliationRange(std::string_view target, int64_t now_us) {
  auto u = boost::urls::parse_origin_form(target);
  if (!u) return Status::InvalidArgument("malformed request target");
  std::optional<std::string> from, to;
  std::set<std::string> seen;
  for (auto param : u->params()) {
    const std::string& key = param.key;
    if (key.empty() && param.value.empty()) continue;
    if (!seen.insert(key).second) return Status::InvalidArgument(key + ": given more than once");
    if (key != "from" && key != "to") {
      return Status::InvalidArgument("unknown parameter '" + key.substr(0, 40) + "' (from, to)");
    }
    (key == "from" ? from : to) = param.value;
  }
  return ReconciliationRangeFrom(std::move(from), std::move(to), now_us);
}

Result<ReconciliationRange> ReconciliationRangeFrom(std::optional<std::string> from_text,
                                                    std::optional<std::string> to_text,
                                                    int64_t now_us) {
  std::optional<int64_t> from, to;
  for (auto [name, text, out] : {std::tuple{"from", &from_text, &from}, {"to", &to_text, &to}}) {
    if (!text->has_value()) continue;
    auto t = ParseIso8601(**text);
    if (!t.ok()) return Status::InvalidArgument(std::string(name) + ": " + t.status().message());
    *out = *t;
  }
  ReconciliationRange r;
  r.to_us = to.value_or(HourStartMicros(now_us) + kMicrosPerHour);
  r.from_us = HourStartMicros(from.value_or(r.to_us - kDefaultHours * kMicrosPerHour));
  if (r.to_us <= r.from_us) return Status::InvalidArgument("from must be before to");
  if ((r.to_us - r.from_us) / kMicrosPerHour > kMaxHours) {
    return Status::InvalidArgument("at most 10000 hours per request");
  }
  return r;
}

ApiResponse ReconciliationHandler::Get(const Principal& who, const ApiRequest& req) const {
  const auto& operators = ctx_->options.operator_accounts;
  if (std::find(operators.begin(), operators.end(), who.account_id) == operators.end()) {
    return ErrorResponse(403, "forbidden",
                         "reconciliation is operator data: use a key of an account in "
                         "api.operator_accounts");
  }
  const int64_t now = ctx_->clock->NowMicros();
  auto range = ParseReconciliationRange(req.target, now);
  if (!range.ok()) return ErrorFromStatus(range.status());
  auto data = ctx_->store->GetReconciliation(range->from_us, range->to_us);
  if (!data.ok()) return ErrorFromStatus(data.status());
  const ReconcileReport report = Reconcile(*data, now);

  json::array hours;
  for (const ReconciledHour& h : report.hours) {
    json::object o;
    o["edge"] = h.row.edge;
    o["hour"] = FormatIso8601(h.row.hour_us);
    o["answered"] = h.row.answered;
    o["journaled"] = h.row.journaled;
    o["read"] = h.read;
    o["committed"] = h.row.committed;
    o["duplicates"] = h.row.duplicates;
    o["dead_lettered"] = h.row.dead_lettered;
    o["corrupted"] = h.row.corrupted;
    o["in_flight"] = h.in_flight;
    o["status"] = ReconcileStatusName(h.status);
    json::array reasons;
    for (const ReconcileReason& r : h.reasons) {
      reasons.push_back(json::object{{"reason", r.reason}, {"count", r.count}});
    }
    o["reasons"] = std::move(reasons);
    hours.push_back(std::move(o));
  }
  json::array edges;
  for (const EdgeTallyState& e : data->edges) {
    edges.push_back(json::object{
        {"edge", e.edge}, {"tallied_until", FormatIso8601(e.as_of_us)}, {"final", e.final}});
  }
  json::object body;
  body["from"] = FormatIso8601(range->from_us);
  body["to"] = FormatIso8601(range->to_us);
  body["summary"] = json::object{
      {"ok", report.ok}, {"in_flight", report.in_flight}, {"mismatch", report.mismatch}};
  body["hours"] = std::move(hours);
  body["edges"] = std::move(edges);
  return JsonResponse(200, body);
}

}  // namespace ct::api
