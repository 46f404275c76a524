// The fixture of the distributed-mode fault tests: a throwaway PostgreSQL, a 3-node JetStream
// cluster, an account, the api, `trackers` trackers and one edge as separate `clicktrail`
// processes, and a link "sale" that the edge redirects. Helpers drive load and wait for exact
// counts, every wait bounded.
#pragma once

#include <gtest/gtest.h>

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

class DistributedFixture : public ::testing::Test {
 public:
  // Sends GETs to the edge for `d`, one per `pace`; counts the 302s (returned) and anything
  // else (`failures`).
  static int ClickFor(ServerHarness* edge, std::chrono::milliseconds d, int* failures,
                      std::chrono::milliseconds pace = std::chrono::milliseconds(2)) {
    HttpClient c(edge->port(), std::chrono::seconds(2));
    int answered = 0;
    auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end) {
      if (c.Request("GET", "/sale").status == 302) {
        ++answered;
      } else {
        ++*failures;
      }
      std::this_thread::sleep_for(pace);
    }
    return answered;
  }

  static bool WaitStatus(ServerHarness* s, const std::string& path, int want,
                         std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      HttpClient c(s->port(), std::chrono::seconds(2));
      if (c.Request("HEAD", path).status == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

 protected:
  // `extra_config`: more `key = value` lines; `trackers`: how many to start.
  void SetUpCluster(const std::string& extra_config, int trackers) {
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
      << extra_config;
    f.close();
    auto r = RunCommand({ClicktrailBin(), "account", "create", "acme", "--config", config_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    key_ = r.out.substr(0, r.out.find('\n'));
    api_ = Start("api", "api-1");
    for (int i = 0; i < trackers; ++i) trackers_.push_back(Start("tracker"));
    edge_ = Start("edge", "edge-1");
    ASSERT_FALSE(HasFailure());
    link_ = CreateLinkPath(api_->port(), key_, "sale");
    ASSERT_FALSE(link_.empty());
    ASSERT_TRUE(WaitStatus(edge_, "/sale", 302, std::chrono::seconds(20))) << edge_->Log();
  }

  ServerHarness* Start(const std::string& role, const std::string& id = "") {
    std::vector<std::string> extra;
    if (!id.empty()) extra = {"--set", "edge.id=" + id};
    roles_.push_back(ServerHarness::Role(role, config_, extra));
    EXPECT_TRUE(roles_.back()->Start(std::chrono::seconds(30))) << role << ":\n"
                                                                << roles_.back()->Log();
    return roles_.back().get();
  }

  int64_t Total() { return LinkTotal(api_->port(), key_, link_); }

  // Polls the link's total until it equals `want` or `timeout` passes; the last total seen.
  int64_t WaitTotal(int64_t want, std::chrono::milliseconds timeout) {
    int64_t total = -1;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      total = Total();
      if (total == want) return total;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return total;
  }

  // The logs of every role, for a failure message.
  std::string Logs() const {
    std::string out;
    for (const auto& r : roles_) out += r->Log() + "\n----\n";
    return out;
  }

  TempDir dir_;
  std::unique_ptr<PgCluster> pg_;
  std::unique_ptr<NatsCluster> nats_;
  std::string config_;
  std::string key_;
  std::string link_;
  std::vector<std::unique_ptr<ServerHarness>> roles_;
  ServerHarness* api_ = nullptr;
  std::vector<ServerHarness*> trackers_;
  ServerHarness* edge_ = nullptr;
};

}  // namespace ct::test
