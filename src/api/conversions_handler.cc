#include "api/conversions_handler.h"

#include <boost/json.hpp>
#include <future>
#include <memory>

#include "api/conversion_input.h"
#include "api/hits_handler.h"
#include "api/http_util.h"
#include "api/json_strict.h"
#include "api/money.h"
#include "api/request_fields.h"
#include "common/time_format.h"
#include "journal/format.h"

namespace ct::api {
namespace {

namespace json = boost::json;

constexpr int kDefaultConversionsLimit = 50;
constexpr int kMaxConversionsLimit = 1000;
constexpr int64_t kDefaultRangeUs = 30LL * 86400 * 1'000'000;

json::object ErrorJson(const Status& s) {
  const bool missing = s.code() == StatusCode::kNotFound;
  return json::object{{"code", missing ? "not_found" : "bad_request"}, {"message", s.message()}};
}

json::object ConversionJson(const ConversionRow& c) {
  json::object o;
  o["conversion_id"] = ClickId(c.event_id);
  o["time"] = FormatIso8601(c.time_us);
  o["goal_id"] = c.goal_id;
  o["status"] = ConversionStatusName(c.status);
  o["attributed"] = c.attributed();
  if (c.attributed()) {
    o["link_id"] = c.link_id;
    o["click_id"] = ClickId(c.click_event_id);
    o["click_time"] = FormatIso8601(c.click_time_us);
  } else {
    o["link_id"] = nullptr;
    o["click_id"] = nullptr;
    o["click_time"] = nullptr;
  }
  o["click_ref"] = c.click_ref;
  o["value"] = FormatMicros(c.value_micros);
  o["currency"] = c.currency;
  o["order_id"] = c.order_id;
  o["server_to_server"] = c.server_to_server;
  return o;
}

}  // namespace

Status ConversionsHandler::Journal(const std::string& framed) {
  // Append to the journal.
  auto pos = ctx_->events->Append(framed);
  if (!pos.ok()) return Status::Unavailable("the journal refused the conversion");
  if (!ctx_->options.strict_durability) return Status::Ok();
  // Wait for the fsync, as the edge does for clicks in strict mode. The callback may run after
  // we gave up waiting, so the promise is shared with it.
  auto done = std::make_shared<std::promise<Status>>();
  std::future<Status> synced = done->get_future();
  ctx_->events->WhenDurable(*pos, [done](const Status& s) { done->set_value(s); });
  if (synced.wait_for(kDurableWait) != std::future_status::ready) {
    return Status::Unavailable("the journal did not fsync the conversion in time");
  }
  Status s = synced.get();
  if (!s.ok()) return Status::Unavailable("the journal failed to fsync the conversion");
  return Status::Ok();
}

ApiResponse ConversionsHandler::Ingest(const Principal& who, const ApiRequest& req) {
  if (!IsJsonContentType(req)) {
    return ErrorResponse(415, "unsupported_media_type", "Content-Type must be application/json");
  }
  if (ctx_->events == nullptr || ctx_->event_ids == nullptr) {
    return ErrorResponse(503, "unavailable", "conversions are not accepted by this process");
  }
  auto body = ParseStrictJsonObject(req.body);
  if (!body.ok()) return ErrorFromStatus(body.status());
  const GoalLookup goals{ctx_->find_goal_by_id, ctx_->find_goal_by_key};
  const std::string* ua = req.Header("user-agent");

  // Stamp the id and the time once, as the edge does; everything downstream uses them.
  auto make_event = [&](const json::object& item, Event* e) -> Status {
    CT_RETURN_IF_ERROR(ReadConversion(item, who.account_id, goals, e));
    e->time_us = ctx_->clock->NowMicros();
    e->id = ctx_->event_ids->Next(e->time_us);
    e->ip = req.remote_ip;
    e->user_agent = ua ? *ua : "";
    return Status::Ok();
  };
  auto frame = [](const Event& e, std::string* framed) {
    std::string payload;
    EncodeEvent(e, &payload);
    journal::AppendRecord(framed, journal::RecordType::kEvent, payload);
  };

  const json::value* list = body->if_contains("conversions");
  if (list == nullptr) {  // one conversion
    Event e;
    Status s = make_event(*body, &e);
    if (!s.ok()) return ErrorFromStatus(s);
    std::string framed;
    frame(e, &framed);
    if (Status j = Journal(framed); !j.ok()) return ErrorResponse(503, "unavailable", j.message());
    return JsonResponse(202,
                        json::object{{"conversion_id", ClickId(e.id)}, {"status", "accepted"}});
  }

  if (body->size() != 1 || !list->is_array()) {
    return ErrorResponse(400, "bad_request", "a batch is {\"conversions\": [conversion, ...]}");
  }
  const json::array& items = list->get_array();
  if (items.empty()) return ErrorResponse(400, "bad_request", "conversions is empty");
  if (items.size() > kMaxBatchConversions) {
    return ErrorResponse(
        400, "bad_request",
        "at most " + std::to_string(kMaxBatchConversions) + " conversions per request");
  }
  json::array results;
  std::string framed;
  size_t accepted = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    json::object r{{"index", i}};
    Event e;
    Status s = items[i].is_object() ? make_event(items[i].get_object(), &e)
                                    : Status::InvalidArgument("a conversion must be an object");
    if (s.ok()) {
      frame(e, &framed);
      ++accepted;
      r["conversion_id"] = ClickId(e.id);
      r["status"] = "accepted";
    } else {
      r["status"] = "rejected";
      r["error"] = ErrorJson(s);
    }
    results.push_back(std::move(r));
  }
  // One append for the whole batch: its records are journaled together or not at all.
  if (accepted > 0) {
    if (Status j = Journal(framed); !j.ok()) return ErrorResponse(503, "unavailable", j.message());
  }
  json::object out;
  out["accepted"] = accepted;
  out["rejected"] = items.size() - accepted;
  out["results"] = std::move(results);
  return JsonResponse(202, out);
}

ApiResponse ConversionsHandler::List(const Principal& who, const ApiRequest& req) {
  auto q = ReadQuery(req.target, {"from", "to", "goal_id", "link_id", "cursor", "limit"});
  if (!q.ok()) return ErrorFromStatus(q.status());
  ConversionFilter f;
  f.account_id = who.account_id;
  f.to_us = ctx_->clock->NowMicros();
  std::optional<int64_t> from;
  std::optional<ConversionCursor> after;
  int limit = kDefaultConversionsLimit;
  for (const auto& [k, v] : *q) {
    if (k == "from" || k == "to") {
      auto t = ParseIso8601(v);
      if (!t.ok()) return ErrorResponse(400, "bad_request", k + ": " + t.status().message());
      if (k == "from")
        from = *t;
      else
        f.to_us = *t;
    } else if (k == "goal_id" || k == "link_id") {
      auto id = PositiveIdParam(v, k);
      if (!id.ok()) return ErrorFromStatus(id.status());
      (k == "goal_id" ? f.goal_id : f.link_id) = *id;
    } else if (k == "cursor") {
      HitCursor c;  // the same shape: time + event id
      if (!DecodeHitCursor(v, &c)) {
        return ErrorResponse(400, "bad_request", "cursor: not a cursor this API returned");
      }
      after = ConversionCursor{c.time_us, c.event_id};
    } else if (k == "limit") {
      auto n = LimitParam(v, kMaxConversionsLimit);
      if (!n.ok()) return ErrorFromStatus(n.status());
      limit = *n;
    }
  }
  f.from_us = from ? *from : f.to_us - kDefaultRangeUs;
  if (f.from_us >= f.to_us) return ErrorResponse(400, "bad_request", "from must be before to");
  auto page = ctx_->store->ListConversions(f, after, limit);
  if (!page.ok()) return ErrorFromStatus(page.status());
  json::array rows;
  for (const ConversionRow& c : page->conversions) rows.push_back(ConversionJson(c));
  std::optional<std::string> next;
  if (page->next) next = EncodeHitCursor(HitCursor{page->next->time_us, page->next->event_id});
  return PageResponse("conversions", std::move(rows), next);
}

}  // namespace ct::api
