// LoginThrottle: failed sign-ins per (client IP, email), so a password cannot be guessed fast
// from one address (README "Users and sessions"). Each failure takes a token from a bucket of
// kBurst that refills one token per kRefill; an empty bucket answers 429 with Retry-After
// before any password is checked. A success does not take a token. A second bucket per client
// IP alone (kIpBurst, one token per kIpRefill) stops one address from cycling through emails:
// every failure, known email or not, cost an Argon2id hash. In memory: a restart refills the
// buckets, which is fine for abuse control. Thread-safe; bounded to kMaxEntries.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"

namespace ct::api {

class LoginThrottle {
 public:
  static constexpr int kBurst = 5;
  static constexpr auto kRefill = std::chrono::seconds(60);
  static constexpr int kIpBurst = 30;
  static constexpr auto kIpRefill = std::chrono::seconds(2);
  static constexpr size_t kMaxEntries = 100'000;

  explicit LoginThrottle(Clock* clock) : clock_(clock) {}

  // 0 if an attempt may be checked now; else the whole seconds until it may (>= 1).
  int64_t RetryAfter(std::string_view ip, std::string_view email);
  void RecordFailure(std::string_view ip, std::string_view email);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point updated;
  };
  struct Limit {
    int burst;
    std::chrono::seconds refill;
  };
  // Refills `b` up to now.
  static void Refill(Bucket& b, const Limit& limit, std::chrono::steady_clock::time_point now);
  // Whole seconds until the bucket at `key` has a token (0: now). Needs mu_.
  int64_t WaitLocked(const std::string& key, const Limit& limit,
                     std::chrono::steady_clock::time_point now);
  // Takes a token from the bucket at `key`, creating it full. Needs mu_.
  void TakeLocked(const std::string& key, const Limit& limit,
                  std::chrono::steady_clock::time_point now);

  Clock* clock_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace ct::api
