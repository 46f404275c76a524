#include "notify/attempt_outcome.h"

#include "notify/retry_policy.h"

namespace ct::notify {

DeliveryOutcome DecideOutcome(const DeliveryRow& row, const AttemptResult& result, int64_t now_us,
                              const NotifierOptions& options, std::mt19937_64& rng) {
  DeliveryOutcome out;
  const int attempt = row.attempts + 1;
  out.attempt.delivery_id = row.id;
  out.attempt.attempt = attempt;
  out.attempt.started_at_us = result.started_at_us;
  out.attempt.http_status = result.http_status;
  out.attempt.latency_us = result.latency_us;
  const int status = result.http_status;

  if (status >= 200 && status < 300) {
    out.state = DeliveryState::kDelivered;
    return out;
  }
  if (status == 0) {
    out.attempt.error = result.error.empty() ? "no HTTP response" : result.error;
  } else if (status >= 300 && status < 400) {
    out.attempt.error = "HTTP " + std::to_string(status) + " (redirects are not followed)";
  } else {
    out.attempt.error = "HTTP " + std::to_string(status);
  }

  if (status == 410) {
    if (row.postback_id != 0) {
      // The receiver says the endpoint is gone for good: stop sending to it. The delivery keeps
      // waiting (due now) for someone to re-enable the postback and replay.
      out.state = DeliveryState::kPending;
      out.next_attempt_us = now_us;
      out.disable_postback = true;
      out.disable_reason = "receiver answered 410 Gone";
    } else {
      out.state = DeliveryState::kDead;
    }
    return out;
  }

  auto delay = RetryDelay(options.retry_schedule, attempt, options.jitter, rng);
  if (!delay) {
    out.state = DeliveryState::kDead;
    return out;
  }
  if ((status == 429 || status == 503) && result.retry_after) {
    // The receiver named its own pause: honour it exactly (no sooner), instead of our step.
    if (auto wait = ParseRetryAfter(*result.retry_after, now_us)) delay = *wait;
  }
  out.state = DeliveryState::kPending;
  out.next_attempt_us = now_us + delay->count();
  return out;
}

}  // namespace ct::notify
