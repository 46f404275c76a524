#include "testutil/reconcile.h"

#include <cstdio>

#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/process.h"
#include "testutil/server.h"

namespace ct::test {

ReconcileRun RunReconcile(const std::string& data_dir, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {ClicktrailBin(), "reconcile", "--data", data_dir};
  argv.insert(argv.end(), extra.begin(), extra.end());
  CommandResult r = RunCommand(argv);
  ReconcileRun run;
  run.exit_code = r.exit_code;
  run.out = r.out + r.err;
  size_t at = r.out.rfind(" hour(s): ");
  if (at != std::string::npos) {
    size_t line = r.out.rfind('\n', at);
    line = line == std::string::npos ? 0 : line + 1;
    std::sscanf(r.out.c_str() + line, "%d hour(s): %d ok, %d in flight, %d mismatch", &run.hours,
                &run.ok, &run.in_flight, &run.mismatch);
  }
  return run;
}

ReconcileTotals FetchReconciliation(uint16_t port, const std::string& key) {
  ReconcileTotals t;
  auto r = ApiCall(port, "GET", "/api/v1/reconciliation", key);
  t.status = r.status;
  t.body = r.body;
  auto v = ParseJson(r.body);
  if (!v.is_object()) return t;
  const auto* summary = v.as_object().if_contains("summary");
  if (summary != nullptr) {
    t.ok = JsonInt(*summary, "ok");
    t.in_flight = JsonInt(*summary, "in_flight");
    t.mismatch = JsonInt(*summary, "mismatch");
  }
  const auto* hours = v.as_object().if_contains("hours");
  if (hours == nullptr || !hours->is_array()) return t;
  for (const auto& h : hours->as_array()) {
    t.answered += JsonInt(h, "answered");
    t.journaled += JsonInt(h, "journaled");
    t.committed += JsonInt(h, "committed");
    t.duplicates += JsonInt(h, "duplicates");
    t.dead_lettered += JsonInt(h, "dead_lettered");
    t.corrupted += JsonInt(h, "corrupted");
  }
  return t;
}

}  // namespace ct::test
