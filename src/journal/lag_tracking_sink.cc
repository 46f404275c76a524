#include "journal/lag_tracking_sink.h"

#include <utility>

#include "journal/format.h"

namespace ct::journal {

Result<uint64_t> LagTrackingSink::Append(std::string_view framed) {
  Result<uint64_t> end = inner_->Append(framed);
  // Only appended bytes are pending work; a failed append is counted by the edge as unrecorded.
  if (end.ok()) lag_->OnAppended(*end, CountFramedRecords(framed));
  return end;
}

void LagTrackingSink::WhenDurable(uint64_t position, std::function<void(const Status&)> done) {
  inner_->WhenDurable(position, std::move(done));
}

uint64_t LagTrackingSink::DurablePosition() const { return inner_->DurablePosition(); }

}  // namespace ct::journal
