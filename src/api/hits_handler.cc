#include "api/hits_handler.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <set>

#include "api/http_util.h"
#include "common/event.h"
#include "common/password.h"
#include "common/time_format.h"

namespace ct::api {
namespace {

namespace json = boost::json;

constexpr size_t kCursorBytes = 8 + 16;  // time_us (big endian) + event id

}  // namespace

json::object HitToJson(const HitRow& h) {
  const Enrichment& e = h.enrichment;
  return json::object{
      {"click_id", ClickId(h.event_id)},
      {"time", FormatIso8601(h.time_us)},
      {"kind", h.kind == EventKind::kHead ? "head" : "click"},
      {"ip", h.ip},
      {"user_agent", h.user_agent},
      {"referrer", h.referrer},
      {"accept_language", h.accept_language},
      {"language", e.language},
      {"country", e.country},
      {"device", e.device},
      {"os", e.os},
      {"browser", e.browser},
      {"referrer_domain", e.referrer_domain},
      {"bot", e.bot},
      {"unique", h.unique},
      {"destination", h.destination},
  };
}

std::string EncodeHitCursor(const HitCursor& c) {
  std::string raw(kCursorBytes, '\0');
  const uint64_t t = static_cast<uint64_t>(c.time_us);
  for (int i = 0; i < 8; ++i) raw[i] = static_cast<char>(t >> (56 - 8 * i));
  std::copy(c.event_id.begin(), c.event_id.end(), raw.begin() + 8);
  return Base64UrlEncode(raw);
}

bool DecodeHitCursor(std::string_view text, HitCursor* out) {
  std::string raw;
  if (!Base64UrlDecode(text, &raw) || raw.size() != kCursorBytes) return false;
  uint64_t t = 0;
  for (int i = 0; i < 8; ++i) t = (t << 8) | static_cast<uint8_t>(raw[i]);
  out->time_us = static_cast<int64_t>(t);
  std::copy(raw.begin() + 8, raw.end(), out->event_id.begin());
  return true;
}

ApiResponse HitsHandler::List(const Principal& who, int64_t link_id, const ApiRequest& req) {
  auto u = boost::urls::parse_origin_form(req.target);
  if (!u) return ErrorResponse(400, "bad_request", "malformed request target");
  int limit = kDefaultHitsLimit;
  std::optional<HitCursor> after;
  std::set<std::string> seen;
  for (auto p : u->params()) {
    const std::string& v = p.value;
    if (p.key.empty() && v.empty()) continue;  // "?" alone, or "a=1&&b=2"
    if (!seen.insert(p.key).second) {
      return ErrorResponse(400, "bad_request", p.key + ": given more than once");
    }
    if (p.key == "limit") {
      int64_t n = 0;
      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || n < 1 ||
          n > kMaxHitsLimit) {
        return ErrorResponse(400, "bad_request",
                             "limit must be an integer in 1.." + std::to_string(kMaxHitsLimit));
      }
      limit = static_cast<int>(n);
    } else if (p.key == "after") {
      HitCursor c;
      if (!DecodeHitCursor(v, &c)) {
        return ErrorResponse(400, "bad_request",
                             "after: not a cursor this API returned (use \"next\" as it is)");
      }
      after = c;
    } else {
      return ErrorResponse(400, "bad_request",
                           "unknown parameter '" + p.key.substr(0, 80) + "'; use limit, after");
    }
  }
  auto page = ctx_->store->ListHits(who.account_id, link_id, after, limit);
  if (!page.ok()) return ErrorFromStatus(page.status());
  if (!page->has_value()) return ErrorResponse(404, "not_found", "link not found");
  json::array hits;
  for (const HitRow& h : (*page)->hits) hits.push_back(HitToJson(h));
  json::object body;
  body["hits"] = std::move(hits);
  if ((*page)->next) {
    body["next"] = EncodeHitCursor(*(*page)->next);
  } else {
    body["next"] = nullptr;
  }
  return JsonResponse(200, body);
}

}  // namespace ct::api
