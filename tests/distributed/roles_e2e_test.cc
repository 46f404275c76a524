// Distributed mode end to end, every part real: a 3-node JetStream cluster (Debian nats-server)
// and a throwaway PostgreSQL (Debian postgresql-15), both on loopback, and the `clicktrail`
// binary running its roles as separate processes: 2 edges, 2 trackers, 1 notifier, 1 api.
// Clicks through both edges reach the api's report exactly once each. A server-to-server
// conversion posted to the api is committed by a tracker, credited to its click, reported and
// listed, and its postback delivered by the notifier. A malformed role config exits 2 with one
// line naming the key.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "testutil/api_helpers.h"
#include "testutil/http_client.h"
#include "testutil/http_receiver.h"
#include "testutil/json.h"
#include "testutil/nats_cluster.h"
#include "testutil/pg_cluster.h"
#include "testutil/process.h"
#include "testutil/server.h"
#include "testutil/temp_dir.h"

namespace ct::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class DistributedRolesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = std::make_unique<PgCluster>();
    ASSERT_FALSE(HasFatalFailure());
    nats_ = std::make_unique<NatsCluster>();
    config_ = dir_.Join("clicktrail.conf");
    std::ofstream f(config_);
    f << "# a distributed-mode config shared by every role of this test\n"
      << "postgres.url = \"" << pg_->conninfo() << "\"\n"
      << "postgres.statement_timeout_ms = 5000\n"
      << "nats.servers = " << nats_->Servers() << "\n"
      << "nats.replicas = 3\n"
      << "edge.link_sync_ms = 100\n"
      << "ui.secure_cookie = false\n";
    f.close();
    auto r = RunCommand({ClicktrailBin(), "account", "create", "acme", "--config", config_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    key_ = r.out.substr(0, r.out.find('\n'));
    ASSERT_FALSE(key_.empty());
  }

  // Starts `role` with edge.id `id` (empty: none) and `extra` arguments; waits until it is
  // ready.
  ServerHarness* StartRole(const std::string& role, const std::string& id = "",
                           std::vector<std::string> extra = {}) {
    if (!id.empty()) extra.insert(extra.end(), {"--set", "edge.id=" + id});
    roles_.push_back(ServerHarness::Role(role, config_, extra));
    ServerHarness* h = roles_.back().get();
    EXPECT_TRUE(h->Start(seconds(30))) << role << " " << id << ":\n" << h->Log();
    return h;
  }

  // Waits until `edge` redirects /slug (the link reached it from PostgreSQL).
  static bool WaitRedirects(ServerHarness* edge, const std::string& slug) {
    auto deadline = std::chrono::steady_clock::now() + seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      HttpClient c(edge->port());
      if (c.Request("HEAD", "/" + slug).status == 302) return true;
      std::this_thread::sleep_for(milliseconds(50));
    }
    return false;
  }

  // Polls the link's total through the api until it equals `want` (or 60 s pass); returns the
  // last total seen.
  int64_t WaitTotal(ServerHarness* api, const std::string& link, int64_t want) {
    int64_t total = -1;
    auto deadline = std::chrono::steady_clock::now() + seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      total = LinkTotal(api->port(), key_, link);
      if (total == want) return total;
      std::this_thread::sleep_for(milliseconds(200));
    }
    return total;
  }

  TempDir dir_;
  std::unique_ptr<PgCluster> pg_;
  std::unique_ptr<NatsCluster> nats_;
  std::string config_;
  std::string key_;
  std::vector<std::unique_ptr<ServerHarness>> roles_;
};

TEST_F(DistributedRolesTest, TwoEdgesTwoTrackersOneNotifierOneApiCountEveryClickOnce) {
  ServerHarness* api = StartRole("api", "api-1");
  ASSERT_FALSE(HasFailure());
  StartRole("tracker");
  StartRole("tracker");
  StartRole("notifier");
  ServerHarness* e1 = StartRole("edge", "edge-1");
  ServerHarness* e2 = StartRole("edge", "edge-2");
  ASSERT_FALSE(HasFailure());

  const std::string link = CreateLinkPath(api->port(), key_, "promo");
  ASSERT_FALSE(link.empty());
  ASSERT_TRUE(WaitRedirects(e1, "promo")) << e1->Log();
  ASSERT_TRUE(WaitRedirects(e2, "promo")) << e2->Log();

  // Both edges answer clicks; each 302 must be counted exactly once, whichever tracker takes it.
  // (The HEAD probes above are counted too: the edge journals HEADs as their own kind.)
  constexpr int kPerEdge = 300;
  int answered = 0;
  for (ServerHarness* e : {e1, e2}) {
    HttpClient c(e->port());
    for (int i = 0; i < kPerEdge; ++i) {
      auto r = c.Request("GET", "/promo");
      if (r.status == 302) ++answered;
    }
  }
  ASSERT_EQ(answered, 2 * kPerEdge);
  EXPECT_EQ(WaitTotal(api, link, answered), answered) << "edge-1:\n"
                                                      << e1->Log() << "\nedge-2:\n"
                                                      << e2->Log();
  // Nothing arrives twice later (a redelivery, a second tracker): still exact after a while.
  std::this_thread::sleep_for(seconds(3));
  EXPECT_EQ(LinkTotal(api->port(), key_, link), answered);

  // Every role stops cleanly on SIGTERM.
  for (auto& r : roles_) EXPECT_EQ(r->Terminate(seconds(30)), 0) << r->Log();
}

TEST_F(DistributedRolesTest, ServerToServerConversionIsCommittedReportedListedAndPosted) {
  HttpReceiver receiver;
  ServerHarness* api = StartRole("api", "api-1");
  ASSERT_FALSE(HasFailure());
  StartRole("tracker");
  // The receiver is on loopback, which postbacks refuse unless allowed.
  StartRole("notifier", "",
            {"--set", "postbacks.allow_addresses=127.0.0.1", "--set", "postbacks.allowed_ports=*"});
  ServerHarness* edge = StartRole("edge", "edge-1");
  ASSERT_FALSE(HasFailure());
  // The goal and the postback as their CRUD writes them (plain SQL: this test is about the
  // conversion's path); the goal reaches the api through the change feed, like a link.
  const std::string goal_id = pg_->Psql(
      "WITH v AS (UPDATE change_version SET v = v + 1 RETURNING v) INSERT INTO goals (account_id, "
      "key, name, default_value_micros, currency, window_seconds, counting, attribution, "
      "created_at, updated_at, version) SELECT 1, 'SALExxxxxxxxxxxx', 'sale', 0, 'USD', 86400, "
      "0, 0, 0, 0, v.v FROM v RETURNING id");
  ASSERT_EQ(std::atoll(goal_id.c_str()), 1) << goal_id;
  pg_->Psql(
      "INSERT INTO postbacks (account_id, name, url_template, method, events, goal_ids, "
      "attributed_only, secret, created_at, updated_at) VALUES (1, 'hook', '" +
      receiver.Url("/pb") +
      "?cid={click_id}&value={value}&oid={order_id}', 'GET', 1, '[]', true, "
      "'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0', 0, 0)");

  const std::string link =
      CreateLinkPath(api->port(), key_, "spring", "https://shop.example/land?cid={click_id}");
  ASSERT_FALSE(link.empty());
  ASSERT_TRUE(WaitRedirects(edge, "spring")) << edge->Log();
  HttpClient browser(edge->port());
  HttpResponse click = browser.Request("GET", "/spring");
  ASSERT_EQ(click.status, 302);
  const std::string location = click.Header("location");
  const std::string cid = location.substr(location.find("cid=") + 4);
  ASSERT_EQ(cid.size(), 22u) << location;

  // The click is committed first: a conversion reaches the trackers by another path (the
  // api's journal) and is credited only to a click committed before it (see the report: a
  // conversion overtaking its click's shipping is not yet held back for it).
  ASSERT_EQ(WaitTotal(api, link, 1), 1) << edge->Log();
  // Posted twice with one order id (a retrying shop): counted once. The api knows the goal once
  // its change feed has it (404 until then).
  const std::string body =
      R"({"goal": 1, "click_id": ")" + cid + R"(", "value": "12.5", "order_id": "A-1"})";
  int status = 0;
  for (auto deadline = std::chrono::steady_clock::now() + seconds(20);
       std::chrono::steady_clock::now() < deadline;) {
    status = ApiCall(api->port(), "POST", "/api/v1/conversions", key_, body).status;
    if (status == 202) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_EQ(status, 202);
  ASSERT_EQ(ApiCall(api->port(), "POST", "/api/v1/conversions", key_, body).status, 202);

  // The link's report: one conversion of 12.5, credited to the click. (The account's report,
  // GET /api/v1/stats, also lists top links, not yet served on PostgreSQL: its conversions are
  // read from account_rollups directly.)
  boost::json::value per_link;
  for (auto deadline = std::chrono::steady_clock::now() + seconds(60);
       std::chrono::steady_clock::now() < deadline;) {
    per_link = ParseJson(ApiCall(api->port(), "GET", link + "/stats", key_).body);
    if (JsonInt(per_link, "conversions") >= 1) break;
    std::this_thread::sleep_for(milliseconds(200));
  }
  EXPECT_EQ(JsonInt(per_link, "conversions"), 1) << boost::json::serialize(per_link);
  EXPECT_EQ(JsonStr(per_link, "value"), "12.5");
  EXPECT_EQ(JsonInt(per_link, "total"), 1);
  EXPECT_EQ(pg_->Psql("SELECT conversions || '/' || value_micros FROM account_rollups WHERE "
                      "account_id = 1 AND granularity = 86400"),
            "1/12500000\n");

  // The list: both, the second a duplicate of the order (wait for the second's commit too).
  boost::json::value list;
  for (auto deadline = std::chrono::steady_clock::now() + seconds(30);
       std::chrono::steady_clock::now() < deadline;) {
    list = ParseJson(ApiCall(api->port(), "GET", "/api/v1/conversions", key_).body);
    if (list.is_object() && list.as_object().contains("conversions") &&
        list.at("conversions").as_array().size() == 2) {
      break;
    }
    std::this_thread::sleep_for(milliseconds(200));
  }
  ASSERT_TRUE(list.is_object() && list.as_object().contains("conversions"))
      << boost::json::serialize(list);
  const boost::json::array& rows = list.at("conversions").as_array();
  ASSERT_EQ(rows.size(), 2u) << boost::json::serialize(list);
  std::multiset<std::string> statuses;
  for (const auto& c : rows) {
    statuses.insert(std::string(c.at("status").as_string()));
    EXPECT_EQ(c.at("click_id").as_string(), cid) << boost::json::serialize(c);
    EXPECT_TRUE(c.at("server_to_server").as_bool());
  }
  EXPECT_EQ(statuses, (std::multiset<std::string>{"counted", "duplicate_order"}));

  // The notifier delivers the counted one's postback, once.
  ASSERT_TRUE(receiver.WaitFor(1, seconds(30))) << roles_[2]->Log();
  std::this_thread::sleep_for(seconds(2));  // anything extra would arrive by now
  auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_NE(requests[0].target.find("cid=" + cid + "&value=12.5&oid=A-1"), std::string::npos)
      << requests[0].target;

  for (auto& r : roles_) EXPECT_EQ(r->Terminate(seconds(30)), 0) << r->Log();
}

TEST_F(DistributedRolesTest, BadConfigExitsTwoNamingTheKey) {
  const std::string bad = dir_.Join("bad.conf");
  std::ofstream(bad) << "nats.servers = " << nats_->Servers() << "\n";  // no postgres.url
  auto r = RunCommand({ClicktrailBin(), "tracker", "--config", bad}, seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("postgres.url"), std::string::npos) << r.err;

  std::ofstream(bad) << "postgres.url = x\nnats.replicas = 9\n";
  r = RunCommand({ClicktrailBin(), "edge", "--config", bad}, seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nats.replicas"), std::string::npos) << r.err;

  std::ofstream(bad) << "postgres.url = x\nnats.servers = " << nats_->Servers() << "\n";
  r = RunCommand({ClicktrailBin(), "edge", "--config", bad}, seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("edge.id"), std::string::npos) << r.err;

  r = RunCommand({ClicktrailBin(), "notifier"}, seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--config"), std::string::npos) << r.err;
}

// The example configs of docs/deployment.md are valid as shipped.
TEST(DeploymentExamplesTest, EveryExampleConfigLoads) {
  const std::string dir = std::string(CT_TEST_DATA_DIR) + "/../../docs/examples/";
  for (const char* role : {"edge", "tracker", "notifier", "api"}) {
    auto r = RunCommand({ClicktrailBin(), "config", "check", dir + role + ".conf"}, seconds(10));
    EXPECT_EQ(r.exit_code, 0) << role << ": " << r.err;
  }
  auto r = RunCommand({ClicktrailBin(), "config", "check", dir + "missing.conf"}, seconds(10));
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace ct::test
