// What the edge derives from one request to serve a click: the visitor's facts for targeting
// and macros (looked up lazily, at most once each), and the ct_vid visitor cookie.
#pragma once

#include <string>
#include <string_view>

#include "edge/link_rules.h"
#include "enrich/geo_db.h"
#include "enrich/user_agent.h"

namespace ct::edge {

inline constexpr std::string_view kVisitorCookie = "ct_vid";  // the visitor's first click id
inline constexpr std::string_view kClickCookie = "ct_cid";    // the visitor's last click id

// VisitorFacts backed by the GeoDb and UserAgentParser (either may be null: the value is then
// ""). One per connection, Reset() per request; the views it returns are valid until then.
class RequestFacts final : public VisitorFacts {
 public:
  void Reset(const enrich::GeoDb* geo, const enrich::UserAgentParser* ua, std::string_view ip,
             std::string_view user_agent, std::string_view accept_language);
  std::string_view Country() override;
  std::string_view Device() override { return Ua().device; }
  std::string_view Os() override { return Ua().os; }
  std::string_view Browser() override { return Ua().browser; }
  std::string_view Language() override;

 private:
  const enrich::UserAgentInfo& Ua();

  const enrich::GeoDb* geo_ = nullptr;
  const enrich::UserAgentParser* ua_parser_ = nullptr;
  std::string_view ip_, user_agent_, accept_language_;
  bool country_done_ = false, ua_done_ = false, language_done_ = false;
  std::string_view country_;
  enrich::UserAgentInfo ua_;
  std::string language_;
};

// The value of cookie `name` in a Cookie header when it is well-formed ([A-Za-z0-9_-]{16,64});
// "" else (absent or malformed: neither kind of id can be anything else).
std::string_view FindIdCookie(std::string_view cookie_header, std::string_view name);
inline std::string_view FindVisitorCookie(std::string_view cookie_header) {
  return FindIdCookie(cookie_header, kVisitorCookie);
}
// Appends the Set-Cookie header line (with CRLF) for a new visitor id.
void AppendVisitorCookie(std::string_view value, std::string* out);
// "; Path=/; Max-Age=<days x 86400>; HttpOnly; SameSite=Lax\r\n": the constant tail of the
// ct_cid header, formatted once per server so that a click only appends it.
std::string ClickCookieAttributes(int days);
// Appends "Set-Cookie: ct_cid=<click_id>" + `attributes` (from ClickCookieAttributes).
void AppendClickCookie(std::string_view click_id, std::string_view attributes, std::string* out);

}  // namespace ct::edge
