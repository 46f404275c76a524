#include "journal/recovery.h"

#include <algorithm>

#include "common/log.h"
#include "journal/format.h"
#include "journal/segment_files.h"
#include "journal/segment_scan.h"

namespace ct::journal {
namespace {

const Logger& Log() {
  static const Logger log("journal");
  return log;
}

// Truncates `path` to `size` and makes that durable.
Status TruncateDurably(FileEnv* env, const std::string& path, uint64_t size) {
  auto f = env->OpenWritableFile(path);
  if (!f.ok()) return f.status();
  CT_RETURN_IF_ERROR((*f)->Truncate(size));
  CT_RETURN_IF_ERROR((*f)->Sync());
  return (*f)->Close();
}

}  // namespace

Result<RecoveryResult> RecoverJournal(const std::string& dir, FileEnv* env,
                                      JournalMetrics* metrics) {
  RecoveryResult result;
  auto bases = ListSegments(env, dir);
  if (!bases.ok()) return bases.status();
  while (!bases->empty()) {
    uint64_t base = bases->back();
    std::string path = SegmentPath(dir, base);
    std::string bytes;
    CT_RETURN_IF_ERROR(env->ReadFileToString(path, &bytes));
    // Whatever happens below, later positions must stay above every byte this file may hold.
    result.next_base = std::max(result.next_base, base + kSegmentHeaderSize);
    SegmentScan scan = ScanSegment(bytes);
    if (!scan.header_ok || scan.base != base) {
      // Without a valid header nothing in the file can be placed in the position space, so it
      // leaves the segment list (moved, not deleted: it is evidence).
      Log().Error("journal segment {} has an invalid header ({} bytes); quarantined", path,
                  bytes.size());
      CT_RETURN_IF_ERROR(QuarantineSegment(env, dir, base, QuarantineMode::kMove));
      metrics->quarantined_segments->Inc();
      ++result.quarantined;
      result.next_base = std::max(result.next_base, base + bytes.size());
      bases->pop_back();
      continue;
    }
    if (!scan.corrupt.empty()) {
      // Not a crash artefact: valid records follow the damage. Truncating would throw them
      // away (the NATS failure mode), so the reader resyncs, quarantines and counts instead.
      result.corruption_found = true;
      Log().Error(
          "journal segment {} has {} corrupt region(s), first at offset {}; left for "
          "the reader to resync and quarantine",
          path, scan.corrupt.size(), scan.corrupt.front().offset);
    }
    if (scan.torn_tail_bytes > 0) {
      // A write cut short by a crash: nothing after it checks, so it was never acknowledged
      // as durable. Dropping it is the correct repair, and it is counted.
      CT_RETURN_IF_ERROR(TruncateDurably(env, path, scan.end_offset));
      metrics->torn_tail_bytes->Inc(scan.torn_tail_bytes);
      result.torn_tail_bytes = scan.torn_tail_bytes;
      Log().Warn("journal segment {}: torn tail of {} bytes after offset {} truncated", path,
                 scan.torn_tail_bytes, scan.end_offset);
    }
    result.next_base = std::max(result.next_base, base + scan.end_offset);
    break;
  }
  return result;
}

}  // namespace ct::journal
