// Rebuilder: `clicktrail rebuild` on a SQLite file — recomputes every derived table (rollups,
// account_rollups, dim_rollups, goal_rollups, visitor_days, and each hit's enrichment, unique
// flag and classifier version) from the raw hits and conversions of a range of whole UTC days,
// slice by slice (store/sqlite/rebuild_slice.h says why a slice is a link-day and why it is
// safe while the tracker commits), on a connection of its own, so `serve` keeps running.
//
// Order: day by day; within a day, its links in id order, then every account (or, with a link,
// the link's account), whose rows are the sum of its links'. Deterministic: the same raw rows
// and classifier give the same derived rows, whatever ran before.
//
// Checkpoint: the table rebuild_checkpoint holds the job (range, link, classifier version) and
// the last finished slice, updated in that slice's transaction. Start() resumes a job with the
// same range, link and classifier that did not finish; anything else (or `restart`) starts
// over. Interrupting between two Step()s loses nothing and redoes nothing.
//
// Retention: hits before hits_retained.since_us may have been deleted; a range starting before
// it (or whose conversions credit clicks before it) is refused with kFailedPrecondition naming
// the earliest hour that still has raw hits, since rebuilding it would zero real counts.
//
// Thread safety: none; one thread drives a Rebuilder.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/sqlite/db.h"
#include "store/sqlite/rebuild_slice.h"

namespace ct::sqlite {

struct RebuildOptions {
  std::string db_path;
  int64_t from_us = 0;  // widened down to a UTC midnight
  int64_t to_us = 0;    // widened up to a UTC midnight; exclusive
  int64_t link_id = 0;  // 0 = every link
  int64_t classifier = 0;
  Reclassifier reclassify;
  bool restart = false;  // ignore an unfinished job's checkpoint
  // A slice waits this long for the tracker's write lock (one tracker commit is milliseconds).
  std::chrono::milliseconds busy_timeout{30000};
  // Slices share a transaction until it has counted this many hits or run this many slices
  // (each bound keeps the write lock short); the phase or the day ending also ends it. One
  // transaction per link-day made a fsync (synchronous=FULL) per ~100 hits the bottleneck.
  int64_t txn_max_hits = 20000;
  int txn_max_slices = 500;
};

struct RebuildProgress {
  int64_t from_us = 0;  // the widened range
  int64_t to_us = 0;
  bool resumed = false;
  int64_t events_total = 0;  // raw hits in the range when the job (re)started
  int64_t events_done = 0;   // hits counted by the slices finished, over all runs of the job
  int64_t changed_hits = 0;  // this run: hits rewritten (reclassified, unique flag moved)
  int64_t slices_done = 0;   // this run
  int64_t day_us = 0;        // the day being worked on
};

class Rebuilder {
 public:
  // Opens the file (which must exist; it is migrated), checks the range against retention and
  // loads or writes the checkpoint. kInvalidArgument for an empty range, kFailedPrecondition
  // past retention, kNotFound without a database.
  [[nodiscard]] static Result<std::unique_ptr<Rebuilder>> Start(RebuildOptions options);

  // Runs the next slices (txn_max_*) in one write transaction with the checkpoint. true: more
  // to do; false: the job is finished (and marked so).
  [[nodiscard]] Result<bool> Step();
  const RebuildProgress& progress() const { return progress_; }

 private:
  Rebuilder(RebuildOptions options, std::unique_ptr<Db> db);
  [[nodiscard]] Status CheckRetention();
  [[nodiscard]] Status LoadOrCreateJob();
  [[nodiscard]] Status CountEvents();
  [[nodiscard]] Status PlanDay();
  [[nodiscard]] Status RunSlices(int phase, const std::vector<int64_t>& ids, size_t first);
  [[nodiscard]] Status Finish();

  RebuildOptions options_;
  std::unique_ptr<Db> db_;
  RebuildProgress progress_;
  // Cursor: the last finished slice of day_us (phase 0 links, 1 accounts; last_id 0 = none).
  int phase_ = 0;
  int64_t last_id_ = 0;
  int64_t planned_day_ = -1;
  std::vector<int64_t> day_links_;     // ascending
  std::vector<int64_t> day_accounts_;  // ascending
};

}  // namespace ct::sqlite
