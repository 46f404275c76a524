#include "api/router.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "api/http_util.h"
#include "api/link_counts_handler.h"
#include "api/role_policy.h"
#include "api/session_cookie.h"
#include "api/status_page.h"
#include "api/ui_handler.h"

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
      hits_(&ctx_),
      status_(&ctx_),
      pixels_(&ctx_),
      goals_(&ctx_),
      postbacks_(&ctx_),
      conversions_(&ctx_),
      deliveries_(&ctx_),
      reconciliation_(&ctx_),
      account_(&ctx_),
      session_(&ctx_),
      users_(&ctx_),
      api_keys_(&ctx_, &key_cache_),
      live_(&ctx_),
      routes_(MakeRoutes()) {}

bool ApiRouter::SecureCookie() const { return ctx_.options.secure_cookie; }

std::optional<ApiResponse> ApiRouter::HandleUnauthenticated(
    const ApiRequest& req, const std::vector<std::string_view>& seg) {
  const bool login = seg.size() == 3 && seg[2] == "sessions";
  const bool accept = seg.size() == 4 && seg[2] == "invitations" && seg[3] == "accept";
  if (!login && !accept) return std::nullopt;
  if (req.method != "POST") return MethodNotAllowed("POST");
  // No session yet, so no CSRF token; but a page of another site must not sign a browser in
  // (login CSRF), and browsers send Origin on every cross-site POST.
  if (!OriginMatchesHost(req)) return ErrorResponse(403, "csrf", "foreign Origin");
  return login ? session_.Login(req) : session_.AcceptInvitation(req);
}

std::optional<ApiResponse> ApiRouter::HandleSelf(const Principal& who, const SessionAuth* session,
                                                 const ApiRequest& req,
                                                 const std::vector<std::string_view>& seg) {
  const std::string& m = req.method;
  if (seg.size() == 3 && seg[2] == "me") {
    if (m != "GET") return MethodNotAllowed("GET");
    ApiResponse r = session_.Me(who, session);
    // The cookie's Max-Age starts again whenever the dashboard loads (the server-side idle
    // expiry slides with every request).
    if (session != nullptr && r.status == 200) {
      if (auto token = SessionCookieValue(req)) {
        r.headers.emplace_back("Set-Cookie", session_.Cookie(*token));
      }
    }
    return r;
  }
  if (seg.size() == 4 && seg[2] == "sessions" && seg[3] == "current") {
    if (m != "DELETE") return MethodNotAllowed("DELETE");
    return session_.Logout(session);
  }
  if (seg.size() == 5 && seg[2] == "users" && seg[3] == "me" && seg[4] == "password") {
    if (m != "POST") return MethodNotAllowed("POST");
    return session_.ChangePassword(session, req);
  }
  if (seg[2] == "sessions") return ErrorResponse(404, "not_found", "no such API endpoint");
  return std::nullopt;
}

std::vector<Route> ApiRouter::MakeRoutes() {
  using R = const RouteArgs&;
  using Q = const ApiRequest&;
  using P = const Principal&;
  // A pixel's reports are a link's, once the id is known to be a pixel of the account.
  auto pixel_report = [this](bool stats) {
    return [this, stats](P who, Q req, R a) {
      auto ok = LinkIsKind(*ctx_.store, who.account_id, a.id, LinkKind::kPixel);
      if (!ok.ok()) return ErrorFromStatus(ok.status());
      if (!*ok) return ErrorResponse(404, "not_found", "pixel not found");
      return stats ? stats_.LinkStats(who, a.id, req) : hits_.List(who, a.id, req);
    };
  };
  return {
      {"GET", "pixels", [this](P w, Q q, R) { return pixels_.List(w, q); }},
      {"POST", "pixels", [this](P w, Q q, R) { return pixels_.Create(w, q); }},
      {"GET", "pixels/{id}", [this](P w, Q, R a) { return pixels_.Get(w, a.id); }},
      {"PATCH", "pixels/{id}", [this](P w, Q q, R a) { return pixels_.Update(w, a.id, q); }},
      {"DELETE", "pixels/{id}", [this](P w, Q, R a) { return pixels_.Delete(w, a.id); }},
      {"GET", "pixels/{id}/stats", pixel_report(true)},
      {"GET", "pixels/{id}/hits", pixel_report(false)},

      {"GET", "goals", [this](P w, Q, R) { return goals_.List(w); }},
      {"POST", "goals", [this](P w, Q q, R) { return goals_.Create(w, q); }},
      {"GET", "goals/{id}", [this](P w, Q, R a) { return goals_.Get(w, a.id); }},
      {"PATCH", "goals/{id}", [this](P w, Q q, R a) { return goals_.Update(w, a.id, q); }},
      {"DELETE", "goals/{id}", [this](P w, Q, R a) { return goals_.Delete(w, a.id); }},
      {"GET", "goals/{id}/stats", [this](P w, Q q, R a) { return goals_.Stats(w, a.id, q); }},

      {"GET", "postbacks", [this](P w, Q, R) { return postbacks_.List(w); }},
      {"POST", "postbacks", [this](P w, Q q, R) { return postbacks_.Create(w, q); }},
      {"GET", "postbacks/{id}", [this](P w, Q, R a) { return postbacks_.Get(w, a.id); }},
      {"PATCH", "postbacks/{id}", [this](P w, Q q, R a) { return postbacks_.Update(w, a.id, q); }},
      {"DELETE", "postbacks/{id}", [this](P w, Q, R a) { return postbacks_.Delete(w, a.id); }},

      {"GET", "conversions", [this](P w, Q q, R) { return conversions_.List(w, q); }},
      {"POST", "conversions", [this](P w, Q q, R) { return conversions_.Ingest(w, q); }},

      {"GET", "deliveries", [this](P w, Q q, R) { return deliveries_.List(w, q); }},
      {"POST", "deliveries/replay", [this](P w, Q q, R) { return deliveries_.Replay(w, q); }},
      {"GET", "deliveries/{name}", [this](P w, Q, R a) { return deliveries_.Get(w, a.name); }},
      {"POST", "deliveries/{name}/replay",
       [this](P w, Q, R a) { return deliveries_.ReplayOne(w, a.name); }},

      {"GET", "reconciliation", [this](P w, Q q, R) { return reconciliation_.Get(w, q); }},
      // The caller's own account: no id in the path, so tenancy needs no check.
      {"GET", "account", [this](P w, Q, R) { return account_.Get(w); }},
      {"PATCH", "account", [this](P w, Q q, R) { return account_.Update(w, q); }},

      {"GET", "users", [this](P w, Q, R) { return users_.List(w); }},
      {"PATCH", "users/{id}", [this](P w, Q q, R a) { return users_.UpdateRole(w, a.id, q); }},
      {"DELETE", "users/{id}", [this](P w, Q, R a) { return users_.Delete(w, a.id); }},
      {"GET", "invitations", [this](P w, Q, R) { return users_.ListInvitations(w); }},
      {"POST", "invitations", [this](P w, Q q, R) { return users_.Invite(w, q); }},
      {"DELETE", "invitations/{id}",
       [this](P w, Q, R a) { return users_.DeleteInvitation(w, a.id); }},
      {"GET", "api-keys", [this](P w, Q, R) { return api_keys_.List(w); }},
      {"POST", "api-keys", [this](P w, Q q, R) { return api_keys_.Create(w, q); }},
      {"DELETE", "api-keys/{id}", [this](P w, Q, R a) { return api_keys_.Revoke(w, a.id); }},
      // Server-sent events of the account's clicks as they are committed.
      {"GET", "live", [this](P w, Q q, R) { return live_.Open(w, q); }},
  };
}

std::optional<ApiResponse> ApiRouter::Dispatch(const Principal& who, const ApiRequest& req,
                                               const std::vector<std::string_view>& seg) {
  std::string allow;
  for (const Route& r : routes_) {
    auto pat = Segments(r.pattern);
    if (pat.size() != seg.size() - 2) continue;
    RouteArgs args;
    bool match = true;
    for (size_t i = 0; i < pat.size() && match; ++i) {
      std::string_view s = seg[i + 2];
      if (pat[i] == "{id}") {
        auto id = ParseId(s);
        match = id.has_value();
        if (match) args.id = *id;
      } else if (pat[i] == "{name}") {
        // A literal route of the same shape ("deliveries/replay") is listed first and wins.
        args.name = s;
      } else {
        match = pat[i] == s;
      }
    }
    if (!match) continue;
    if (r.method == req.method) return r.handle(who, req, args);
    if (allow.find(r.method) == std::string::npos)
      allow += (allow.empty() ? "" : ", ") + std::string(r.method);
  }
  if (!allow.empty()) return MethodNotAllowed(allow);
  return std::nullopt;
}

ApiResponse ApiRouter::Handle(const ApiRequest& req) {
  std::string_view target = req.target;
  std::string_view path = target.substr(0, target.find('?'));
  if (path == "/healthz") return Text(200, "text/plain", "ok\n");
  if (path == "/ui/status") {
    if (req.method != "GET" && req.method != "HEAD") return MethodNotAllowed("GET, HEAD");
    return Text(200, "text/html; charset=utf-8", std::string(StatusPageHtml()));
  }
  if (IsUiPath(path)) return ServeUi(req, path);
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
  static constexpr std::string_view kResources[] = {
      "links",     "status",      "domains",     "stats",          "pixels",  "goals",
      "postbacks", "conversions", "deliveries",  "reconciliation", "account", "sessions",
      "me",        "users",       "invitations", "api-keys",       "live"};
  if (seg.size() < 3 || seg[0] != "api" || seg[1] != "v1" ||
      std::find(std::begin(kResources), std::end(kResources), seg[2]) == std::end(kResources)) {
    return ErrorResponse(404, "not_found", "no such API endpoint");
  }
  const std::string& m = req.method;
  // Sign-in and accepting an invitation come before authentication: they make the session.
  if (auto r = HandleUnauthenticated(req, seg)) return *std::move(r);
  // Authenticate before saying anything else about the path: a Bearer key if the request has
  // an Authorization header, else the session cookie.
  std::optional<SessionAuth> session;
  Result<Principal> who = Status::NotFound("missing Authorization: Bearer <api key>");
  std::optional<std::string> cookie;
  if (req.Header("authorization") == nullptr) cookie = SessionCookieValue(req);
  if (cookie) {
    auto s = AuthenticateSession(*cookie, *ctx_.store, session_.IdleTtlUs());
    who = s.ok() ? Result<Principal>(s->who) : Result<Principal>(s.status());
    if (s.ok()) session = *std::move(s);
  } else {
    who = Authenticate(req, *ctx_.store, &key_cache_);
  }
  if (!who.ok()) {
    if (who.status().code() == StatusCode::kNotFound) {
      ApiResponse r = ErrorResponse(401, "unauthorized", who.status().message());
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      if (cookie) r.headers.emplace_back("Set-Cookie", ClearSessionCookie(SecureCookie()));
      return r;
    }
    return ErrorFromStatus(who.status());
  }
  // CSRF: a browser sends the cookie on any request to us, so a write counts only if it also
  // carries the session's token (which another site's page cannot read) and, when the browser
  // says where the request comes from, that is this host.
  if (session && m != "GET" && m != "HEAD" &&
      (!OriginMatchesHost(req) || !CsrfTokenMatches(req, session->csrf_token))) {
    return ErrorResponse(403, "csrf", "missing or wrong X-CSRF-Token, or a foreign Origin");
  }
  // Sessions are limited per user (negative ids cannot clash with key ids).
  const int64_t bucket = who->via_session ? -who->user_id : who->key_id;
  if (int64_t retry_after = limiter_.Acquire(bucket); retry_after > 0) {
    ApiResponse r = ErrorResponse(429, "rate_limited", "too many requests for this API key");
    r.headers.emplace_back("Retry-After", std::to_string(retry_after));
    return r;
  }
  if (!RoleAllows(who->role, m, seg)) {
    return ErrorResponse(403, "forbidden",
                         "the role " + std::string(RoleName(who->role)) + " may not do this");
  }
  if (auto r = HandleSelf(*who, session ? &*session : nullptr, req, seg)) return *std::move(r);
  if (seg[2] != "links" && seg[2] != "status" && seg[2] != "domains" && seg[2] != "stats") {
    if (auto r = Dispatch(*who, req, seg)) return *std::move(r);
    return ErrorResponse(404, "not_found", "no such API endpoint");
  }
  if (seg[2] == "status") {
    if (seg.size() != 3) return ErrorResponse(404, "not_found", "no such API endpoint");
    if (m == "GET") return status_.Get(*who);
    return MethodNotAllowed("GET");
  }
  if (seg[2] == "stats") {
    if (seg.size() != 3) return ErrorResponse(404, "not_found", "no such API endpoint");
    if (m == "GET") return stats_.AccountStats(*who, req);
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
  if (seg.size() == 4 && seg[3] == "counts") {
    if (m == "GET") return LinkCounts(ctx_, *who, req);
    return MethodNotAllowed("GET");
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
  // Pixels live in the links table but are served under /pixels only (api/pixels_handler.h).
  // GET, PATCH and the QR code check the kind on the row they read anyway.
  if (seg.size() > 4 || m == "DELETE") {
    auto is_link = LinkIsKind(*ctx_.store, who->account_id, *id, LinkKind::kLink);
    if (!is_link.ok()) return ErrorFromStatus(is_link.status());
    if (!*is_link) return ErrorResponse(404, "not_found", "link not found");
  }
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
  if (seg.size() == 5 && seg[4] == "hits") {
    if (m == "GET") return hits_.List(*who, *id, req);
    return MethodNotAllowed("GET");
  }
  return ErrorResponse(404, "not_found", "no such API endpoint");
}

}  // namespace ct::api
