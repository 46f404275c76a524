// Postback URL templates (and piggyback pixel URLs): validated when saved, expanded when the
// tracker commits the event that fires them (RELIABILITY.md §4 "Postback templates").
//
// A template is an absolute http(s) URL whose path, query and fragment may hold macros
// `{name}` from kMacroNames. Expansion is ONE pass over the template: a value is never scanned
// for macros again (a value "{click_id}" stays that text), and each value is percent-encoded
// for the component it lands in (path segment / query / fragment: everything outside the
// unreserved set is escaped, so `& = # ? / %`, spaces, CR, LF and NUL cannot change the URL's
// structure), after being capped at kMaxMacroValueBytes.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ct::postback {

inline constexpr size_t kMaxTemplateBytes = 4096;
inline constexpr size_t kMaxMacroValueBytes = 2048;

// click_id         the credited click's id (else the click id the conversion named, else "")
// conversion_id    the conversion event's id (ClickId encoding)
// event            click | impression | conversion
// event_id         the event's id (ClickId encoding), for every event kind
// event_time       ISO 8601 UTC with microseconds;  event_time_unix: seconds
// goal, goal_id    the goal's name and id;  value: decimal ("12.5");  currency;  order_id
// link, link_id    the credited link's slug and id;  domain: its custom domain ("" default)
// country, device, os, browser, language, referrer_domain: the click's enrichment
// account_id, status (conversion status name), attributed ("1"/"0")
std::span<const std::string_view> MacroNames();
bool IsKnownMacro(std::string_view name);

using MacroValues = std::map<std::string, std::string, std::less<>>;

// OK, or kInvalidArgument with a message for the API ("unknown macro {foo}", "a macro may not
// be in the scheme, host or port", "unbalanced '{'", "must be an absolute http(s) URL", ...).
// Only the template's structure; postback/ssrf.h judges its host.
Status ValidateTemplate(std::string_view tmpl);

// Expands a template that passed ValidateTemplate. A name missing from `values` expands to "".
std::string ExpandTemplate(std::string_view tmpl, const MacroValues& values);

// The JSON body of a POST postback: every value of `values` as a string member, sorted by
// name (deterministic, so the signature of a replay is over the same bytes).
std::string JsonBody(const MacroValues& values);

}  // namespace ct::postback
