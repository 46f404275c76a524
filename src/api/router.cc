#include "api/router.h"

#include <charconv>
#include <vector>

#include "api/http_util.h"
#include "api/status_page.h"

namespace ct::api {
namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

// Link ids are positive decimal integers; anything else cannot name a link (a 404, not a 400,
// so probing ids tells nothing).
std::optional<int64_t> ParseId(std::string_view s) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

ApiResponse Text(int status, std::string content_type, std::string body) {
  ApiResponse r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

}  // namespace

ApiRouter::ApiRouter(ApiContext ctx)
    : ctx_(std::move(ctx)),
      limiter_(ctx_.options.rate_per_second, ctx_.options.rate_burst,
               ctx_.clock ? ctx_.clock : Clock::System()),
      links_(&ctx_),
      domains_(&ctx_),
      stats_(&ctx_),
      status_(&ctx_) {}

ApiResponse ApiRouter::Handle(const ApiRequest& req) {
  std::string_view target = req.target;
  std::string_view path = target.substr(0, target.find('?'));
  if (path == "/healthz") return Text(200, "text/plain", "ok\n");
  if (path == "/ui/status") {
    if (req.method != "GET" && req.method != "HEAD") return MethodNotAllowed("GET, HEAD");
    return Text(200, "text/html; charset=utf-8", std::string(StatusPageHtml()));
  }
  if (path == "/readyz") {
    bool ready = !ctx_.ready || ctx_.ready();
    return Text(ready ? 200 : 503, "text/plain", ready ? "ready\n" : "link table not loaded\n");
  }
  if (path == "/metrics") {
    return Text(200, "text/plain; version=0.0.4",
                ctx_.metrics ? ctx_.metrics->RenderPrometheus() : "");
  }
  if (path.substr(0, 5) == "/api/") return HandleApi(req, path);
  return ErrorResponse(404, "not_found", "no such page");
}

ApiResponse ApiRouter::HandleApi(const ApiRequest& req, std::string_view path) {
  auto seg = Segments(path);
  if (seg.size() < 3 || seg[0] != "api" || seg[1] != "v1" ||
      (seg[2] != "links" && seg[2] != "status" && seg[2] != "domains")) {
    return ErrorResponse(404, "not_found", "no such API endpoint");
  }
  // Authenticate before saying anything else about the path.
  auto who = Authenticate(req, *ctx_.store, &key_cache_);
  if (!who.ok()) {
    if (who.status().code() == StatusCode::kNotFound) {
      ApiResponse r = ErrorResponse(401, "unauthorized", who.status().message());
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    }
    return ErrorFromStatus(who.status());
  }
  if (int64_t retry_after = limiter_.Acquire(who->key_id); retry_after > 0) {
    ApiResponse r = ErrorResponse(429, "rate_limited", "too many requests for this API key");
    r.headers.emplace_back("Retry-After", std::to_string(retry_after));
    return r;
  }
  const std::string& m = req.method;
  if (seg[2] == "status") {
    if (seg.size() != 3) return ErrorResponse(404, "not_found", "no such API endpoint");
    if (m == "GET") return status_.Get(*who);
    return MethodNotAllowed("GET");
  }
  if (seg[2] == "domains") {
    if (seg.size() == 3) {
      if (m == "GET") return domains_.List(*who);
      if (m == "POST") return domains_.Create(*who, req);
      return MethodNotAllowed("GET, POST");
    }
    auto id = seg.size() == 4 ? ParseId(seg[3]) : std::nullopt;
    if (!id) return ErrorResponse(404, "not_found", "domain not found");
    if (m == "DELETE") return domains_.Delete(*who, *id);
    return MethodNotAllowed("DELETE");
  }
  if (seg.size() == 4 && seg[3] == "bulk") {
    if (m == "POST") return links_.Bulk(*who, req);
    return MethodNotAllowed("POST");
  }
  if (seg.size() == 4 && seg[3] == "import") {
    if (m == "POST") return links_.Import(*who, req);
    return MethodNotAllowed("POST");
  }
  if (seg.size() == 4 && seg[3] == "export") {
    if (m == "GET") return links_.Export(*who, req);
    return MethodNotAllowed("GET");
  }
  if (seg.size() == 3) {
    if (m == "GET") return links_.List(*who, req);
    if (m == "POST") return links_.Create(*who, req);
    return MethodNotAllowed("GET, POST");
  }
  auto id = ParseId(seg[3]);
  if (!id) return ErrorResponse(404, "not_found", "link not found");
  if (seg.size() == 4) {
    if (m == "GET") return links_.Get(*who, *id);
    if (m == "PATCH") return links_.Update(*who, *id, req);
    if (m == "DELETE") return links_.Delete(*who, *id);
    return MethodNotAllowed("GET, PATCH, DELETE");
  }
  if (seg.size() == 5 && seg[4] == "qr") {
    if (m == "GET") return links_.Qr(*who, *id, req);
    return MethodNotAllowed("GET");
  }
  if (seg.size() == 5 && seg[4] == "stats") {
    if (m == "GET") return stats_.LinkStats(*who, *id, req);
    return MethodNotAllowed("GET");
  }
  return ErrorResponse(404, "not_found", "no such API endpoint");
}

}  // namespace ct::api
