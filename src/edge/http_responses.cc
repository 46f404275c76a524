#include "edge/http_responses.h"

#include <fmt/format.h>

namespace ct::edge {
namespace {

// The whole 404 body: constant, so nothing from the request can ever be reflected in it.
constexpr std::string_view kNotFoundHead =
    "HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=utf-8\r\n"
    "Cache-Control: no-store\r\nContent-Length: 48\r\n";
constexpr std::string_view kNotFoundBody = "<!doctype html><title>Not found</title>Not found";
static_assert(kNotFoundBody.size() == 48);

constexpr std::string_view kMethodNotAllowedHead =
    "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nCache-Control: no-store\r\n"
    "Content-Length: 0\r\n";

// GIF89a, 1x1, a 2-colour table, a Graphic Control Extension marking colour 0 transparent, one
// LZW-coded pixel of colour 0: the smallest GIF every mail client and browser renders.
constexpr char kGifBytes[] =
    "GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
    "\x21\xf9\x04\x01\x00\x00\x00\x00"
    "\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b";
constexpr std::string_view kGif(kGifBytes, sizeof kGifBytes - 1);
static_assert(kGif.size() == 43);

constexpr std::string_view kPixelHead =
    "HTTP/1.1 200 OK\r\nContent-Type: image/gif\r\nContent-Length: 43\r\n"
    "Cache-Control: no-store\r\nPragma: no-cache\r\nExpires: 0\r\n";

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string MakeError(int status) {
  std::string body = fmt::format("{} {}\n", status, ReasonPhrase(status));
  return fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n"
      "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
      status, ReasonPhrase(status), body.size(), body);
}

bool HasControl(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return true;
  }
  return false;
}

bool IsCacheControl(std::string_view name) {
  constexpr std::string_view kName = "cache-control";
  if (name.size() != kName.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i] >= 'A' && name[i] <= 'Z' ? static_cast<char>(name[i] + 32) : name[i];
    if (c != kName[i]) return false;
  }
  return true;
}

bool IsApiPath(std::string_view path) {
  auto under = [&](std::string_view prefix) {
    return path == prefix ||
           (path.size() > prefix.size() && path.starts_with(prefix) && path[prefix.size()] == '/');
  };
  return path.starts_with("/api/") || under("/ui") || path == "/metrics" || path == "/healthz" ||
         path == "/readyz";
}

}  // namespace

bool IsValidSlug(std::string_view slug) {
  if (slug.empty() || slug.size() > kMaxSlugBytes) return false;
  for (char c : slug) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Route ClassifyTarget(std::string_view target, std::string_view* slug) {
  std::string_view path = target.substr(0, target.find('?'));
  if (IsApiPath(path)) return Route::kApi;
  if (path.starts_with("/p/") || path.starts_with("/c/")) {
    std::string_view candidate = path.substr(3);
    if (candidate.ends_with(".gif")) candidate.remove_suffix(4);
    *slug = IsValidSlug(candidate) ? candidate : std::string_view();
    return path[1] == 'p' ? Route::kPixel : Route::kConversion;
  }
  if (path.size() < 2 || path[0] != '/') return Route::kNotFound;
  std::string_view candidate = path.substr(1);
  if (!IsValidSlug(candidate)) return Route::kNotFound;
  *slug = candidate;
  return Route::kRedirect;
}

std::string_view NotFoundHead() { return kNotFoundHead; }
std::string_view NotFoundBody() { return kNotFoundBody; }
std::string_view MethodNotAllowedHead() { return kMethodNotAllowedHead; }
std::string_view PixelGif() { return kGif; }
std::string_view PixelHead() { return kPixelHead; }
std::string_view HeaderTail(bool close, bool http10) {
  if (close) return "Connection: close\r\n\r\n";
  return http10 ? "Connection: keep-alive\r\n\r\n" : "\r\n";
}
std::string_view ContinueResponse() { return "HTTP/1.1 100 Continue\r\n\r\n"; }

std::string_view ErrorResponse(int status) {
  static const std::string k400 = MakeError(400), k413 = MakeError(413), k414 = MakeError(414),
                           k431 = MakeError(431), k500 = MakeError(500), k501 = MakeError(501),
                           k503 = MakeError(503), k505 = MakeError(505);
  switch (status) {
    case 413:
      return k413;
    case 414:
      return k414;
    case 431:
      return k431;
    case 500:
      return k500;
    case 501:
      return k501;
    case 503:
      return k503;
    case 505:
      return k505;
    default:
      return k400;
  }
}

void SerializeApiResponse(const ApiResponse& r, bool head, std::string_view tail,
                          std::string* out) {
  out->clear();
  int status = (r.status >= 100 && r.status <= 599) ? r.status : 500;
  fmt::format_to(std::back_inserter(*out), "HTTP/1.1 {} {}\r\n", status, ReasonPhrase(status));
  if (!HasControl(r.content_type) && !r.content_type.empty()) {
    fmt::format_to(std::back_inserter(*out), "Content-Type: {}\r\n", r.content_type);
  }
  // A 304 has no body, and a Content-Length on it would have to be the 200's (RFC 9110 8.6).
  if (status != 304 && !r.stream) {
    fmt::format_to(std::back_inserter(*out), "Content-Length: {}\r\n", r.body.size());
  }
  bool cache_control = false;
  for (const auto& [name, value] : r.headers) {
    if (name.empty() || HasControl(name) || HasControl(value) || name.find(':') != name.npos) {
      continue;
    }
    fmt::format_to(std::back_inserter(*out), "{}: {}\r\n", name, value);
    cache_control = cache_control || IsCacheControl(name);
  }
  // API answers are never cached, unless the handler says otherwise (the UI's static files).
  if (!cache_control) out->append("Cache-Control: no-store\r\n");
  out->append(tail);
  if (!head) out->append(r.body);
}

}  // namespace ct::edge
