// ScanSegment: the one implementation of the reader rules over the bytes of a segment file,
// shared by writer recovery, the reader's resync and `clicktrail journal check`.
//
// The rules (docs/journal-format.md):
//  - a record's length is trusted only once CheckFrame says kOk (magic, length, CRC);
//  - at the first record that is not kOk (bad, truncated, or a zero header) we look for the
//    next offset where CheckFrame is kOk (resync, scanning byte by byte for the magic);
//  - if there is one, the bytes in between are a corrupt region and scanning continues there;
//  - if there is none, the data ends here: an all-zero rest is a clean end (preallocated
//    space), anything else is a torn tail of `torn_tail_bytes` (up to the last non-zero byte).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace ct::journal {

struct CorruptRegion {
  uint64_t offset = 0;  // in the file
  uint64_t length = 0;
};

struct SegmentScan {
  bool header_ok = false;
  uint64_t base = 0;             // from the header
  uint64_t records = 0;          // valid records
  uint64_t valid_bytes = 0;      // bytes of valid records
  uint64_t end_offset = 0;       // just past the last valid record (or the header)
  uint64_t torn_tail_bytes = 0;  // non-zero bytes after end_offset
  std::vector<CorruptRegion> corrupt;
  uint64_t records_lost = 0;  // estimate over the corrupt regions
};

// Scans a whole segment file held in `bytes`.
SegmentScan ScanSegment(std::string_view bytes);

// The first offset >= `from` in `bytes` where a complete, valid record starts, or npos.
size_t FindNextValidFrame(std::string_view bytes, size_t from);

// Estimate of the records lost in `corrupt_bytes`, given the average valid record size seen
// (0 if none seen): at least one per region.
uint64_t EstimateRecordsLost(uint64_t corrupt_bytes, uint64_t avg_record_bytes);

}  // namespace ct::journal
