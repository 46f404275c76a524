// JournalCompleteness: the embedded mode's CompletenessSource. One journal, one tracker: an
// event is committed unless the LagTracker still holds it as pending, so
//
//   complete_until = min(now - kInFlight, oldest event time appended and not yet committed,
//                        oldest event time of an append being written)
//
// kInFlight covers the one gap the lag tracker cannot see: an edge stamps a request's time
// when it parses it and appends the record at the end of that turn of its I/O loop (the same
// thread, no I/O in between but other requests' parsing), so a record reaches BeginAppend a
// few microseconds — never a second, short of a stalled CPU — after its stamp. A wall-clock
// step backwards is not covered.
//
// The reports lag when complete_until is more than kLaggingAfter behind now; the stage named
// is the first of store (not green: its probes fail), journal (red: the writer stopped or the
// disk is full) and tracker (otherwise: it is behind) in the /status figures.
//
// Thread safety: as CompletenessSource. `lag`, `clock` must outlive it; `stages` is called
// only while lagging, on the caller's thread, and must not wait on the store.
#pragma once

#include <chrono>
#include <functional>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "monitor/completeness.h"
#include "monitor/health.h"
#include "monitor/lag_tracker.h"

namespace ct {

class JournalCompleteness : public CompletenessSource {
 public:
  static constexpr std::chrono::seconds kInFlight = kStampToAppend;
  // The tracker's amber threshold in /status: below it, a report is merely fresh.
  static constexpr std::chrono::seconds kLaggingAfter = kReportsLagAfter;

  JournalCompleteness(const LagTracker* lag, Clock* clock,
                      std::function<std::vector<StageHealth>()> stages)
      : lag_(lag), clock_(clock), stages_(std::move(stages)) {}

  Completeness Now() const override;

 private:
  const LagTracker* const lag_;
  Clock* const clock_;
  const std::function<std::vector<StageHealth>()> stages_;
};

// The stage to blame for a lag, from /status's stages (see the class comment), with a reason.
void NameLaggingStage(const std::vector<StageHealth>& stages, Completeness* out);

}  // namespace ct
