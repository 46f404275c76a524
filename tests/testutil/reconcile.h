// `clicktrail reconcile` and GET /api/v1/reconciliation for process-level tests: the fault
// tests assert through the reconciliation report after their fault (ISSUE 8).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ct::test {

struct ReconcileRun {
  int exit_code = -1;
  std::string out;                                         // the table, for failure messages
  int hours = -1, ok = -1, in_flight = -1, mismatch = -1;  // from the summary line
};
// Runs `clicktrail reconcile --data DIR [extra...]` and parses its summary line.
ReconcileRun RunReconcile(const std::string& data_dir, const std::vector<std::string>& extra = {});

// Column sums over every hour of GET /api/v1/reconciliation (operator key), and the summary.
struct ReconcileTotals {
  int status = 0;  // HTTP status
  int64_t answered = 0, journaled = 0, committed = 0, duplicates = 0, dead_lettered = 0,
          corrupted = 0;
  int64_t ok = 0, in_flight = 0, mismatch = 0;
  std::string body;
};
ReconcileTotals FetchReconciliation(uint16_t port, const std::string& key);

}  // namespace ct::test
