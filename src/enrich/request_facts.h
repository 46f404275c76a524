// Small, pure derivations from request fields, shared by the edge (targeting, anonymisation)
// and the tracker (rollup dimensions).
#pragma once

#include <string>
#include <string_view>

namespace ct::enrich {

// Zeroes the last octet of an IPv4 address and all but the first 48 bits of an IPv6 one
// ("203.0.113.77" -> "203.0.113.0", "2001:db8:85a3:8d3:1319:8a2e:370:7348" -> "2001:db8:85a3::").
// Anything that is not an IP literal is returned unchanged.
std::string AnonymizeIp(std::string_view ip);

// Host of a Referer URL, lower case, without a leading "www."; "" when empty or unparsable.
std::string ReferrerDomain(std::string_view referrer);

// Primary subtag of the first (highest-q) Accept-Language entry, lower case, 2-3 letters:
// "de-CH,de;q=0.9,en;q=0.8" -> "de"; "" when absent or malformed ("*" included).
std::string PrimaryLanguage(std::string_view accept_language);

// True when the headers mark the request as a prefetch or link preview: `Purpose: prefetch`,
// `Sec-Purpose: prefetch...`, `X-Purpose: preview`, `X-Moz: prefetch`.
bool IsPrefetchHeader(std::string_view name, std::string_view value);

}  // namespace ct::enrich
