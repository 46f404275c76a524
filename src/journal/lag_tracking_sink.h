// LagTrackingSink: an EventSink decorator that tells a LagTracker where the journal ends after
// each successful Append, so the pipeline's lag (monitor/lag_tracker.h) is measured from the
// moment a click is journaled. Everything else is forwarded unchanged.
//
// It lives in journal/ rather than monitor/ because it implements journal/event_sink.h, and
// monitor/ sits below journal/ in the module graph.
//
// Thread safety: as the wrapped sink (all methods thread-safe). Ownership: borrows `inner` and
// `lag`; both must outlive the decorator.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "journal/event_sink.h"
#include "monitor/lag_tracker.h"

namespace ct::journal {

class LagTrackingSink : public EventSink {
 public:
  LagTrackingSink(EventSink* inner, LagTracker* lag) : inner_(inner), lag_(lag) {}

  Result<uint64_t> Append(std::string_view framed) override;
  void WhenDurable(uint64_t position, std::function<void(const Status&)> done) override;
  uint64_t DurablePosition() const override;

 private:
  EventSink* const inner_;
  LagTracker* const lag_;
};

}  // namespace ct::journal
