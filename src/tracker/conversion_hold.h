// ConversionHold: a conversion that overtakes its click waits for it (distributed mode).
//
// A server-to-server conversion travels through the api's journal, its click through an edge's,
// so a tracker can see the conversion first (the edge's shipping is behind, or its messages are
// in another tracker's batch). Committed then, it would find no click and stay unattributed for
// good. A click id carries the time it was made (common/event.h EventIdTimeMicros), and every
// edge's committed-through time says up to when its events are in the store
// (store/edge_progress.h). So a conversion naming a click made at or after that horizon (less
// monitor/completeness.h kStampToAppend) is not committed yet: the tracker gives it back to the bus
// (nak with a delay) and its journal range stays uncommitted, so the edge keeps it. Once the
// horizon passes the click's time, the click is in the store if it exists, and the conversion is
// attributed as in embedded mode.
//
// The conversion's own journal is left out of the horizon: a click journaled there before it is
// in the same ordered stream (committed before it, or in its batch), and the held conversion
// itself keeps that journal's watermark, so counting it would wait on itself.
//
// Bounded: a conversion older than `max_hold` (its own time) is committed whatever the horizon
// (an edge far behind, a forged click id from the future): unattributed if the click still is
// not there, as before. Only conversions within seconds of their click wait, and only until
// the slowest edge's next heartbeat is committed (2-3 s on a healthy cluster). While one waits,
// its journal's watermark waits too: keep max_hold below edge.reship_after_s, or the journal
// is re-shipped (harmless: event-id dedup; only wasted work).
//
// The horizon is read from the store at most every `refresh`, only when a batch holds such a
// conversion; while the store does not answer the last horizon stands (the commit would fail
// anyway).
//
// Thread safety: one tracker thread. Ownership: borrows `store` and `clock`.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "store/store.h"

namespace ct {

struct ConversionHoldOptions {
  std::chrono::seconds max_hold{20};      // tracker.conversion_hold_s; 0: never hold
  std::chrono::seconds stale_after{600};  // edge.stale_after_s
  std::chrono::milliseconds refresh{250};
};

class ConversionHold {
 public:
  ConversionHold(ConversionHoldOptions options, Store* store, Clock* clock)
      : options_(options), store_(store), clock_(clock) {}

  // True when the journal record (its type and payload) of `edge`'s journal is a conversion
  // that must wait.
  bool Holds(const std::string& edge, uint8_t record_type, std::string_view payload);

 private:
  // The horizon of every edge but `own`.
  int64_t Horizon(const std::string& own, int64_t now_us);

  const ConversionHoldOptions options_;
  Store* const store_;
  Clock* const clock_;
  std::vector<EdgeProgress> edges_;
  std::chrono::steady_clock::time_point read_at_{};
  bool read_ = false;
};

}  // namespace ct
