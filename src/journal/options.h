// JournalOptions: the writer's configuration, validated by config/ before it gets here.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ct::journal {

struct JournalOptions {
  // Directory holding the segment files (created if missing) and quarantine/.
  std::string dir;
  // Target size of a segment file. A segment is rotated before an append would take it past
  // this size (unless it is empty: one append is never split). Also the fallocate size.
  uint64_t segment_bytes = 64ull << 20;
  // Group commit: the sync thread fdatasyncs at most this long after the first unsynced write.
  // It is the power-loss exposure window of answers not waiting for WhenDurable.
  std::chrono::microseconds commit_delay{2000};
  // fallocate each new segment to segment_bytes, so that disk-full shows up when a segment is
  // created (rotation) rather than in the middle of a record, and so that fdatasync need not
  // update the file size. Never-written space reads as zeros, which mark the end of the data.
  bool preallocate = true;
};

}  // namespace ct::journal
