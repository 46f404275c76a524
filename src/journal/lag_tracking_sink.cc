#include "journal/lag_tracking_sink.h"

#include <utility>

#include "journal/format.h"

namespace ct::journal {

Result<uint64_t> LagTrackingSink::Append(std::string_view framed) {
  // The records are pending from before their write starts (it may block on the disk) until the
  // tracker commits them: complete_until (monitor/completeness.h) never passes them meanwhile.
  const int64_t min_event_us = MinFramedEventTime(framed);
  lag_->BeginAppend(min_event_us);
  Result<uint64_t> end = inner_->Append(framed);
  // Only appended bytes are pending work; a failed append is counted by the edge as unrecorded.
  if (end.ok()) lag_->OnAppended(*end, CountFramedRecords(framed), min_event_us);
  lag_->EndAppend(min_event_us);
  return end;
}

void LagTrackingSink::WhenDurable(uint64_t position, std::function<void(const Status&)> done) {
  inner_->WhenDurable(position, std::move(done));
}

uint64_t LagTrackingSink::DurablePosition() const { return inner_->DurablePosition(); }

}  // namespace ct::journal
