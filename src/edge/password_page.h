// The password form of a protected link, and the 410 page of an expired one. Everything taken
// from the request is HTML-escaped (the slug is [A-Za-z0-9_-] already; the query is not).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ct::edge {

// Appends a complete response: `status` (200 for the form, 401 after a wrong password, 429 when
// the link's guesses are throttled — with Retry-After: `retry_after` — each with an error
// line), no-store, the form posting to "/<slug>?<query>". For HEAD the body is left out
// (Content-Length still gives its size). `tail` is HeaderTail().
void AppendPasswordPage(int status, std::string_view slug, std::string_view query, bool head,
                        std::string_view tail, std::string* out, int64_t retry_after = 0);
// Appends the 410 Gone response of an expired or capped link without a fallback.
void AppendGonePage(bool head, std::string_view tail, std::string* out);

void HtmlEscape(std::string_view in, std::string* out);

}  // namespace ct::edge
