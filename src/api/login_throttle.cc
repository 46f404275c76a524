#include "api/login_throttle.h"

#include <algorithm>
#include <cmath>

namespace ct::api {
namespace {

std::string Key(std::string_view ip, std::string_view email) {
  std::string k(ip);
  k += '\n';  // cannot occur in an IP or a valid email
  k += email;
  return k;
}

}  // namespace

void LoginThrottle::Refill(Bucket& b, std::chrono::steady_clock::time_point now) const {
  const double per_second = 1.0 / std::chrono::duration<double>(kRefill).count();
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min<double>(kBurst, b.tokens + std::max(0.0, elapsed) * per_second);
  b.updated = now;
}

int64_t LoginThrottle::RetryAfter(std::string_view ip, std::string_view email) {
  const auto now = clock_->SteadyNow();
  std::lock_guard lock(mu_);
  auto it = buckets_.find(Key(ip, email));
  if (it == buckets_.end()) return 0;
  Refill(it->second, now);
  if (it->second.tokens >= 1.0) return 0;
  const double wait_s = (1.0 - it->second.tokens) * std::chrono::duration<double>(kRefill).count();
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait_s)));
}

void LoginThrottle::RecordFailure(std::string_view ip, std::string_view email) {
  const auto now = clock_->SteadyNow();
  std::lock_guard lock(mu_);
  if (buckets_.size() >= kMaxEntries) {
    // Full buckets say nothing a fresh one would not: drop them first, then any.
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      Refill(it->second, now);
      it = it->second.tokens >= kBurst ? buckets_.erase(it) : std::next(it);
    }
    if (buckets_.size() >= kMaxEntries) buckets_.erase(buckets_.begin());
  }
  auto [it, inserted] = buckets_.try_emplace(Key(ip, email));
  if (inserted) it->second.updated = now;
  Refill(it->second, now);
  it->second.tokens = std::max(0.0, it->second.tokens - 1.0);
}

}  // namespace ct::api
