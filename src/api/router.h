// ApiRouter: the ApiHandler behind the listener for everything that is not a redirect —
// /healthz, /readyz, /metrics and the REST API under /api/v1 (links, stats, hits, status). Routes
// by method and path, authenticates /api/ requests, and turns every failure into the JSON error
// shape. Thread-safe: Handle() is called concurrently from the API worker threads.
#pragma once

#include "api/api_context.h"
#include "api/domains_handler.h"
#include "api/hits_handler.h"
#include "api/links_handler.h"
#include "api/stats_handler.h"
#include "api/status_handler.h"
#include "common/rate_limiter.h"
#include "edge/api_handler.h"

namespace ct::api {

class ApiRouter {
 public:
  explicit ApiRouter(ApiContext ctx);
  ApiResponse Handle(const ApiRequest& req);

 private:
  ApiResponse HandleApi(const ApiRequest& req, std::string_view path);

  ApiContext ctx_;
  RateLimiter limiter_;
  KeyFallbackCache key_cache_;  // lets the status page authenticate while the store is down
  LinksHandler links_;
  DomainsHandler domains_;
  StatsHandler stats_;
  HitsHandler hits_;
  StatusHandler status_;
};

}  // namespace ct::api
