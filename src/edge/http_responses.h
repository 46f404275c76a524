// Request classification and the edge's fixed responses: everything about HTTP on the edge
// that needs no Beast (so tests and other files can use it without the compile cost).
//
// None of the error responses echo anything from the request: a slug or target is never
// written back to the client, so hostile input cannot reflect into a page or a header.
#pragma once

#include <string>
#include <string_view>

#include "edge/api_handler.h"

namespace ct::edge {

// A slug is [A-Za-z0-9_-]{1,kMaxSlugBytes}. No percent-decoding: an encoded byte can never
// form a valid slug, so %2e%2e%2f, %00 and %252e all end as a 404, never a lookup.
inline constexpr size_t kMaxSlugBytes = 64;

enum class Route {
  kRedirect,    // "/{slug}" with a valid slug (it may still be unknown)
  kPixel,       // "/p/..." : a tracking pixel (always answered with the GIF)
  kConversion,  // "/c/..." : the conversion pixel of a goal key (always the GIF or its page)
  kApi,         // /api/..., /ui, /ui/..., /metrics, /healthz, /readyz
  kNotFound,    // anything else, including invalid slugs
};

// Classifies an origin-form target; on kRedirect sets *slug (a view into `target`). On kPixel
// and kConversion sets *slug to the slug or goal key of "/p/{slug}", "/p/{slug}.gif",
// "/c/{key}", "/c/{key}.gif" — or to "" when what follows "/p/" or "/c/" is not a valid slug
// under the same rule as links (then nothing is looked up, but the GIF is still answered: an
// email must never show a broken image).
Route ClassifyTarget(std::string_view target, std::string_view* slug);
bool IsValidSlug(std::string_view slug);

// Constant responses, as a head (status line and headers, without the blank line) plus
// HeaderTail(), plus a body. The 404 body is constant: nothing from the request is reflected.
std::string_view NotFoundHead();
std::string_view NotFoundBody();
std::string_view MethodNotAllowedHead();
// The 43-byte transparent 1x1 GIF89a and its head (200, image/gif, no-store, and Pragma /
// Expires for HTTP/1.0 proxies that ignore Cache-Control).
std::string_view PixelGif();
std::string_view PixelHead();
// Ends a header section: "Connection: close" when closing, "Connection: keep-alive" for an
// HTTP/1.0 client that asked to keep the connection, then the blank line.
std::string_view HeaderTail(bool close, bool http10);
std::string_view ContinueResponse();  // "HTTP/1.1 100 Continue"
// A small constant error page for 400, 413, 414, 431, 500, 501, 503, 505; always closes.
std::string_view ErrorResponse(int status);

// Status line + Content-Type + Content-Length + extra headers + Cache-Control: no-store.
// Extra headers whose name or value holds CR, LF or NUL are dropped (header injection).
// For a HEAD request (`head`), the body is left out but Content-Length still gives its size.
// A streamed response (`stream` set) has no Content-Length: its body ends with the connection,
// so the caller's `tail` must say Connection: close.
void SerializeApiResponse(const ApiResponse& response, bool head, std::string_view tail,
                          std::string* out);

}  // namespace ct::edge
