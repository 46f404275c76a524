// Honest reports in distributed mode (api/edge_completeness.h): a report's complete_until
// follows the slowest edge's committed heartbeat. A frozen edge (SIGSTOP: its journal, shipper
// and heartbeats stop) holds the reports back and is named as lagging; once it has committed
// nothing for edge.stale_after_s while the others did, it is no longer waited for; a cleanly
// stopped edge never holds them back.
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>

#include "common/time_format.h"
#include "distributed_fixture.h"
#include "testutil/json.h"

namespace ct::test {
namespace {

using std::chrono::seconds;

class DistributedCompletenessTest : public DistributedFixture {
 protected:
  void SetUp() override { SetUpCluster("edge.stale_after_s = 20\n", 1); }
  void TearDown() override {
    if (frozen_ > 0) kill(frozen_, SIGCONT);
  }

  struct Report {
    double behind_s = 1e9;  // now - complete_until
    bool incomplete = true;
    std::string lagging_stage;
    std::string lagging_reason;
  };
  Report Read() {
    Report r;
    const auto body = ParseJson(ApiCall(api_->port(), "GET", link_ + "/stats", key_).body);
    Result<int64_t> until = ParseIso8601(JsonStr(body, "complete_until"));
    if (!until.ok()) return r;
    const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    r.behind_s = static_cast<double>(now - *until) / 1e6;
    r.incomplete = body.as_object().at("incomplete").as_bool();
    if (body.as_object().contains("lagging_stage")) {
      r.lagging_stage = JsonStr(body, "lagging_stage");
      r.lagging_reason = JsonStr(body, "lagging_reason");
    }
    return r;
  }
  // Polls until `ok(report)`, for at most `timeout`; the last report.
  template <typename Pred>
  Report WaitFor(Pred ok, seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    Report r = Read();
    while (!ok(r) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      r = Read();
    }
    return r;
  }

  pid_t frozen_ = -1;
};

TEST_F(DistributedCompletenessTest, FollowsTheSlowestEdgeUntilItIsStaleAndIgnoresAStoppedOne) {
  int failures = 0;
  const int answered = ClickFor(edge_, seconds(1), &failures);
  ASSERT_EQ(WaitTotal(answered, seconds(60)), answered) << Logs();
  // Idle edges heartbeat every second: the reports are complete to a few seconds ago.
  Report r = WaitFor([](const Report& x) { return x.behind_s < 5; }, seconds(30));
  EXPECT_LT(r.behind_s, 5) << Logs();
  EXPECT_EQ(r.lagging_stage, "");

  // The edge freezes: the reports stop at its last committed heartbeat and name it.
  frozen_ = edge_->pid();
  ASSERT_EQ(kill(frozen_, SIGSTOP), 0);
  r = WaitFor([](const Report& x) { return x.behind_s > 8; }, seconds(30));
  EXPECT_GT(r.behind_s, 8);
  EXPECT_TRUE(r.incomplete);
  EXPECT_EQ(r.lagging_stage, "pipeline");
  EXPECT_NE(r.lagging_reason.find("edge edge-1"), std::string::npos) << r.lagging_reason;

  // 20 s without a commit while the api's own journal kept committing: no longer waited for.
  r = WaitFor([](const Report& x) { return x.behind_s < 5; }, seconds(60));
  EXPECT_LT(r.behind_s, 5) << Logs();
  EXPECT_NE(api_->Log().find("edge edge-1 has committed nothing for 20 s"), std::string::npos)
      << api_->Log();

  // Thawed, it is waited for again (its heartbeats move its watermark); then it stops cleanly:
  // its final tally says it journals nothing more, and the reports stay current without it
  // (waiting for it would put them 8 s behind, the stale time being 20 s).
  ASSERT_EQ(kill(frozen_, SIGCONT), 0);
  frozen_ = -1;
  r = WaitFor([](const Report& x) { return x.behind_s < 5; }, seconds(30));
  EXPECT_LT(r.behind_s, 5) << Logs();
  EXPECT_EQ(edge_->Terminate(), 0);
  EXPECT_EQ(WaitTotal(answered, seconds(10)), answered);
  std::this_thread::sleep_for(seconds(8));
  r = WaitFor([](const Report& x) { return x.behind_s < 5; }, seconds(30));
  EXPECT_LT(r.behind_s, 5) << Logs();
  EXPECT_EQ(r.lagging_stage, "");
}

}  // namespace
}  // namespace ct::test
