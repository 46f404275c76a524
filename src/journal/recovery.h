// RecoverJournal: what JournalWriter::Open does to the directory before writing (one thread,
// before anything else touches the journal).
//
// Only the LAST segment is repaired; sealed segments are never modified (the reader resyncs
// over their damage and quarantines them):
//  - invalid segment header: the file is moved into quarantine/, logged and counted, and the
//    previous segment becomes the last one considered;
//  - torn tail (non-zero bytes after the last valid record that do not resync): the file is
//    truncated just after the last valid record, fsynced, and the bytes are logged and counted;
//  - corruption (a bad frame followed by valid ones): left in place for the reader, logged;
//  - a zero-filled (preallocated) tail is a clean end.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "journal/file_env.h"
#include "journal/journal_metrics.h"

namespace ct::journal {

struct RecoveryResult {
  // The smallest base the next segment may have: past every byte of every remaining segment.
  uint64_t next_base = 0;
  uint64_t torn_tail_bytes = 0;
  bool corruption_found = false;
  int quarantined = 0;
};

Result<RecoveryResult> RecoverJournal(const std::string& dir, FileEnv* env,
                                      JournalMetrics* metrics);

}  // namespace ct::journal
