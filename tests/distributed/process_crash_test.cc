// Distributed mode with its own processes killed (RELIABILITY fault matrix, issue 6): kill -9 of
// a tracker in the middle of its batches (its unacked messages go to the other tracker after
// the ack wait) and of an edge while it ships. After restarts every answered click is counted
// once; a click in flight when the edge died may count (it was journaled) but only once.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "testutil/api_helpers.h"
#include "testutil/http_client.h"
#include "testutil/nats_cluster.h"
#include "testutil/pg_cluster.h"
#include "testutil/process.h"
#include "testutil/server.h"
#include "testutil/temp_dir.h"

namespace ct::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class ProcessCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = std::make_unique<PgCluster>();
    ASSERT_FALSE(HasFatalFailure());
    nats_ = std::make_unique<NatsCluster>();
    config_ = dir_.Join("clicktrail.conf");
    std::ofstream f(config_);
    f << "postgres.url = \"" << pg_->conninfo() << "\"\n"
      << "postgres.statement_timeout_ms = 2000\n"
      << "postgres.tcp_user_timeout_ms = 2000\n"
      << "postgres.connect_timeout_s = 2\n"
      << "nats.servers = " << nats_->Servers() << "\n"
      << "edge.link_sync_ms = 100\n"
      << "tracker.batch_max = 50\n";
    f.close();
    auto r = RunCommand({ClicktrailBin(), "account", "create", "acme", "--config", config_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    key_ = r.out.substr(0, r.out.find('\n'));
    api_ = Start("api", "api-1");
    tracker_ = Start("tracker");
    second_tracker_ = Start("tracker");
    edge_ = Start("edge", "edge-1");
    ASSERT_FALSE(HasFailure());
    link_ = CreateLinkPath(api_->port(), key_, "sale");
    ASSERT_FALSE(link_.empty());
    ASSERT_TRUE(WaitStatus(edge_, "/sale", 302, seconds(20))) << edge_->Log();
  }

  ServerHarness* Start(const std::string& role, const std::string& id = "") {
    std::vector<std::string> extra;
    if (!id.empty()) extra = {"--set", "edge.id=" + id};
    roles_.push_back(std::make_unique<ServerHarness>(role, config_, extra));
    EXPECT_TRUE(roles_.back()->Start(seconds(30))) << role << ":\n" << roles_.back()->Log();
    return roles_.back().get();
  }

  static bool WaitStatus(ServerHarness* s, const std::string& path, int want,
                         std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      HttpClient c(s->port(), seconds(2));
      if (c.Request("HEAD", path).status == want) return true;
      std::this_thread::sleep_for(milliseconds(50));
    }
    return false;
  }

  // Sends GETs to the edge for `d`; every answer must be a 302 within the client's 2 s timeout.
  // Returns the number answered.
  static int ClickFor(ServerHarness* edge, std::chrono::milliseconds d, int* failures) {
    HttpClient c(edge->port(), seconds(2));
    int answered = 0;
    auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end) {
      auto r = c.Request("GET", "/sale");
      if (r.status == 302) {
        ++answered;
      } else {
        ++*failures;
      }
      std::this_thread::sleep_for(milliseconds(2));
    }
    return answered;
  }

  int64_t WaitTotal(int64_t want, std::chrono::milliseconds timeout) {
    int64_t total = -1;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      total = LinkTotal(api_->port(), key_, link_);
      if (total == want) return total;
      std::this_thread::sleep_for(milliseconds(250));
    }
    return total;
  }

  TempDir dir_;
  std::unique_ptr<PgCluster> pg_;
  std::unique_ptr<NatsCluster> nats_;
  std::string config_;
  std::string key_;
  std::string link_;
  std::vector<std::unique_ptr<ServerHarness>> roles_;
  ServerHarness* api_ = nullptr;
  ServerHarness* tracker_ = nullptr;
  ServerHarness* second_tracker_ = nullptr;
  ServerHarness* edge_ = nullptr;
};

TEST_F(ProcessCrashTest, TrackerKilledMidBatchLosesAndDoublesNothing) {
  int failures = 0;
  int answered = 0;
  std::thread load([&] { answered = ClickFor(edge_, seconds(6), &failures); });
  std::this_thread::sleep_for(seconds(2));
  tracker_->Kill9();
  std::this_thread::sleep_for(seconds(2));
  ASSERT_TRUE(tracker_->Start(seconds(30))) << tracker_->Log();
  load.join();
  EXPECT_EQ(failures, 0);
  // The killed tracker's unacked messages come back after the consumer's ack wait (30 s).
  EXPECT_EQ(WaitTotal(answered, seconds(120)), answered) << second_tracker_->Log();
  std::this_thread::sleep_for(seconds(3));
  EXPECT_EQ(LinkTotal(api_->port(), key_, link_), answered);
}

TEST_F(ProcessCrashTest, EdgeKilledWhileShippingLosesAndDoublesNothing) {
  int failures = 0;
  int answered = 0;
  std::thread load([&] { answered = ClickFor(edge_, seconds(4), &failures); });
  std::this_thread::sleep_for(seconds(2));
  edge_->Kill9();
  load.join();
  ASSERT_TRUE(edge_->Start(seconds(30))) << edge_->Log();
  int after = 0;
  answered += ClickFor(edge_, seconds(1), &after);
  EXPECT_EQ(after, 0);
  // Answered clicks were journaled (fsync before the 302); the one request in flight at the
  // kill may have been journaled without its answer.
  const int64_t total = WaitTotal(answered, seconds(60));
  EXPECT_GE(total, answered);
  EXPECT_LE(total, answered + 1);
  std::this_thread::sleep_for(seconds(3));
  EXPECT_EQ(LinkTotal(api_->port(), key_, link_), total);
}

}  // namespace
}  // namespace ct::test
