// What one attempt at a delivery means for it: the outcome rules of notifier.h in one pure
// function, so they can be tested without a network.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "notify/notifier.h"
#include "store/store.h"

namespace ct::notify {

// What came back from one attempt.
struct AttemptResult {
  int http_status = 0;  // 0: no HTTP status arrived (connect error, timeout, refused address)
  std::string error;    // why there was no status ("" when there was one)
  std::optional<std::string> retry_after;  // the Retry-After header, if any
  int64_t started_at_us = 0;
  int64_t latency_us = 0;
};

// 2xx delivered; 410 disables the postback (a piggyback delivery, which has no postback to
// disable, is dead instead); 429/503 with a readable Retry-After retry after it; everything
// else retries at the next step of the schedule with jitter, or is dead past the last step.
DeliveryOutcome DecideOutcome(const DeliveryRow& row, const AttemptResult& result, int64_t now_us,
                              const NotifierOptions& options, std::mt19937_64& rng);

}  // namespace ct::notify
