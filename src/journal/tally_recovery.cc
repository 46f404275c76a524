#include "journal/tally_recovery.h"

#include <functional>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/tally.h"
#include "journal/format.h"
#include "journal/segment_files.h"
#include "journal/segment_scan.h"

namespace ct::journal {
namespace {

constexpr size_t kEventIdOffset = 2;  // u8 version | u8 kind | 16 bytes id (common/event.h)
constexpr size_t kEventIdBytes = 16;

// Calls `fn` for every valid record of a segment file's bytes, in order, resyncing over
// damage exactly as the reader does. Returns false if the header is invalid.
bool ForEachRecord(std::string_view bytes,
                   const std::function<void(size_t offset, const Frame&)>& fn) {
  uint64_t base = 0;
  if (!ParseSegmentHeader(bytes, &base)) return false;
  size_t off = kSegmentHeaderSize;
  while (off < bytes.size()) {
    Frame f;
    if (CheckFrame(bytes.substr(off), &f) == FrameCheck::kOk) {
      fn(off, f);
      off += f.size;
      continue;
    }
    size_t next = FindNextValidFrame(bytes, off + 1);
    if (next == std::string_view::npos) break;
    off = next;
  }
  return true;
}

}  // namespace

Result<UntalliedScan> ScanUntallied(const std::string& dir, FileEnv* env) {
  UntalliedScan out;
  auto bases = ListSegments(env, dir);
  if (!bases.ok()) return bases.status();
  // Pass 1, newest segment first: where is the last tally? Usually in the last segment (the
  // edge tallies every second), so this reads one file.
  size_t first = bases->size();
  size_t tally_offset = 0;
  std::string bytes;
  for (size_t i = bases->size(); i-- > 0;) {
    CT_RETURN_IF_ERROR(env->ReadFileToString(SegmentPath(dir, (*bases)[i]), &bytes));
    bool found = false;
    ForEachRecord(bytes, [&](size_t offset, const Frame& f) {
      if (f.type == RecordType::kTally) {
        found = true;
        tally_offset = offset;
      }
    });
    if (found) {
      first = i;
      break;
    }
  }
  if (first == bases->size()) return out;
  out.found_tally = true;
  // Pass 2, forward from the last tally: count the events after it, once per id.
  std::unordered_set<std::string> seen;
  for (size_t i = first; i < bases->size(); ++i) {
    if (i != first) {
      CT_RETURN_IF_ERROR(env->ReadFileToString(SegmentPath(dir, (*bases)[i]), &bytes));
    }
    const size_t from = i == first ? tally_offset + 1 : 0;
    ForEachRecord(bytes, [&](size_t offset, const Frame& f) {
      if (offset < from || f.type != RecordType::kEvent) return;
      if (f.payload.size() < kEventIdOffset + kEventIdBytes) return;
      if (!seen.emplace(f.payload.substr(kEventIdOffset, kEventIdBytes)).second) return;
      ++out.events_by_hour[HourStartMicros(EventPayloadTime(f.payload))];
      ++out.events;
    });
  }
  return out;
}

}  // namespace ct::journal
