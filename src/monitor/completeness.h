// CompletenessSource: up to which event time the reports are complete (README "Honest reports
// while data is late"). Every stats response carries this watermark as `complete_until`, and
// marks the buckets that end after it as incomplete, so a chart never presents a dip caused by
// a stalled store as a real drop in traffic.
//
// The contract of an implementation: every event whose time (the edge's stamp, the time that
// decides its bucket) is before `complete_until_us` has been committed to the store, on every
// edge. It may err early (a report says "incomplete" for a moment too long), never late.
//
// Embedded mode: monitor/journal_completeness.h (the local journal's lag tracker). Distributed
// mode provides another implementation (per-edge watermarks in the store); the API only sees
// this interface.
//
// Thread safety: Now() is called on API worker threads, concurrently; it must not wait on the
// store (the report it annotates may be the only thing working during an outage).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ct {

// An edge stamps a request's time when it parses it and appends its record at the end of that
// turn of its I/O loop: microseconds later, never a second short of a stalled CPU. Every
// implementation allows this much between an event's stamp and its journal position.
inline constexpr std::chrono::seconds kStampToAppend{1};
// Reports lag (lagging_stage is named) when complete_until is more than this behind now.
inline constexpr std::chrono::seconds kReportsLagAfter{5};

struct Completeness {
  int64_t complete_until_us = 0;  // microseconds since the epoch, UTC
  // The stage that holds events back, "" when the reports are not lagging: "store" (failing
  // probes), "journal" (the writer stopped or its disk is full) or "tracker" (behind).
  std::string lagging_stage;
  std::string lagging_reason;  // for a human: the stage's last error, or its figures
};

class CompletenessSource {
 public:
  virtual ~CompletenessSource() = default;
  // The watermark now. Call it BEFORE reading the store for a report: whatever is committed
  // at that moment is then in the report, so a bucket marked complete is exact.
  virtual Completeness Now() const = 0;
};

}  // namespace ct
