// RateLimiter: a token bucket per key (RELIABILITY §5 "Rate limits"): per API key in the API,
// per link for the edge's password checks. Each key may make `rate_per_second` requests per
// second on average and `burst` at once; past that the caller answers 429 with Retry-After. Buckets
// live in memory: a restart refills them, which is fine for abuse control (this is not billing).
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "common/clock.h"

namespace ct {

// Buckets idle for this long are dropped, so the map cannot grow with every key ever seen.
inline constexpr auto kRateBucketIdleTtl = std::chrono::minutes(10);

class RateLimiter {
 public:
  // rate_per_second == 0 disables limiting.
  RateLimiter(int64_t rate_per_second, int64_t burst, Clock* clock);

  // 0 if the request may go ahead (a token is taken); otherwise the whole seconds until a
  // token is available (the Retry-After value), at least 1.
  int64_t Acquire(int64_t key_id);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
  };
  void DropIdleLocked(std::chrono::steady_clock::time_point now);

  const double rate_;
  const double burst_;
  Clock* clock_;
  std::mutex mu_;
  std::unordered_map<int64_t, Bucket> buckets_;
  std::chrono::steady_clock::time_point last_sweep_{};
};

}  // namespace ct
