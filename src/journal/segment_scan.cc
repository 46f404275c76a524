#include "journal/segment_scan.h"

#include <cstring>
#include <string>

#include "journal/format.h"

namespace ct::journal {

size_t FindNextValidFrame(std::string_view bytes, size_t from) {
  // The magic is 'T','C' on disk (0x4354 little endian). memchr skips zero-filled preallocated
  // space quickly, which matters when a 64 MiB segment ends in zeros.
  constexpr char kFirst = static_cast<char>(kRecordMagic & 0xff);
  size_t pos = from;
  while (pos + kRecordHeaderSize <= bytes.size()) {
    const void* hit = std::memchr(bytes.data() + pos, kFirst, bytes.size() - pos);
    if (hit == nullptr) return std::string_view::npos;
    pos = static_cast<size_t>(static_cast<const char*>(hit) - bytes.data());
    Frame f;
    if (CheckFrame(bytes.substr(pos), &f) == FrameCheck::kOk) return pos;
    ++pos;
  }
  return std::string_view::npos;
}

uint64_t EstimateRecordsLost(uint64_t corrupt_bytes, uint64_t avg_record_bytes) {
  if (corrupt_bytes == 0) return 0;
  if (avg_record_bytes == 0) return 1;
  // Rounded to the nearest: one damaged record a byte longer than the average is one record,
  // not two (the reconciliation report compares this estimate with the edge's own count).
  uint64_t n = (corrupt_bytes + avg_record_bytes / 2) / avg_record_bytes;
  return n == 0 ? 1 : n;
}

SegmentScan ScanSegment(std::string_view bytes) {
  SegmentScan scan;
  if (!ParseSegmentHeader(bytes, &scan.base)) return scan;
  scan.header_ok = true;
  size_t off = kSegmentHeaderSize;
  scan.end_offset = off;
  while (off < bytes.size()) {
    Frame f;
    if (CheckFrame(bytes.substr(off), &f) == FrameCheck::kOk) {
      ++scan.records;
      scan.valid_bytes += f.size;
      off += f.size;
      scan.end_offset = off;
      continue;
    }
    // Never trust the length of a frame that did not check: look for the next valid frame
    // from the very next byte, not from off + length.
    size_t next = FindNextValidFrame(bytes, off + 1);
    if (next == std::string_view::npos) break;
    scan.corrupt.push_back({off, next - off});
    off = next;
  }
  size_t last_nonzero = bytes.size();
  while (last_nonzero > scan.end_offset && bytes[last_nonzero - 1] == 0) --last_nonzero;
  scan.torn_tail_bytes = last_nonzero - scan.end_offset;
  uint64_t avg = scan.records == 0 ? 0 : scan.valid_bytes / scan.records;
  for (const CorruptRegion& r : scan.corrupt)
    scan.records_lost += EstimateRecordsLost(r.length, avg);
  return scan;
}

}  // namespace ct::journal
