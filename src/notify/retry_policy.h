// When to try a failed delivery again: the retry schedule (postbacks.retry_schedule) with
// jitter, and the receiver's Retry-After. Pure functions; the caller owns the random engine.
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

namespace ct::notify {

// A receiver may ask for a pause, but not for one that outlasts a day: past it, the schedule
// is the better guide (and a typo such as "Retry-After: 9999999" cannot park a delivery).
inline constexpr std::chrono::hours kMaxRetryAfter{24};

// The wait after failed attempt number `attempt` (1-based): schedule[attempt - 1] scaled by a
// uniform factor in [1 - jitter, 1 + jitter] (so retries of many deliveries do not arrive in
// lockstep). nullopt past the last step: the delivery is dead.
std::optional<std::chrono::microseconds> RetryDelay(
    const std::vector<std::chrono::seconds>& schedule, int attempt, double jitter,
    std::mt19937_64& rng);

// A Retry-After value (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as the wait from
// `now_us`, never negative, capped at kMaxRetryAfter. nullopt if it is neither.
std::optional<std::chrono::microseconds> ParseRetryAfter(std::string_view value, int64_t now_us);

}  // namespace ct::notify
