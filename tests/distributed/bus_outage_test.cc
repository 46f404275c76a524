// Distributed mode with the bus failing (RELIABILITY fault matrix, issue 6): one JetStream node
// killed under load and brought back; every node down for longer than JetStream's dedup window,
// once stopped cleanly and once with kill -9 (the stream loses its unsynced tail). Redirects keep
// answering, edges journal locally and re-ship from the store's committed watermark, and the
// counts end exact: nothing lost, nothing counted twice.
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

class BusOutageTest : public ::testing::Test {
 public:
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
      // A short dedup window, so the outages below outlast it (the store's dedup must hold),
      // and a short re-ship delay, so the lost tail is re-shipped within the test.
      << "nats.duplicate_window_s = 5\n"
      << "edge.reship_after_s = 5\n";
    f.close();
    auto r = RunCommand({ClicktrailBin(), "account", "create", "acme", "--config", config_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    key_ = r.out.substr(0, r.out.find('\n'));
    api_ = Start("api", "api-1");
    tracker_ = Start("tracker");
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
  ServerHarness* edge_ = nullptr;
};

TEST_F(BusOutageTest, OneNodeKilledUnderLoadAndBroughtBack) {
  int failures = 0;
  int answered = ClickFor(edge_, seconds(2), &failures);
  nats_->Kill9(0);
  answered += ClickFor(edge_, seconds(5), &failures);
  nats_->Start(0);
  answered += ClickFor(edge_, seconds(2), &failures);
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(WaitTotal(answered, seconds(120)), answered) << edge_->Log() << tracker_->Log();
}

// Every node down for longer than the dedup window; `kill9`: without a clean shutdown, so the
// nodes lose what they had not fsynced and the edge must re-ship it from the watermark.
void AllNodesDown(NatsCluster* nats, ServerHarness* edge, bool kill9, int* answered,
                  int* failures) {
  *answered += BusOutageTest::ClickFor(edge, seconds(2), failures);
  if (kill9) {
    for (int i = 0; i < NatsCluster::kNodes; ++i) nats->Kill9(i);
  } else {
    nats->StopAll();
  }
  *answered += BusOutageTest::ClickFor(edge, seconds(8), failures);  // past the 5 s window
  nats->StartAll();
  EXPECT_TRUE(nats->WaitAllHealthy(seconds(60)));
  *answered += BusOutageTest::ClickFor(edge, seconds(2), failures);
}

TEST_F(BusOutageTest, AllNodesStoppedLongerThanTheDedupWindow) {
  int answered = 0, failures = 0;
  AllNodesDown(nats_.get(), edge_, false, &answered, &failures);
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(WaitTotal(answered, seconds(120)), answered) << edge_->Log() << tracker_->Log();
}

TEST_F(BusOutageTest, AllNodesKilledLoseTheirTailAndTheEdgeReships) {
  int answered = 0, failures = 0;
  AllNodesDown(nats_.get(), edge_, true, &answered, &failures);
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(WaitTotal(answered, seconds(120)), answered) << edge_->Log() << tracker_->Log();
  std::this_thread::sleep_for(seconds(3));
  EXPECT_EQ(LinkTotal(api_->port(), key_, link_), answered);  // re-shipping doubled nothing
}

}  // namespace
}  // namespace ct::test
