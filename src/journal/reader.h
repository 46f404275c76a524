// JournalReader: a cursor over the journal's records, used by one thread (the tracker).
//
// Next() returns records in position order, never at or past `limit` (pass the writer's
// DurablePosition(), so only fsynced bytes are consumed even while the active segment grows).
// It crosses segments by base position: at the end of a segment's data it continues in the
// next segment. If the segment holding the position has been deleted, it continues at the
// first segment with a base >= the position.
//
// Reader rules (docs/journal-format.md): a length is trusted only once the CRC over it matches;
// unknown record types flagged kFlagSafeToIgnore are skipped, other unknown types are returned
// (the tracker dead-letters them); a bad frame followed by valid ones is corruption: the reader
// resyncs on the next valid frame, counts the bytes skipped and an estimate of the records
// lost, logs it, and hard-links the segment into <dir>/quarantine/ (the evidence outlives the
// segment's deletion after consumption). A bad frame followed by nothing valid is the end of
// that segment's data (a torn tail).
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "journal/file_env.h"
#include "journal/format.h"
#include "journal/journal_metrics.h"

namespace ct::journal {

struct ReadRecord {
  uint64_t position = 0;       // where the record starts
  uint64_t next_position = 0;  // just past it
  RecordType type = RecordType::kReserved;
  uint8_t flags = 0;
  std::string payload;
};

// Records lost to corruption the reader skipped (rule 3 of docs/journal-format.md): the estimate
// it counted, and where the skipped bytes began. The tracker commits them with the batch, so the
// reconciliation report counts each loss exactly once.
struct ReadLoss {
  uint64_t position = 0;
  uint64_t records = 0;
};

struct ReadBatch {
  std::vector<ReadRecord> records;
  std::vector<ReadLoss> losses;
  // The cursor after this batch: commit it with the batch's results, then pass it to Seek()
  // after a restart and to JournalWriter::ReleaseUpTo(). May be past the last record (in the
  // next segment) once a segment has been fully consumed.
  uint64_t next_position = 0;
};

class JournalReader {
 public:
  // `env` and `metrics` must outlive the reader. Not thread-safe: one thread per reader.
  JournalReader(std::string dir, FileEnv* env, MetricsRegistry* metrics);

  // Moves the cursor to `position` (a record boundary, usually a committed next_position).
  void Seek(uint64_t position);
  uint64_t position() const { return pos_; }

  // Up to `max_records` records (and about `max_bytes` of payload, at least one record) from
  // the cursor, below `limit`. An empty batch means nothing more is available yet.
  Result<ReadBatch> Next(uint64_t limit, size_t max_records, size_t max_bytes);

 private:
  // Opens the segment for pos_ (see the class comment); false if there is none yet.
  Result<bool> OpenSegment();
  // Moves to the first segment with a base above the current one; false if none.
  Result<bool> NextSegment();
  // At a frame that does not check: resync or end the segment. Returns false if the reader
  // must stop for now (end of the last segment).
  Result<bool> HandleBadFrame(uint64_t limit, std::vector<ReadLoss>* losses);
  void Quarantine();

  const std::string dir_;
  FileEnv* const env_;
  JournalMetrics metrics_;
  uint64_t pos_ = 0;
  std::unique_ptr<RandomAccessFile> file_;
  uint64_t seg_base_ = 0;
  std::string seg_path_;
  std::set<uint64_t> quarantined_;
  uint64_t seen_records_ = 0;  // for the records-lost estimate
  uint64_t seen_bytes_ = 0;
};

}  // namespace ct::journal
