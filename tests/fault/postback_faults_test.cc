// Postbacks under faults (RELIABILITY.md F8, F12, F13; DESIGN promise 3), against the real
// binary and a real receiver on loopback that the test controls:
//   - the receiver is down, then slow (past the timeout), then answers 500, then is healthy:
//     every committed conversion is delivered, retries keep their webhook-id, none is lost;
//   - kill -9 between commit and delivery: after the restart the postback is still delivered;
//   - the store cannot commit: no postback for an uncommitted event, while redirects and
//     pixels keep answering; once it heals, each is delivered once.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <memory>
#include <set>
#include <thread>

#include "testutil/http_client.h"
#include "testutil/http_receiver.h"
#include "testutil/json.h"
#include "testutil/server.h"

namespace ct::test {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// Fast retries and a short timeout, so a test sees many attempts in seconds.
std::vector<std::string> FastPostbackArgs(std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"--set",
                                   "postbacks.allow_addresses=127.0.0.1",
                                   "--set",
                                   "postbacks.allowed_ports=*",
                                   "--set",
                                   "postbacks.retry_schedule=1s,1s,1s,1s,1s,1s,2s,2s,2s,"
                                   "2s,2s,2s,2s,2s,2s,2s,2s,2s,2s,2s,2s,2s,2s",
                                   "--set",
                                   "postbacks.jitter_percent=10",
                                   "--set",
                                   "postbacks.timeout_ms=700",
                                   "--set",
                                   "postbacks.connect_timeout_ms=500"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

class PostbackFaultTest : public ::testing::Test {
 protected:
  void Setup(ServerHarness* server) {
    server_ = server;
    key_ = server->CreateAccount("acme");
    ASSERT_FALSE(key_.empty());
    ASSERT_TRUE(server->Start()) << server->Log();
  }
  json::value Call(const std::string& method, const std::string& target, const std::string& body,
                   int want) {
    auto r = ApiCall(server_->port(), method, target, key_, body);
    EXPECT_EQ(r.status, want) << method << " " << target << ": " << r.body;
    return ParseJson(r.body);
  }
  // A goal and a POST postback on it to `url`; returns the goal id.
  int64_t GoalWithPostback(const std::string& url) {
    json::value g =
        Call("POST", "/api/v1/goals", R"({"name": "sale", "value": 1, "currency": "USD"})", 201);
    Call("POST", "/api/v1/postbacks",
         R"({"name": "n", "method": "POST", "events": ["conversion"], "attributed_only": false,
             "url": ")" +
             url + R"("})",
         201);
    return JsonInt(g, "id");
  }
  // One S2S conversion with its own order id; true if accepted.
  bool Convert(int64_t goal, int n) {
    auto r = ApiCall(server_->port(), "POST", "/api/v1/conversions", key_,
                     R"({"goal": )" + std::to_string(goal) + R"(, "order_id": "o)" +
                         std::to_string(n) + R"("})");
    return r.status == 202;
  }
  // Counted conversions in the store, by the API.
  size_t Committed() {
    auto r = ApiCall(server_->port(), "GET", "/api/v1/conversions?limit=1000", key_);
    if (r.status != 200) return 0;
    size_t n = 0;
    const json::value list = ParseJson(r.body);
    for (const auto& c : list.at("conversions").as_array()) {
      n += c.at("status").as_string() == "counted";
    }
    return n;
  }
  // How often the receiver saw each webhook-id (a retry after an error or timeout repeats it).
  static std::map<std::string, int> IdsSeen(const HttpReceiver& r) {
    std::map<std::string, int> ids;
    for (const auto& req : r.Requests()) ++ids[req.Header("webhook-id")];
    return ids;
  }

  ServerHarness* server_ = nullptr;
  std::string key_;
};

TEST_F(PostbackFaultTest, ReceiverDownSlowFailingThenHealthyLosesNothing) {
  ServerHarness server(FastPostbackArgs());
  Setup(&server);
  // Reserve a port, then stop listening on it: the receiver is down (connection refused).
  auto receiver = std::make_unique<HttpReceiver>();
  const uint16_t port = receiver->port();
  const std::string url = receiver->Url("/pb");
  receiver.reset();
  const int64_t goal = GoalWithPostback(url);
  int sent = 0;
  auto convert_for = [&](milliseconds d) {
    for (auto end = Clock::now() + d; Clock::now() < end;) {
      ASSERT_TRUE(Convert(goal, sent++));
      std::this_thread::sleep_for(milliseconds(100));
    }
  };
  convert_for(milliseconds(2500));  // down

  receiver = std::make_unique<HttpReceiver>(port);
  receiver->SetReply({200, "", {}, milliseconds(1500)});  // slow: past the 700 ms timeout
  convert_for(milliseconds(2500));
  receiver->SetReply({500, "oops", {}});  // failing
  convert_for(milliseconds(2500));
  receiver->SetReply({200, "ok", {}});  // healthy
  convert_for(milliseconds(1000));

  // Every committed conversion is eventually delivered, each under one id.
  auto deadline = Clock::now() + seconds(60);
  std::map<std::string, int> ids;
  while (Clock::now() < deadline) {
    ids = IdsSeen(*receiver);
    auto d = ApiCall(server.port(), "GET", "/api/v1/deliveries?state=pending&limit=1000", key_);
    if (Committed() == static_cast<size_t>(sent) && d.status == 200 &&
        ParseJson(d.body).at("deliveries").as_array().empty()) {
      break;
    }
    std::this_thread::sleep_for(milliseconds(200));
  }
  EXPECT_EQ(Committed(), static_cast<size_t>(sent));
  ids = IdsSeen(*receiver);
  EXPECT_EQ(ids.size(), static_cast<size_t>(sent)) << "distinct webhook-ids at the receiver";
  int retried = 0;
  for (const auto& [id, n] : ids) {
    EXPECT_EQ(id.rfind("msg_", 0), 0u) << id;
    retried += n > 1;
  }
  EXPECT_GT(retried, 0) << "the slow and failing phases must have caused retries";
  auto all = ApiCall(server.port(), "GET", "/api/v1/deliveries?limit=1000", key_);
  size_t delivered = 0;
  const json::value deliveries = ParseJson(all.body);
  for (const auto& d : deliveries.at("deliveries").as_array()) {
    delivered += d.at("state").as_string() == "delivered";
  }
  EXPECT_EQ(delivered, static_cast<size_t>(sent));
  std::printf("postback faults: %d conversions, %d delivered after retries, %zu requests\n", sent,
              retried, receiver->Requests().size());
}

TEST_F(PostbackFaultTest, Kill9BetweenCommitAndDeliveryStillDelivers) {
  HttpReceiver receiver;
  // First life: postbacks are committed to the outbox but not sent.
  ServerHarness server(FastPostbackArgs({"--set", "postbacks.enabled=false"}));
  Setup(&server);
  const int64_t goal = GoalWithPostback(receiver.Url("/pb"));
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Convert(goal, i));
  auto deadline = Clock::now() + seconds(15);
  while (Clock::now() < deadline && Committed() < 20) std::this_thread::sleep_for(milliseconds(50));
  ASSERT_EQ(Committed(), 20u);
  server.Kill9();
  EXPECT_EQ(receiver.Count(), 0u);

  // Second life, on the same data, with postbacks on: every committed one goes out.
  server.set_extra_args(FastPostbackArgs());
  ASSERT_TRUE(server.Start()) << server.Log();
  ASSERT_TRUE(receiver.WaitFor(20, seconds(20))) << server.Log();
  std::this_thread::sleep_for(milliseconds(1500));
  auto ids = IdsSeen(receiver);
  EXPECT_EQ(ids.size(), 20u);
  for (const auto& [id, n] : ids) EXPECT_EQ(n, 1) << id << " sent " << n << " times";
}

TEST_F(PostbackFaultTest, StoreThatCannotCommitSendsNoPostbackAndTheEdgeKeepsAnswering) {
  HttpReceiver receiver;
  ServerHarness server(FastPostbackArgs({"--set", "store.busy_timeout_ms=200"}));
  Setup(&server);
  const int64_t goal = GoalWithPostback(receiver.Url("/pb"));
  json::value g = Call("GET", "/api/v1/goals/" + std::to_string(goal), "", 200);
  const std::string goal_key = JsonStr(g, "key");
  Call("POST", "/api/v1/links", R"({"destination": "https://example.com/", "slug": "s"})", 201);
  Call("POST", "/api/v1/pixels", R"({"slug": "px"})", 201);

  // Hold the database's write lock from outside: no commit can happen.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((server.data_dir() + "/clicktrail.db").c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);

  HttpClient visitor(server.port());
  for (int i = 0; i < 10; ++i) {
    auto click = visitor.Request("GET", "/s");
    EXPECT_EQ(click.status, 302);
    EXPECT_EQ(visitor.Request("GET", "/p/px.gif").status, 200);
    EXPECT_EQ(visitor.Request("GET", "/c/" + goal_key + "?order_id=c" + std::to_string(i)).status,
              200);
  }
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(Convert(goal, 100 + i));
  std::this_thread::sleep_for(seconds(3));
  EXPECT_EQ(receiver.Count(), 0u) << "a postback left for an event that was never committed";

  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  ASSERT_TRUE(receiver.WaitFor(20, seconds(30))) << server.Log();
  std::this_thread::sleep_for(milliseconds(1500));
  auto ids = IdsSeen(receiver);
  EXPECT_EQ(ids.size(), 20u);
  for (const auto& [id, n] : ids) EXPECT_EQ(n, 1) << id;
}

}  // namespace
}  // namespace ct::test
