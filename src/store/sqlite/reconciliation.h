// The reconciliation table (README "Reconciliation"): the tracker's commit adds the edges'
// tallies and its own per-hour counts here (ReconciliationDeltas), in the same transaction as
// the hits; QueryReconciliation reads it back for the API, the status page and the CLI.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "common/status.h"
#include "store/sqlite/db.h"
#include "store/store.h"

namespace ct::sqlite {

// What one commit adds, per (edge, hour start µs).
class ReconciliationDeltas {
 public:
  struct Row {
    int64_t answered = 0, journaled = 0, committed = 0, duplicates = 0, dead_lettered = 0,
            corrupted = 0;
  };
  Row& At(const std::string& edge, int64_t time_us) {
    return rows_[{edge, HourStartMicros(time_us)}];
  }
  // Applies each tally not applied before (by edge, run, seq) into these deltas and records
  // it in reconciliation_runs / reconciliation_edges.
  [[nodiscard]] Status AddTallies(Db* db, const CommitBatch& batch, int64_t now_us);
  // Upserts every row (adding to what is there).
  [[nodiscard]] Status Write(Db* db) const;

 private:
  std::map<std::pair<std::string, int64_t>, Row> rows_;
};

[[nodiscard]] Result<ReconciliationData> QueryReconciliation(Db* db, int64_t from_us,
                                                             int64_t to_us);

}  // namespace ct::sqlite
