// ApiRouter: the ApiHandler behind the listener for everything that is not a redirect —
// /healthz, /readyz, /metrics and the REST API under /api/v1 (links, stats, hits, status,
// pixels, goals, postbacks, conversions, deliveries, users, sessions, API keys). Routes
// by method and path, authenticates /api/ requests (a Bearer key or the dashboard's session
// cookie, whose writes must pass the CSRF checks), applies the role policy (role_policy.h), and
// turns every failure into the JSON error shape. Thread-safe: Handle() is called concurrently from
// the API worker threads.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "api/account_handler.h"
#include "api/api_context.h"
#include "api/api_keys_handler.h"
#include "api/conversions_handler.h"
#include "api/deliveries_handler.h"
#include "api/domains_handler.h"
#include "api/goals_handler.h"
#include "api/hits_handler.h"
#include "api/links_handler.h"
#include "api/live_handler.h"
#include "api/pixels_handler.h"
#include "api/postbacks_handler.h"
#include "api/reconciliation_handler.h"
#include "api/session_auth.h"
#include "api/session_handler.h"
#include "api/stats_handler.h"
#include "api/status_handler.h"
#include "api/users_handler.h"
#include "common/rate_limiter.h"
#include "edge/api_handler.h"

namespace ct::api {

// One route of the table: a method and a path pattern under /api/v1 whose segments are literals,
// "{id}" (a positive integer) or "{name}" (any one segment).
struct RouteArgs {
  int64_t id = 0;
  std::string_view name;
};
struct Route {
  std::string_view method;
  std::string_view pattern;
  std::function<ApiResponse(const Principal&, const ApiRequest&, const RouteArgs&)> handle;
};

class ApiRouter {
 public:
  explicit ApiRouter(ApiContext ctx);
  ApiResponse Handle(const ApiRequest& req);

 private:
  ApiResponse HandleApi(const ApiRequest& req, std::string_view path);
  // The issue-4 endpoints (pixels, goals, postbacks, conversions, deliveries) from routes_;
  // nullopt if no pattern matches the path.
  std::optional<ApiResponse> Dispatch(const Principal& who, const ApiRequest& req,
                                      const std::vector<std::string_view>& seg);
  std::vector<Route> MakeRoutes();
  // POST /api/v1/sessions and /api/v1/invitations/accept: nullopt for any other path.
  std::optional<ApiResponse> HandleUnauthenticated(const ApiRequest& req,
                                                   const std::vector<std::string_view>& seg);
  // /me, /sessions/current and /users/me/password (`session` null for an API key); nullopt
  // for any other path.
  std::optional<ApiResponse> HandleSelf(const Principal& who, const SessionAuth* session,
                                        const ApiRequest& req,
                                        const std::vector<std::string_view>& seg);
  bool SecureCookie() const;

  ApiContext ctx_;
  RateLimiter limiter_;
  KeyFallbackCache key_cache_;  // lets the status page authenticate while the store is down
  LinksHandler links_;
  DomainsHandler domains_;
  StatsHandler stats_;
  HitsHandler hits_;
  StatusHandler status_;
  PixelsHandler pixels_;
  GoalsHandler goals_;
  PostbacksHandler postbacks_;
  ConversionsHandler conversions_;
  DeliveriesHandler deliveries_;
  ReconciliationHandler reconciliation_;
  AccountHandler account_;
  SessionHandler session_;
  UsersHandler users_;
  ApiKeysHandler api_keys_;
  LiveHandler live_;
  std::vector<Route> routes_;
};

}  // namespace ct::api
