// The journal's on-disk format, all of it (docs/journal-format.md has the grammar).
//
// A journal is a directory of segment files named by their base position, 20 decimal digits:
//   00000000000000000000.seg, 00000000000067108888.seg, ...
// A *position* is base + byte offset inside that segment file. Positions only grow; the next
// segment's base is at least the previous segment's end, so positions are increasing but not
// contiguous across segments.
//
// segment  := segment_header record* zero_fill?
// segment_header (24 bytes) := "CTJSEG01" | u64 base | u32 masked_crc32c(first 16 bytes) | u32 0
// record   := header(12 bytes) payload(length bytes)
// header   := u16 magic 0x4354 ("CT" little endian: 'T','C') | u8 type | u8 flags |
//             u32 length | u32 masked_crc32c(type, flags, length, payload)
// All integers little endian. The CRC is CRC-32C, masked (common/crc32c.h).
//
// Types: 0 is reserved and never written, so a zero header (preallocated, never-written space)
// is the end of the data. 1 = event (common/event.h). Unknown types whose flags have
// kFlagSafeToIgnore are skipped by readers; other unknown types are errors.
//
// Reader rules (each a named test in tests/unit/journal):
//  - the length is trusted only once the CRC over it matches;
//  - in the last segment, an invalid record after which nothing valid can be resynced is a
//    torn tail: truncated, the bytes dropped logged and counted;
//  - an invalid record followed by valid ones (resync: next magic + sane length + good CRC) is
//    corruption: the segment is quarantined, the records after the resync point are kept, and
//    the bytes and records lost are counted and reported.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ct::journal {

inline constexpr char kSegmentMagic[8] = {'C', 'T', 'J', 'S', 'E', 'G', '0', '1'};
inline constexpr size_t kSegmentHeaderSize = 24;
inline constexpr char kSegmentSuffix[] = ".seg";

inline constexpr uint16_t kRecordMagic = 0x4354;
inline constexpr size_t kRecordHeaderSize = 12;
// Events are at most a few KiB (common/event.h caps each field); anything claiming more than
// this is garbage, so a corrupt length cannot make a reader allocate or skip gigabytes.
inline constexpr uint32_t kMaxRecordPayload = 64 * 1024;

enum class RecordType : uint8_t {
  kReserved = 0,
  kEvent = 1,
  kTally = 2,
};
inline constexpr uint8_t kFlagSafeToIgnore = 0x01;

// Appends one framed record to `dst`. `payload.size()` must be <= kMaxRecordPayload.
void AppendRecord(std::string* dst, RecordType type, std::string_view payload, uint8_t flags = 0);
// The number of records in `framed`, a buffer built by AppendRecord (lengths are trusted: the
// buffer never left this process). A trailing partial record is not counted.
size_t CountFramedRecords(std::string_view framed);
// The smallest event time (common/event.h PeekEventTime) among the event records of `framed`
// (same trust as CountFramedRecords); INT64_MAX when none carries one.
int64_t MinFramedEventTime(std::string_view framed);
// Bytes AppendRecord adds for a payload of `n` bytes.
inline constexpr size_t FramedSize(size_t n) { return kRecordHeaderSize + n; }

// The 24-byte header of the segment starting at `base`.
std::string SegmentHeader(uint64_t base);
// Validates a segment header; returns its base, or false if the bytes are not a valid header.
bool ParseSegmentHeader(std::string_view bytes, uint64_t* base);
// "00000000000000001234.seg"
std::string SegmentFileName(uint64_t base);
// Parses a segment file name; false if `name` is not one.
bool ParseSegmentFileName(std::string_view name, uint64_t* base);

enum class FrameCheck {
  kOk,         // a complete, valid record
  kZero,       // a zero header: end of the written data (preallocated space)
  kTruncated,  // fewer bytes than the header or the length needs
  kBad,        // wrong magic, length over the limit, or CRC mismatch
};
struct Frame {
  RecordType type = RecordType::kReserved;
  uint8_t flags = 0;
  std::string_view payload;
  size_t size = 0;  // header + payload
};
// Checks the record at the start of `bytes`. On kOk fills `frame` (payload points into bytes).
FrameCheck CheckFrame(std::string_view bytes, Frame* frame);

}  // namespace ct::journal
