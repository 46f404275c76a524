// CheckJournal: `clicktrail journal check`. Reads every segment of a journal directory and
// reports what the reader rules would find, without modifying anything (safe on a live journal;
// the active segment's unsynced tail may then show as a torn tail).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "journal/file_env.h"
#include "journal/segment_scan.h"

namespace ct::journal {

struct SegmentCheck {
  std::string file;
  uint64_t base = 0;
  bool header_ok = false;
  uint64_t valid_records = 0;
  uint64_t valid_bytes = 0;
  uint64_t end_position = 0;  // just past the last valid record
  uint64_t torn_tail_bytes = 0;
  std::vector<CorruptRegion> corrupt;
  uint64_t records_lost = 0;
};

struct CheckReport {
  std::vector<SegmentCheck> segments;
  uint64_t total_records = 0;
  uint64_t total_bytes = 0;
  uint64_t total_torn_tail_bytes = 0;
  uint64_t total_corrupt_bytes = 0;
  uint64_t total_records_lost = 0;
  uint64_t bad_headers = 0;
  // No corruption and no bad header. A torn tail alone is not unclean: it is the expected
  // result of a crash, repaired at the next open.
  bool clean() const { return total_corrupt_bytes == 0 && bad_headers == 0; }
};

Result<CheckReport> CheckJournal(const std::string& dir, FileEnv* env);

// One line per segment and a summary line.
std::string FormatCheckReport(const CheckReport& report);

}  // namespace ct::journal
