// ScanUntallied: what a crash left untallied. Run at the edge's start (after JournalWriter::Open
// repaired the last segment, before anything is appended or released): finds the last tally
// record in the journal and counts, per UTC hour of their event time, the event records after
// it. The edge appends before it answers, so each of those was answered and journaled; the
// start's first (recovery) tally carries them (journal/tally_sink.h).
//
// Why "after the last tally" is complete: the tracker releases segments only up to its last
// committed tally record (tracker.h), so the segment holding the newest tally and every later
// one are still on disk. A journal without any tally (written before reconciliation existed, or
// never used) has nothing to recover.
//
// Reader rules as elsewhere: a frame counts only if its CRC checks; corrupt regions are skipped
// (the tracker's reader counts them); a record rewritten after an fsync failure can be on disk
// twice, so events are counted once per event id.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "common/status.h"
#include "journal/file_env.h"

namespace ct::journal {

struct UntalliedScan {
  bool found_tally = false;
  std::map<int64_t, uint64_t> events_by_hour;  // HourStartMicros -> event records
  uint64_t events = 0;
};

Result<UntalliedScan> ScanUntallied(const std::string& dir, FileEnv* env);

}  // namespace ct::journal
