#include "api/ui_handler.h"

#include <string>

#include "api/http_util.h"
#include "api/ui_assets.h"

namespace ct::api {
namespace {

void AddSecurityHeaders(ApiResponse* r) {
  r->headers.emplace_back("Content-Security-Policy", std::string(kUiContentSecurityPolicy));
  r->headers.emplace_back("X-Content-Type-Options", "nosniff");
  r->headers.emplace_back("Referrer-Policy", "same-origin");
}

// True if an If-None-Match list names `etag` (or is "*"); weak tags compare equal (RFC 9110
// 13.1.2: If-None-Match uses the weak comparison).
bool NoneMatchHits(std::string_view header, std::string_view etag) {
  size_t i = 0;
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == '\t' || header[i] == ',')) ++i;
    size_t j = header.find(',', i);
    if (j == header.npos) j = header.size();
    std::string_view tag = header.substr(i, j - i);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    i = j;
  }
  return false;
}

}  // namespace

bool IsUiPath(std::string_view path) { return path == "/ui" || path.starts_with("/ui/"); }

ApiResponse ServeUi(const ApiRequest& req, std::string_view path) {
  ApiResponse r;
  if (req.method != "GET" && req.method != "HEAD") {
    r = MethodNotAllowed("GET, HEAD");
    AddSecurityHeaders(&r);
    return r;
  }
  std::string_view rel = path.size() <= 4 ? std::string_view() : path.substr(4);  // after "/ui/"
  if (rel.empty()) rel = "index.html";
  const EmbeddedFile* f = FindUiFile(rel);
  if (f == nullptr) {
    r = ErrorResponse(404, "not_found", "no such page");
    AddSecurityHeaders(&r);
    return r;
  }
  // The content hash: the same bytes give the same tag across restarts and builds.
  std::string etag = "\"" + std::string(f->sha256.substr(0, 32)) + "\"";
  std::string_view type = UiContentType(f->path);
  // HTML is revalidated every time (it names the other files, so it must never be stale);
  // scripts, styles and images may be reused for an hour without asking.
  bool html = type.starts_with("text/html");
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control", html ? "no-cache" : "max-age=3600");
  AddSecurityHeaders(&r);
  const std::string* inm = req.Header("if-none-match");
  if (inm != nullptr && NoneMatchHits(*inm, etag)) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  r.status = 200;
  r.content_type = std::string(type);
  r.body = std::string(f->data);
  return r;
}

}  // namespace ct::api
