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

// The per-IP bucket's key: no (ip, email) key starts with a control byte.
std::string IpKey(std::string_view ip) { return "\x01" + std::string(ip); }

}  // namespace

void LoginThrottle::Refill(Bucket& b, const Limit& limit,
                           std::chrono::steady_clock::time_point now) {
  const double per_second = 1.0 / std::chrono::duration<double>(limit.refill).count();
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min<double>(limit.burst, b.tokens + std::max(0.0, elapsed) * per_second);
  b.updated = now;
}

int64_t LoginThrottle::WaitLocked(const std::string& key, const Limit& limit,
                                  std::chrono::steady_clock::time_point now) {
  auto it = buckets_.find(key);
  if (it == buckets_.end()) return 0;
  Refill(it->second, limit, now);
  if (it->second.tokens >= 1.0) return 0;
  const double wait_s =
      (1.0 - it->second.tokens) * std::chrono::duration<double>(limit.refill).count();
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait_s)));
}

void LoginThrottle::TakeLocked(const std::string& key, const Limit& limit,
                               std::chrono::steady_clock::time_point now) {
  if (buckets_.size() >= kMaxEntries) {
    // Full buckets say nothing a fresh one would not: drop them first, then any. (Per-IP
    // buckets refill at their own rate; judged by the per-email one they only go sooner.)
    const Limit email_limit{kBurst, kRefill};
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      Refill(it->second, email_limit, now);
      it = it->second.tokens >= kBurst ? buckets_.erase(it) : std::next(it);
    }
    if (buckets_.size() >= kMaxEntries) buckets_.erase(buckets_.begin());
  }
  auto [it, inserted] = buckets_.try_emplace(key);
  if (inserted) it->second = {static_cast<double>(limit.burst), now};
  Refill(it->second, limit, now);
  it->second.tokens = std::max(0.0, it->second.tokens - 1.0);
}

int64_t LoginThrottle::RetryAfter(std::string_view ip, std::string_view email) {
  const auto now = clock_->SteadyNow();
  std::lock_guard lock(mu_);
  return std::max(WaitLocked(Key(ip, email), {kBurst, kRefill}, now),
                  WaitLocked(IpKey(ip), {kIpBurst, kIpRefill}, now));
}

void LoginThrottle::RecordFailure(std::string_view ip, std::string_view email) {
  const auto now = clock_->SteadyNow();
  std::lock_guard lock(mu_);
  TakeLocked(Key(ip, email), {kBurst, kRefill}, now);
  TakeLocked(IpKey(ip), {kIpBurst, kIpRefill}, now);
}

}  // namespace ct::api
