// Bus: what the tracker consumes. Embedded mode reads the local journal in-process
// (bus/local_bus.h); distributed mode will read NATS JetStream. Positions are opaque, increasing
// numbers of the underlying log; the tracker stores the position after the last record it
// committed, in the same store transaction as the events (so it is exactly-once in effect).
//
// Thread safety: one consumer thread calls Fetch/Ack; Close may be called from another.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace ct {

struct BusRecord {
  uint64_t position = 0;       // where the record starts
  uint64_t next_position = 0;  // where the next one starts: the value to commit after it
  uint8_t type = 0;            // journal/format.h RecordType
  std::string payload;
};

// Records the log lost to corruption, found while reading this batch (counted by the reader):
// where the lost bytes began and the estimated number of records.
struct BusLoss {
  uint64_t position = 0;
  uint64_t records = 0;
  uint64_t end = 0;  // distributed mode: where the gap message's range ends (0: unknown)
};

struct BusBatch {
  std::vector<BusRecord> records;
  std::vector<BusLoss> losses;
  // Where the next fetch starts: the position to commit with this batch. It can move even
  // when `records` is empty (skipped corrupt bytes, the end of a segment).
  uint64_t next_position = 0;
};

class Bus {
 public:
  virtual ~Bus() = default;
  // Up to `max_records` records starting at `from` (or the first record after it, if the log
  // moved on), waiting at most `wait` for the first one. next_position == from when there is
  // nothing yet.
  virtual Result<BusBatch> Fetch(uint64_t from, size_t max_records,
                                 std::chrono::milliseconds wait) = 0;
  // Everything before `position` is committed to the store durably; the bus may drop it.
  virtual Status Ack(uint64_t position) = 0;
  // The position up to which records can be fetched right now (for draining and lag).
  virtual uint64_t EndPosition() const = 0;
};

}  // namespace ct
