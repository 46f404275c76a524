// Destination URLs are validated when a link is created or changed (RELIABILITY §4), never at
// redirect time: only absolute http/https URLs with a host; no userinfo (the
// `https://good.com@evil.com` trick); no control characters, spaces or backslashes; at most
// kMaxDestinationBytes. Parsed with Boost.URL (RFC 3986), stored normalised.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace ct::api {

// A Location header this long is already more than browsers and proxies reliably accept.
inline constexpr size_t kMaxDestinationBytes = 4096;

// The normalised URL, or kInvalidArgument with a message that says what is wrong.
Result<std::string> ValidateDestination(std::string_view url);

}  // namespace ct::api
