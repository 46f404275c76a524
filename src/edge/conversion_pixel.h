// The conversion pixel's request and response pieces (GET /c/{key}), free of sockets so they
// are unit-testable: the query's parameters (RELIABILITY.md §4: a malformed parameter is
// dropped, never an error — the client is an <img> tag), the GIF-or-HTML choice, and the HTML
// variant's page of piggyback <img> tags.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/event.h"
#include "postback/template.h"
#include "store/store.h"

namespace ct::edge {

inline constexpr int64_t kMaxConversionValueMicros = 1'000'000'000'000 * kMicrosPerUnit;  // 1e12

// What the conversion pixel's query says, each parameter decoded exactly once (FormDecode).
// Strings keep their capacity across requests.
struct ConversionQuery {
  std::string click_id;  // `click_id`, as given ("" = absent: the ct_cid cookie is used)
  bool has_value = false;
  int64_t value_micros = 0;  // `value` when it is a valid decimal (ParseValueMicros)
  std::string currency;      // `currency` when 3 upper-case letters; else ""
  std::string order_id;      // `order_id`, cut to kMaxOrderIdBytes (at a UTF-8 boundary)
  bool html = false;         // format=html
};
void ParseConversionQuery(std::string_view query, ConversionQuery* out);

// "12", "12.5", "0.000001": digits, optionally '.' and 1-6 digits, at most 1e12. Anything else
// (a sign, an exponent, 7 fraction digits, spaces) -> nullopt.
std::optional<int64_t> ParseValueMicros(std::string_view decimal);
// The inverse for macros: 12500000 -> "12.5", 3000000 -> "3".
std::string FormatValueMicros(int64_t micros);

// True when the Accept header prefers text/html to any image type: text/html is listed with
// q > 0 and with a higher q than every image/* range, or the same q but listed first. A
// browser's <img> asks for image/* (and */*); an iframe or a navigation lists text/html first.
bool PrefersHtml(std::string_view accept);

// The macro values the edge knows for a conversion (docs/design/conversions.md): click_id
// (= the click_ref), conversion_id and event_id, event, goal, goal_id, value (the given one
// else the goal's default), currency (the given one else the goal's), order_id, event_time,
// event_time_unix, country, account_id. The credited click's values are the tracker's to know:
// here they expand to "".
postback::MacroValues ConversionMacros(const GoalRow& goal, const EventView& event);

// The HTML variant: a page whose only content is one <img> per piggyback URL, each expanded
// with `values` and HTML-escaped. No image of our own: the page load itself is the conversion
// (journaled before it is sent), so a 1x1 of ours would add a request and nothing else.
void AppendPiggybackPage(const GoalRow& goal, const postback::MacroValues& values,
                         std::string* body);
// The head for that page: 200, text/html, no-store, and a CSP that lets it load images only.
void AppendPiggybackHead(size_t body_bytes, std::string* out);

}  // namespace ct::edge
