#include "api/deliveries_handler.h"

#include <boost/json.hpp>

#include "api/http_util.h"
#include "api/json_strict.h"
#include "api/request_fields.h"
#include "common/time_format.h"

namespace ct::api {
namespace {

namespace json = boost::json;

constexpr int kDefaultDeliveriesLimit = 50;
constexpr int kMaxDeliveriesLimit = 1000;

ApiResponse NotFound() { return ErrorResponse(404, "not_found", "delivery not found"); }

json::value TimeOrNull(int64_t us) {
  return us != 0 ? json::value(FormatIso8601(us)) : json::value();
}

json::object DeliveryJson(const DeliveryRow& d) {
  json::object o;
  o["id"] = d.id;
  o["postback_id"] = d.postback_id;  // 0: a goal's piggyback pixel
  o["event_id"] = ClickId(d.event_id);
  o["event"] = EventKindName(d.event_kind);
  o["event_time"] = FormatIso8601(d.event_time_us);
  o["method"] = d.method;
  o["url"] = d.url;
  o["body"] = d.body;
  o["state"] = DeliveryStateName(d.state);
  o["attempts"] = d.attempts;
  o["created_at"] = FormatIso8601(d.created_at_us);
  o["next_attempt_at"] =
      d.state == DeliveryState::kPending ? TimeOrNull(d.next_attempt_us) : json::value();
  o["last_status"] = d.last_status;
  o["last_error"] = d.last_error;
  o["delivered_at"] = TimeOrNull(d.delivered_at_us);
  return o;
}

Result<DeliveryState> StateFromName(std::string_view v) {
  if (v == "pending") return DeliveryState::kPending;
  if (v == "delivered") return DeliveryState::kDelivered;
  if (v == "dead") return DeliveryState::kDead;
  return Status::InvalidArgument("state must be pending, delivered or dead");
}

Result<int64_t> TimeParam(std::string_view v, std::string_view name) {
  auto t = ParseIso8601(v);
  if (!t.ok()) return Status::InvalidArgument(std::string(name) + ": " + t.status().message());
  return *t;
}

Status CheckRange(const DeliveryFilter& f) {
  if (f.from_us != 0 && f.to_us != 0 && f.from_us >= f.to_us) {
    return Status::InvalidArgument("from must be before to");
  }
  return Status::Ok();
}

}  // namespace

bool LooksLikeDeliveryId(std::string_view id) {
  if (id.size() <= 4 || id.size() > kMaxDeliveryIdBytes || id.substr(0, 4) != "msg_") {
    return false;
  }
  for (char c : id) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

ApiResponse DeliveriesHandler::List(const Principal& who, const ApiRequest& req) {
  auto q = ReadQuery(req.target, {"postback_id", "state", "from", "to", "cursor", "limit"});
  if (!q.ok()) return ErrorFromStatus(q.status());
  DeliveryFilter f;
  std::optional<std::string> after;
  int limit = kDefaultDeliveriesLimit;
  for (const auto& [k, v] : *q) {
    if (k == "postback_id") {
      auto id = PositiveIdParam(v, k);
      if (!id.ok()) return ErrorFromStatus(id.status());
      f.postback_id = *id;
    } else if (k == "state") {
      auto s = StateFromName(v);
      if (!s.ok()) return ErrorFromStatus(s.status());
      f.state = *s;
    } else if (k == "from" || k == "to") {
      auto t = TimeParam(v, k);
      if (!t.ok()) return ErrorFromStatus(t.status());
      (k == "from" ? f.from_us : f.to_us) = *t;
    } else if (k == "cursor") {
      if (!LooksLikeDeliveryId(v)) {
        return ErrorResponse(400, "bad_request", "cursor is not one this API returned");
      }
      after = v;
    } else if (k == "limit") {
      auto n = LimitParam(v, kMaxDeliveriesLimit);
      if (!n.ok()) return ErrorFromStatus(n.status());
      limit = *n;
    }
  }
  if (Status s = CheckRange(f); !s.ok()) return ErrorFromStatus(s);
  auto page = ctx_->store->ListDeliveries(who.account_id, f, after, limit);
  if (!page.ok()) return ErrorFromStatus(page.status());
  json::array rows;
  for (const DeliveryRow& d : page->deliveries) rows.push_back(DeliveryJson(d));
  return PageResponse("deliveries", std::move(rows), page->next_after_id);
}

ApiResponse DeliveriesHandler::Get(const Principal& who, std::string_view id) {
  if (!LooksLikeDeliveryId(id)) return NotFound();
  auto d = ctx_->store->GetDelivery(who.account_id, std::string(id));
  if (!d.ok()) return ErrorFromStatus(d.status());
  if (!d->has_value()) return NotFound();
  auto attempts = ctx_->store->ListDeliveryAttempts(who.account_id, std::string(id));
  if (!attempts.ok()) return ErrorFromStatus(attempts.status());
  json::object o = DeliveryJson(**d);
  json::array list;
  if (attempts->has_value()) {
    for (const DeliveryAttemptRow& a : **attempts) {
      list.push_back(json::object{{"attempt", a.attempt},
                                  {"started_at", FormatIso8601(a.started_at_us)},
                                  {"http_status", a.http_status},
                                  {"latency_ms", a.latency_us / 1000},
                                  {"error", a.error}});
    }
  }
  o["attempt_log"] = std::move(list);
  return JsonResponse(200, o);
}

ApiResponse DeliveriesHandler::ReplayOne(const Principal& who, std::string_view id) {
  if (!LooksLikeDeliveryId(id)) return NotFound();
  ReplaySelector sel;
  sel.ids.emplace_back(id);
  auto n = ctx_->store->ReplayDeliveries(who.account_id, sel, ctx_->clock->NowMicros());
  if (!n.ok()) return ErrorFromStatus(n.status());
  if (*n == 0) return NotFound();
  return JsonResponse(200, json::object{{"replayed", *n}});
}

ApiResponse DeliveriesHandler::Replay(const Principal& who, const ApiRequest& req) {
  if (!IsJsonContentType(req)) {
    return ErrorResponse(415, "unsupported_media_type", "Content-Type must be application/json");
  }
  auto body = ParseStrictJsonObject(req.body);
  if (!body.ok()) return ErrorFromStatus(body.status());
  if (Status s = CheckFieldNames(*body, {"ids", "postback_id", "state", "from", "to"}, {});
      !s.ok()) {
    return ErrorFromStatus(s);
  }
  if (body->empty()) {
    return ErrorResponse(400, "bad_request",
                         "say what to replay: ids, or a filter of postback_id, state, from, to");
  }
  ReplaySelector sel;
  if (const json::value* ids = body->if_contains("ids")) {
    if (body->size() != 1) {
      return ErrorResponse(400, "bad_request", "ids cannot be combined with a filter");
    }
    if (!ids->is_array() || ids->get_array().empty()) {
      return ErrorResponse(400, "bad_request", "ids must be a non-empty array of delivery ids");
    }
    if (ids->get_array().size() > kMaxReplayIds) {
      return ErrorResponse(400, "bad_request",
                           "at most " + std::to_string(kMaxReplayIds) + " ids per request");
    }
    for (const json::value& v : ids->get_array()) {
      if (!v.is_string() || !LooksLikeDeliveryId(v.get_string())) {
        return ErrorResponse(400, "bad_request", "ids: each must be a delivery id (msg_...)");
      }
      sel.ids.emplace_back(v.get_string());
    }
  }
  for (const auto& kv : *body) {
    const std::string_view k = kv.key();
    const json::value& v = kv.value();
    if (k == "postback_id") {
      auto id = IntField(v, k, 1, INT64_MAX);
      if (!id.ok()) return ErrorFromStatus(id.status());
      sel.filter.postback_id = *id;
    } else if (k == "state") {
      auto s = StringField(v, k);
      if (!s.ok()) return ErrorFromStatus(s.status());
      auto st = StateFromName(*s);
      if (!st.ok()) return ErrorFromStatus(st.status());
      sel.filter.state = *st;
    } else if (k == "from" || k == "to") {
      auto s = StringField(v, k);
      if (!s.ok()) return ErrorFromStatus(s.status());
      auto t = TimeParam(*s, k);
      if (!t.ok()) return ErrorFromStatus(t.status());
      (k == "from" ? sel.filter.from_us : sel.filter.to_us) = *t;
    }
  }
  if (Status s = CheckRange(sel.filter); !s.ok()) return ErrorFromStatus(s);
  auto n = ctx_->store->ReplayDeliveries(who.account_id, sel, ctx_->clock->NowMicros());
  if (!n.ok()) return ErrorFromStatus(n.status());
  return JsonResponse(200, json::object{{"replayed", *n}});
}

}  // namespace ct::api
