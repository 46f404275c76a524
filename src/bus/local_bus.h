// LocalBus: the embedded bus — the tracker reads the edge's journal in the same process.
// Only fsynced records are handed out (below the writer's DurablePosition), so whatever the
// tracker commits is also in the journal's durable copy; Ack() deletes consumed segments.
#pragma once

#include <condition_variable>
#include <mutex>

#include "bus/bus.h"
#include "journal/reader.h"
#include "journal/writer.h"

namespace ct {

class LocalBus : public Bus {
 public:
  // `writer` and `reader` must outlive the bus, and the writer must be closed before the bus
  // is destroyed (a registered WhenDurable callback points at it). One consumer thread.
  LocalBus(journal::JournalWriter* writer, journal::JournalReader* reader);

  Result<BusBatch> Fetch(uint64_t from, size_t max_records,
                         std::chrono::milliseconds wait) override;
  Status Ack(uint64_t position) override;
  uint64_t EndPosition() const override;

 private:
  // Most payload bytes handed out in one fetch (events are < 4 KiB; keeps a batch's memory
  // bounded whatever batch_max says).
  static constexpr size_t kMaxBatchBytes = 16 << 20;

  journal::JournalWriter* writer_;
  journal::JournalReader* reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t wakeups_ = 0;      // bumped by the writer's WhenDurable callbacks
  uint64_t waiting_for_ = 0;  // the position a callback is registered for (one at a time)
};

}  // namespace ct
