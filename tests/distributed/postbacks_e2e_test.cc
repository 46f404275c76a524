// Postbacks in distributed mode end to end, every part real: PostgreSQL, a 3-node JetStream
// cluster, the `clicktrail` roles as separate processes (api, tracker, two notifiers, edge) and
// an HTTP receiver on loopback. Through the api role on PostgreSQL: a goal and a click postback
// are created; clicks go through the edge; the tracker commits their outbox rows; the notifiers
// deliver each once between them, signed with its delivery id as webhook-id; the api's delivery log
// lists them delivered, pages through them, and a replay of one sends it again under the same id.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
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

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

class DistributedPostbacksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = std::make_unique<PgCluster>();
    ASSERT_FALSE(HasFatalFailure());
    nats_ = std::make_unique<NatsCluster>();
    config_ = dir_.Join("clicktrail.conf");
    std::ofstream f(config_);
    f << "postgres.url = \"" << pg_->conninfo() << "\"\n"
      << "postgres.statement_timeout_ms = 5000\n"
      << "nats.servers = " << nats_->Servers() << "\n"
      << "edge.link_sync_ms = 100\n"
      // The receiver is on loopback, on an ephemeral port: allowed past the SSRF guard here.
      << "postbacks.allow_addresses = \"127.0.0.1\"\n"
      << "postbacks.allowed_ports = \"*\"\n"
      << "postbacks.retry_schedule = \"1s,1s,1s,1s,1s\"\n"
      << "postbacks.timeout_ms = 2000\n";
    f.close();
    auto r = RunCommand({ClicktrailBin(), "account", "create", "acme", "--config", config_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    key_ = r.out.substr(0, r.out.find('\n'));
    ASSERT_FALSE(key_.empty());
  }

  ServerHarness* StartRole(const std::string& role, const std::string& id = "") {
    std::vector<std::string> extra;
    if (!id.empty()) extra = {"--set", "edge.id=" + id};
    roles_.push_back(ServerHarness::Role(role, config_, extra));
    ServerHarness* h = roles_.back().get();
    EXPECT_TRUE(h->Start(seconds(30))) << role << " " << id << ":\n" << h->Log();
    return h;
  }

  json::value Call(const std::string& method, const std::string& target, int want,
                   const std::string& body = "") {
    auto r = ApiCall(api_->port(), method, target, key_, body);
    EXPECT_EQ(r.status, want) << method << " " << target << ": " << r.body;
    return r.status == want ? ParseJson(r.body) : json::value();
  }

  // The delivery log through the api, every page of `limit` rows, newest first.
  std::vector<json::object> Deliveries(const std::string& query, int limit) {
    std::vector<json::object> out;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {  // bounded
      std::string target = "/api/v1/deliveries?limit=" + std::to_string(limit) + query;
      if (!cursor.empty()) target += "&cursor=" + cursor;
      json::value v = Call("GET", target, 200);
      if (!v.is_object()) break;
      for (const json::value& d : v.at("deliveries").as_array()) out.push_back(d.as_object());
      if (v.at("next_cursor").is_null()) break;
      cursor = std::string(v.at("next_cursor").as_string());
    }
    return out;
  }

  // How often the receiver saw each webhook-id.
  static std::map<std::string, int> IdsSeen(const HttpReceiver& r) {
    std::map<std::string, int> ids;
    for (const auto& req : r.Requests()) ++ids[req.Header("webhook-id")];
    return ids;
  }

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
  std::vector<std::unique_ptr<ServerHarness>> roles_;
  ServerHarness* api_ = nullptr;
};

TEST_F(DistributedPostbacksTest, ClicksAreDeliveredListedAndReplayedThroughTheRoles) {
  api_ = StartRole("api", "api-1");
  StartRole("tracker");
  // Two notifiers on one outbox: the claim's row locks (SKIP LOCKED leases) keep them from
  // sending one delivery twice.
  StartRole("notifier");
  StartRole("notifier");
  ServerHarness* edge = StartRole("edge", "edge-1");
  ASSERT_FALSE(HasFailure());

  // Goals and postbacks are the api's on PostgreSQL now: create, read, list.
  json::value goal =
      Call("POST", "/api/v1/goals", 201, R"({"name": "sale", "value": 1, "currency": "USD"})");
  ASSERT_TRUE(goal.is_object());
  Call("GET", "/api/v1/goals/" + std::to_string(JsonInt(goal, "id")), 200);
  EXPECT_EQ(Call("GET", "/api/v1/goals", 200).at("goals").as_array().size(), 1u);

  HttpReceiver receiver;
  json::value pb = Call("POST", "/api/v1/postbacks", 201,
                        R"({"name": "clicks", "method": "POST", "events": ["click"],
                            "url": ")" +
                            receiver.Url("/pb") + R"("})");
  ASSERT_TRUE(pb.is_object());
  const int64_t pb_id = JsonInt(pb, "id");
  Call("GET", "/api/v1/postbacks/" + std::to_string(pb_id), 200);
  EXPECT_EQ(Call("GET", "/api/v1/postbacks", 200).at("postbacks").as_array().size(), 1u);

  const std::string link = CreateLinkPath(api_->port(), key_, "promo");
  ASSERT_FALSE(link.empty());
  {
    auto deadline = Clock::now() + seconds(20);
    bool redirects = false;
    while (!redirects && Clock::now() < deadline) {
      HttpClient c(edge->port());
      redirects = c.Request("HEAD", "/promo").status == 302;  // a HEAD fires no postback
      if (!redirects) std::this_thread::sleep_for(milliseconds(50));
    }
    ASSERT_TRUE(redirects) << edge->Log();
  }

  // Human clicks (a browser's User-Agent): each fires the postback once.
  constexpr int kClicks = 25;
  int answered = 0;
  HttpClient c(edge->port());
  for (int i = 0; i < kClicks; ++i) answered += c.Request("GET", "/promo").status == 302;
  ASSERT_EQ(answered, kClicks);

  ASSERT_TRUE(receiver.WaitFor(kClicks, seconds(60))) << "received " << receiver.Count() << "\n"
                                                      << Logs();
  // The outcome is recorded after the receiver answers: wait for the log to say delivered.
  std::vector<json::object> delivered;
  for (auto deadline = Clock::now() + seconds(30); Clock::now() < deadline;) {
    delivered = Deliveries("&state=delivered", 1000);
    if (delivered.size() >= static_cast<size_t>(kClicks)) break;
    std::this_thread::sleep_for(milliseconds(200));
  }
  ASSERT_EQ(delivered.size(), static_cast<size_t>(kClicks)) << Logs();

  // Each delivery reached the receiver exactly once, under its own id; the log pages (7 a
  // page, newest first) through the same rows.
  std::map<std::string, int> seen = IdsSeen(receiver);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kClicks));
  std::set<std::string> listed;
  for (const json::object& d : delivered) {
    const std::string id(d.at("id").as_string());
    listed.insert(id);
    EXPECT_EQ(seen[id], 1) << id;
    EXPECT_EQ(d.at("postback_id").as_int64(), pb_id);
    EXPECT_EQ(d.at("event").as_string(), "click");
    EXPECT_EQ(d.at("attempts").as_int64(), 1);
  }
  EXPECT_EQ(listed.size(), static_cast<size_t>(kClicks));
  std::vector<json::object> paged = Deliveries("", 7);
  ASSERT_EQ(paged.size(), static_cast<size_t>(kClicks));
  for (size_t i = 1; i < paged.size(); ++i) {
    EXPECT_GE(paged[i - 1].at("created_at").as_string(), paged[i].at("created_at").as_string());
  }
  EXPECT_TRUE(Deliveries("&state=pending", 100).empty());

  // Replay one: it goes out again under the same webhook-id, and its log shows both attempts.
  const std::string replayed(delivered.back().at("id").as_string());
  json::value r = Call("POST", "/api/v1/deliveries/" + replayed + "/replay", 200);
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(JsonInt(r, "replayed"), 1);
  ASSERT_TRUE(receiver.WaitFor(kClicks + 1, seconds(30))) << Logs();
  EXPECT_EQ(receiver.Requests().back().Header("webhook-id"), replayed);
  json::value one;
  for (auto deadline = Clock::now() + seconds(30); Clock::now() < deadline;) {
    one = Call("GET", "/api/v1/deliveries/" + replayed, 200);
    if (one.is_object() && one.at("state").as_string() == "delivered" &&
        one.at("attempt_log").as_array().size() == 2) {
      break;
    }
    std::this_thread::sleep_for(milliseconds(200));
  }
  ASSERT_TRUE(one.is_object());
  EXPECT_EQ(one.at("state").as_string(), "delivered");
  ASSERT_EQ(one.at("attempt_log").as_array().size(), 2u) << json::serialize(one);
  EXPECT_EQ(one.at("attempt_log").as_array()[1].at("attempt").as_int64(), 2);
  EXPECT_EQ(one.at("attempt_log").as_array()[1].at("http_status").as_int64(), 200);

  // Nothing else is sent again.
  std::this_thread::sleep_for(seconds(2));
  EXPECT_EQ(receiver.Count(), static_cast<size_t>(kClicks + 1));
  for (auto& role : roles_) EXPECT_EQ(role->Terminate(seconds(30)), 0) << role->Log();
}

}  // namespace
}  // namespace ct::test
