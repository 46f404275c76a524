// Destination URLs are validated when a link is created or changed (RELIABILITY §4), never at
// redirect time: only absolute http/https URLs with a host; no userinfo (the
// `https://good.com@evil.com` trick); no control characters, spaces or backslashes, raw or
// percent-encoded (%0d%0a); at most kMaxDestinationBytes; a host not on `links.blocked_hosts`
// (nor a subdomain of one). Parsed with Boost.URL (RFC 3986), stored normalised.
//
// Macros: {click_id} {country} {device} {os} {browser} {language} {slug} {link_id} {domain}
// {visitor_id} and {query:NAME} (NAME [A-Za-z0-9_.-]{1,64}), expanded by the edge per click. They
// are allowed in the path, query and fragment only, so no click can change the scheme, host or
// port; any other {...} is refused as an unknown macro.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ct::api {

// A Location header this long is already more than browsers and proxies reliably accept.
inline constexpr size_t kMaxDestinationBytes = 4096;

// The start of the message of a destination refused for its host (mapped to the API error
// code "destination_blocked").
inline constexpr std::string_view kBlockedHostMessage = "destination host is blocked";

// The normalised URL, or kInvalidArgument with a message that says what is wrong. `what` names
// the field in the message ("destination", "fallback_url", "rules[0].destination").
// `blocked_hosts`: lower-case host names without a trailing dot.
Result<std::string> ValidateDestination(std::string_view url,
                                        const std::vector<std::string>& blocked_hosts = {},
                                        std::string_view what = "destination");

// True if `status` is ValidateDestination's refusal of a blocked host.
bool IsBlockedHost(const Status& status);

// Parses the comma-separated `links.blocked_hosts` value: trimmed, lower-cased, trailing dot
// dropped, empty entries skipped.
std::vector<std::string> ParseBlockedHosts(std::string_view list);

}  // namespace ct::api
