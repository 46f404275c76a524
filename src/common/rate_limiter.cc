#include "common/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace ct {

RateLimiter::RateLimiter(int64_t rate_per_second, int64_t burst, Clock* clock)
    : rate_(static_cast<double>(rate_per_second)),
      burst_(static_cast<double>(std::max<int64_t>(burst, 1))),
      clock_(clock) {}

int64_t RateLimiter::Acquire(int64_t key_id) {
  if (rate_ <= 0) return 0;
  auto now = clock_->SteadyNow();
  std::lock_guard lock(mu_);
  DropIdleLocked(now);
  auto [it, inserted] = buckets_.try_emplace(key_id, Bucket{burst_, now});
  Bucket& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
  b.updated = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1.0 - b.tokens) / rate_)));
}

void RateLimiter::DropIdleLocked(std::chrono::steady_clock::time_point now) {
  if (now - last_sweep_ < std::chrono::minutes(1)) return;
  last_sweep_ = now;
  std::erase_if(buckets_,
                [&](const auto& kv) { return now - kv.second.updated > kRateBucketIdleTtl; });
}

}  // namespace ct
