// Reconciliation end to end (README "Reconciliation"): clicks, HEADs and pixel impressions on
// the real binary; GET /api/v1/reconciliation (operator scope) shows exact numbers that agree,
// `clicktrail reconcile` prints the same while serve runs and after it stopped, exits 0 when
// every hour reconciles, and refuses bad usage with 2.
#include <gtest/gtest.h>

#include <thread>

#include "testutil/api_helpers.h"
#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/reconcile.h"
#include "testutil/server.h"

namespace ct::test {
namespace {

constexpr int kClicks = 300, kHeads = 20, kImpressions = 120;
constexpr int64_t kRecords = kClicks + kHeads + kImpressions;

TEST(ReconciliationE2eTest, EveryHourReconcilesWithExactNumbers) {
  ServerHarness s;
  std::string operator_key = s.CreateAccount("operator");  // account 1: operator scope
  std::string tenant_key = s.CreateAccount("tenant");
  ASSERT_TRUE(s.Start()) << s.Log();
  ASSERT_FALSE(CreateLinkPath(s.port(), tenant_key, "go").empty());
  auto pixel = ApiCall(s.port(), "POST", "/api/v1/pixels", tenant_key, R"({"slug": "px"})");
  ASSERT_EQ(pixel.status, 201) << pixel.body;

  HttpClient c(s.port());
  for (int i = 0; i < kClicks; ++i) ASSERT_EQ(c.Request("GET", "/go").status, 302);
  for (int i = 0; i < kHeads; ++i) ASSERT_EQ(c.Request("HEAD", "/go").status, 302);
  for (int i = 0; i < kImpressions; ++i) ASSERT_EQ(c.Request("GET", "/p/px.gif").status, 200);
  // Requests that produce no record are not in the report.
  EXPECT_EQ(c.Request("GET", "/nope").status, 404);
  EXPECT_EQ(c.Request("GET", "/p/unknown.gif").status, 200);

  // A tenant key is refused: the figures are system-wide.
  EXPECT_EQ(ApiCall(s.port(), "GET", "/api/v1/reconciliation", tenant_key).status, 403);
  EXPECT_EQ(ApiCall(s.port(), "GET", "/api/v1/reconciliation?from=yesterday", operator_key).status,
            400);

  ReconcileTotals t;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    t = FetchReconciliation(s.port(), operator_key);
    if (t.status == 200 && t.answered == kRecords && t.committed == kRecords && t.ok >= 1 &&
        t.in_flight == 0) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(t.answered, kRecords) << t.body;
  EXPECT_EQ(t.journaled, kRecords) << t.body;
  EXPECT_EQ(t.committed, kRecords) << t.body;
  EXPECT_EQ(t.duplicates, 0);
  EXPECT_EQ(t.dead_lettered, 0);
  EXPECT_EQ(t.corrupted, 0);
  EXPECT_EQ(t.mismatch, 0) << t.body;
  EXPECT_EQ(t.in_flight, 0) << t.body;
  EXPECT_GE(t.ok, 1) << t.body;

  // The CLI reads the same store while serve runs (SQLite WAL).
  ReconcileRun live = RunReconcile(s.data_dir());
  EXPECT_EQ(live.exit_code, 0) << live.out;
  EXPECT_EQ(live.mismatch, 0) << live.out;

  // The status page shows the table.
  auto page = c.Request("GET", "/ui/status");
  EXPECT_NE(page.body.find("fetch(\"/api/v1/reconciliation\""), std::string::npos);

  // After a clean stop (the final tally) every hour is closed and ok.
  ASSERT_EQ(s.Terminate(), 0) << s.Log();
  ReconcileRun after = RunReconcile(s.data_dir(), {"--strict"});
  EXPECT_EQ(after.exit_code, 0) << after.out;
  EXPECT_GE(after.hours, 1) << after.out;
  EXPECT_EQ(after.ok, after.hours) << after.out;
  if (after.hours == 1) {  // not across an hour boundary: the one row holds every record
    EXPECT_NE(after.out.find(" " + std::to_string(kRecords) + " "), std::string::npos) << after.out;
  }
}

TEST(ReconciliationE2eTest, UsageErrorsExitTwo) {
  TempDir dir;
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {ClicktrailBin(), "reconcile"});
    return RunCommand(args);
  };
  auto help = run({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage: clicktrail reconcile"), std::string::npos);
  EXPECT_EQ(run({"--bogus"}).exit_code, 2);
  EXPECT_EQ(run({"--data", dir.path(), "--from", "not-a-time"}).exit_code, 2);
  EXPECT_EQ(run({"--data", dir.path(), "--strict=yes"}).exit_code, 2);
  EXPECT_EQ(run({"--data", dir.path(), "extra"}).exit_code, 2);
  // No store there: a run-time failure, not a clean bill.
  EXPECT_EQ(run({"--data", dir.path()}).exit_code, 1);
}

}  // namespace
}  // namespace ct::test
