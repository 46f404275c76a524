// The dashboard's session cookie and CSRF rules (README "Users and sessions"), as pure
// functions: reading `ct_session` from a Cookie header, the Set-Cookie lines, and the checks a
// cookie-authenticated write must pass.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "edge/api_handler.h"

namespace ct::api {

inline constexpr std::string_view kSessionCookie = "ct_session";

// The value of the ct_session cookie in the request's Cookie header(s), if any.
std::optional<std::string> SessionCookieValue(const ApiRequest& req);
// `ct_session=<token>; Path=/; Max-Age=<ttl>; HttpOnly; SameSite=Strict[; Secure]`.
std::string SessionSetCookie(std::string_view token, int64_t max_age_s, bool secure);
// The same with an empty value and Max-Age=0: the browser drops the cookie.
std::string ClearSessionCookie(bool secure);
// 32 random bytes as base64url (43 characters): session tokens, CSRF and invitation tokens.
std::string NewSecretToken();

// False when the request has an Origin header that is not its own Host (scheme ignored: the
// listener does not know whether TLS ended in front of it), or is "null". No Origin: true.
bool OriginMatchesHost(const ApiRequest& req);
// The X-CSRF-Token header equals `csrf_token` (constant time).
bool CsrfTokenMatches(const ApiRequest& req, std::string_view csrf_token);

}  // namespace ct::api
