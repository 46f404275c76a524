// GET /api/v1/status: the pipeline at a glance, for the dashboard and for a human asking "is it
// keeping up?" — one row per stage (monitor/health.h) and the alarms firing now:
//   {"stages": [{"name": "tracker", "state": "green|amber|red", "lag_seconds": 0.4,
//                "detail": "...", "last_error": null | "..."}, ...],
//    "alarms": [...],
//    "complete_until": ISO 8601, "incomplete": bool, and while reports lag "lagging_stage" and
//    "lagging_reason" (api/report_completeness.h): what the dashboard's banner shows}
// The figures are process-wide, not per account: any valid API key may read them (they hold no
// tenant data). Reading them never touches the store, so the route answers while it is down.
#pragma once

#include "api/api_context.h"
#include "api/auth.h"
#include "edge/api_handler.h"

namespace ct::api {

class StatusHandler {
 public:
  explicit StatusHandler(const ApiContext* ctx) : ctx_(ctx) {}
  ApiResponse Get(const Principal& who) const;

 private:
  const ApiContext* ctx_;
};

}  // namespace ct::api
