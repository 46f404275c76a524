// GET /api/v1/links/{id}/stats?from=&to=&interval=minute|hour|day (../shared/API.md).
//
// Buckets are UTC minutes, hours or days. `from` is rounded down to the start of its bucket;
// `to` is exclusive; both default (to = now, from = to minus 60 minutes / 48 hours / 30 days).
// The series lists every bucket in the range, empty ones as zeros, so charts need no gap logic;
// at most kMaxBuckets. `total` and `unique` are the sums over the series. `head` counts HEAD
// requests (link scanners, uptime checks), which are not clicks.
#pragma once

#include <cstdint>

#include "api/api_context.h"
#include "api/auth.h"
#include "edge/api_handler.h"

namespace ct::api {

inline constexpr int64_t kMaxBuckets =
    10'000;  // a year of hours; bigger ranges need a coarser interval

class StatsHandler {
 public:
  explicit StatsHandler(const ApiContext* ctx) : ctx_(ctx) {}
  ApiResponse LinkStats(const Principal& who, int64_t link_id, const ApiRequest& req);

 private:
  const ApiContext* ctx_;
};

}  // namespace ct::api
