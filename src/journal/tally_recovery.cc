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
// damage exactly as the reader does, and `on_skip` (if given) with the bytes of each damaged
// region that a valid record follows (what the reader counts as lost; damage with nothing valid
// after it is a torn tail). Returns false if the header is invalid.
bool ForEachRecord(std::string_view bytes,
                   const std::function<void(size_t offset, const Frame&)>& fn,
                   const std::function<void(size_t offset, size_t skipped)>& on_skip = nullptr) {
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
    if (on_skip) on_skip(off, next - off);
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
  // Pass 2, forward from the last tally: count the events after it, once per id. Records lost
  // to damage were appended (and answered) too: they count, estimated as the reader estimates
  // them, in the hour of the event right after the damage, where the tracker counts the loss
  // (tracker.cc LossTime), so journaled = committed + corrupted holds for them as well.
  std::unordered_set<std::string> seen;
  uint64_t valid_bytes = 0, valid_records = 0, pending_lost = 0;
  for (size_t i = first; i < bases->size(); ++i) {
    if (i != first) {
      CT_RETURN_IF_ERROR(env->ReadFileToString(SegmentPath(dir, (*bases)[i]), &bytes));
    }
    const size_t from = i == first ? tally_offset + 1 : 0;
    ForEachRecord(
        bytes,
        [&](size_t offset, const Frame& f) {
          ++valid_records;
          valid_bytes += f.size;
          if (offset < from || f.type != RecordType::kEvent) return;
          if (f.payload.size() < kEventIdOffset + kEventIdBytes) return;
          const int64_t hour = HourStartMicros(EventPayloadTime(f.payload));
          out.events_by_hour[hour] += pending_lost;
          out.events += pending_lost;
          pending_lost = 0;
          if (!seen.emplace(f.payload.substr(kEventIdOffset, kEventIdBytes)).second) return;
          ++out.events_by_hour[hour];
          ++out.events;
        },
        [&](size_t offset, size_t skipped) {
          if (offset < from) return;  // before the last tally: it counted them
          pending_lost +=
              EstimateRecordsLost(skipped, valid_records == 0 ? 0 : valid_bytes / valid_records);
        });
  }
  return out;
}

}  // namespace ct::journal
