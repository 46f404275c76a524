#include "monitor/journal_completeness.h"

#include <algorithm>
#include <string_view>

namespace ct {
namespace {

const StageHealth* Find(const std::vector<StageHealth>& stages, std::string_view name) {
  for (const StageHealth& s : stages) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace

void NameLaggingStage(const std::vector<StageHealth>& stages, Completeness* out) {
  // The root cause first: a failing store is why the tracker is behind, and it is what an
  // operator must fix. A journal amber for old corruption does not hold events back; a red one
  // (stopped writer, full disk) does.
  const StageHealth* s = Find(stages, "store");
  if (s == nullptr || s->state == HealthState::kGreen) {
    s = Find(stages, "journal");
    if (s != nullptr && s->state != HealthState::kRed) s = nullptr;
  }
  if (s == nullptr) s = Find(stages, "tracker");
  out->lagging_stage = s != nullptr ? s->name : "tracker";
  if (s != nullptr) out->lagging_reason = s->last_error.empty() ? s->detail : s->last_error;
}

Completeness JournalCompleteness::Now() const {
  const int64_t now = clock_->NowMicros();
  Completeness c;
  c.complete_until_us =
      std::min(now - std::chrono::duration_cast<std::chrono::microseconds>(kInFlight).count(),
               lag_->OldestPendingEventMicros());
  const int64_t behind = now - c.complete_until_us;
  if (behind > std::chrono::duration_cast<std::chrono::microseconds>(kLaggingAfter).count()) {
    NameLaggingStage(stages_ ? stages_() : std::vector<StageHealth>{}, &c);
  }
  return c;
}

}  // namespace ct
