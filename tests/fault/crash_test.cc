// Promise 2 under the harshest stop: kill -9 of the whole server at random moments under a
// steady load of redirects from several connections, restarting it each time on the same data.
// Afterwards the counted total is at least the number of 302s clients received and at most that
// plus the requests that were in flight at the kills, and no event is counted twice (the raw
// hits, keyed by event id, match the rollups exactly). Also a clean SIGTERM under load (F15).
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "testutil/api_helpers.h"
#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/reconcile.h"
#include "testutil/server.h"

namespace ct::test {
namespace {

constexpr int kClients = 4;

struct Load {
  std::atomic<uint16_t> port{0};
  std::atomic<bool> stop{false};
  std::atomic<int64_t> received{0};   // 302s that reached a client
  std::atomic<int64_t> in_flight{0};  // sent, but no response: the server may have counted them
  std::vector<std::thread> threads;

  void Start(const std::string& slug) {
    for (int t = 0; t < kClients; ++t) {
      threads.emplace_back([this, slug, t] {
        uint16_t p = 0;
        std::unique_ptr<HttpClient> c;
        int i = 0;
        while (!stop) {
          if (port != p || !c) {
            p = port;
            c = std::make_unique<HttpClient>(p, std::chrono::seconds(3));
            c->set_retry(false);
          }
          auto r = c->Request("GET", "/" + slug,
                              {{"User-Agent", "load-" + std::to_string((t + i++) % 3)}});
          if (r.status == 302) {
            ++received;
          } else {
            if (c->last_request_sent()) ++in_flight;
            c.reset();
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
          }
        }
      });
    }
  }
  void Finish() {
    stop = true;
    for (auto& t : threads) t.join();
  }
};

// Waits until the stats stop moving (the tracker has caught up with the journal).
int64_t SettledTotal(uint16_t port, const std::string& key, const std::string& link_path,
                     int64_t at_least) {
  int64_t last = -1;
  auto stable_since = std::chrono::steady_clock::now();
  auto deadline = stable_since + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    int64_t t = LinkTotal(port, key, link_path);
    if (t != last) {
      last = t;
      stable_since = std::chrono::steady_clock::now();
    } else if (t >= at_least &&
               std::chrono::steady_clock::now() - stable_since > std::chrono::milliseconds(800)) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return last;
}

std::string Sql(const std::string& db, const std::string& query) {
  auto r = RunCommand({"/usr/bin/sqlite3", db, query});
  std::string out = r.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// After the fault and a clean stop, the reconciliation report agrees: every hour ok
// (answered = journaled = committed) and `clicktrail reconcile --strict` exits 0.
void ExpectEveryHourReconciles(const ServerHarness& s) {
  ReconcileRun r = RunReconcile(s.data_dir(), {"--strict"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_GE(r.hours, 1) << r.out;
  EXPECT_EQ(r.ok, r.hours) << r.out;
}

void ExpectNoEventCountedTwice(const ServerHarness& s) {
  std::string db = s.data_dir() + "/clicktrail.db";
  std::string hits = Sql(db, "SELECT COUNT(*) FROM hits WHERE kind = 1");
  std::string distinct = Sql(db, "SELECT COUNT(DISTINCT event_id) FROM hits WHERE kind = 1");
  std::string rolled = Sql(db, "SELECT SUM(total) FROM rollups WHERE granularity = 86400");
  std::string rolled_min = Sql(db, "SELECT SUM(total) FROM rollups WHERE granularity = 60");
  EXPECT_FALSE(hits.empty());
  EXPECT_EQ(hits, distinct);
  EXPECT_EQ(hits, rolled) << "rollups count an event the raw hits do not (or the reverse)";
  EXPECT_EQ(hits, rolled_min);
}

TEST(CrashTest, Kill9UnderLoadNeitherLosesNorDoubleCounts) {
  ServerHarness s;
  std::string key = s.CreateAccount("acme");
  ASSERT_TRUE(s.Start()) << s.Log();
  std::string link_path = CreateLinkPath(s.port(), key, "crash");
  ASSERT_FALSE(link_path.empty());

  Load load;
  load.port = s.port();
  load.Start("crash");
  std::mt19937 rng(std::random_device{}());
  constexpr int kKills = 5;
  for (int k = 0; k < kKills; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 700));
    s.Kill9();
    ASSERT_TRUE(s.Start()) << s.Log();
    load.port = s.port();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  load.Finish();

  int64_t received = load.received, in_flight = load.in_flight;
  int64_t total = SettledTotal(s.port(), key, link_path, received);
  RecordProperty("received", std::to_string(received));
  RecordProperty("in_flight", std::to_string(in_flight));
  RecordProperty("counted", std::to_string(total));
  EXPECT_GT(received, 100) << "the load did not run";
  EXPECT_GE(total, received) << "a 302 that a client received was not counted";
  EXPECT_LE(total, received + in_flight) << "more counted than answered or in flight";
  ASSERT_EQ(s.Terminate(), 0) << s.Log();
  ExpectNoEventCountedTwice(s);
  ExpectEveryHourReconciles(s);
  std::printf("kill -9 x%d: received %lld, in flight at kills %lld, counted %lld\n", kKills,
              static_cast<long long>(received), static_cast<long long>(in_flight),
              static_cast<long long>(total));
}

TEST(CrashTest, SigtermUnderLoadDrainsAndLosesNothing) {
  ServerHarness s;
  std::string key = s.CreateAccount("acme");
  ASSERT_TRUE(s.Start()) << s.Log();
  std::string link_path = CreateLinkPath(s.port(), key, "term");
  ASSERT_FALSE(link_path.empty());

  Load load;
  load.port = s.port();
  load.Start("term");
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  EXPECT_EQ(s.Terminate(), 0) << "SIGTERM must exit cleanly\n" << s.Log();
  load.Finish();
  int64_t received = load.received, in_flight = load.in_flight;

  ASSERT_TRUE(s.Start()) << s.Log();
  int64_t total = SettledTotal(s.port(), key, link_path, received);
  EXPECT_GE(total, received);
  EXPECT_LE(total, received + in_flight);
  ASSERT_EQ(s.Terminate(), 0);
  ExpectNoEventCountedTwice(s);
  ExpectEveryHourReconciles(s);
}

}  // namespace
}  // namespace ct::test
