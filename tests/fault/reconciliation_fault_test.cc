// Reconciliation under faults (README "Reconciliation"):
//  - kill -9 of serve under load, a few times, restarting on the same data: afterwards every
//    hour reconciles (answered = journaled = committed, exactly) and `clicktrail reconcile`
//    exits 0 — the counts the edge had not tallied yet at each kill are recovered from the
//    journal at the next start;
//  - a byte flipped in a sealed journal segment: the report shows a mismatch whose reason is
//    journal corruption, and the CLI exits 1.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <random>
#include <thread>

#include "testutil/api_helpers.h"
#include "testutil/http_client.h"
#include "testutil/process.h"
#include "testutil/reconcile.h"
#include "testutil/server.h"
#include "testutil/sqlite_write_lock.h"

namespace ct::test {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Clicks on `threads` keep-alive connections until stopped (bounded at 120 s whatever happens).
struct Load {
  std::atomic<uint16_t> port{0};
  std::atomic<bool> stop{false};
  std::atomic<int64_t> received{0};
  std::vector<std::thread> threads;

  void Start(const std::string& target, int n) {
    for (int t = 0; t < n; ++t) {
      threads.emplace_back([this, target] {
        auto deadline = SteadyClock::now() + std::chrono::seconds(120);
        uint16_t p = 0;
        std::unique_ptr<HttpClient> c;
        while (!stop && SteadyClock::now() < deadline) {
          if (port != p || !c) {
            p = port;
            c = std::make_unique<HttpClient>(p, std::chrono::seconds(3));
            c->set_retry(false);
          }
          int status = c->Request("GET", target).status;
          if (status == 302 || status == 200) {
            ++received;
          } else {
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

// Polls the API until answered = journaled = committed with nothing in flight and `want` (at
// least) records, or 60 s pass.
ReconcileTotals Settled(uint16_t port, const std::string& key, int64_t want) {
  ReconcileTotals t;
  auto deadline = SteadyClock::now() + std::chrono::seconds(60);
  while (SteadyClock::now() < deadline) {
    t = FetchReconciliation(port, key);
    if (t.status == 200 && t.committed >= want && t.answered == t.journaled &&
        t.journaled == t.committed && t.in_flight == 0 && t.mismatch == 0) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return t;
}

TEST(ReconciliationFaultTest, Kill9UnderLoadEveryHourReconciles) {
  ServerHarness s;
  std::string key = s.CreateAccount("operator");
  ASSERT_TRUE(s.Start()) << s.Log();
  ASSERT_FALSE(CreateLinkPath(s.port(), key, "k9").empty());

  Load load;
  load.port = s.port();
  load.Start("/k9", 3);
  std::mt19937 rng(std::random_device{}());
  constexpr int kKills = 4;
  for (int k = 0; k < kKills; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400 + rng() % 800));
    s.Kill9();
    ASSERT_TRUE(s.Start()) << s.Log();
    load.port = s.port();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  load.Finish();
  const int64_t received = load.received;
  ASSERT_GT(received, 100) << "the load did not run";

  ReconcileTotals t = Settled(s.port(), key, received);
  ASSERT_EQ(t.status, 200) << t.body;
  // Every answered record journaled and committed exactly once (a request in flight at a kill
  // may have been journaled without its response reaching the client: >= received).
  EXPECT_GE(t.committed, received) << t.body;
  EXPECT_EQ(t.answered, t.journaled) << t.body;
  EXPECT_EQ(t.journaled, t.committed) << t.body;
  EXPECT_EQ(t.mismatch, 0) << t.body;
  EXPECT_EQ(t.in_flight, 0) << t.body;
  ReconcileRun live = RunReconcile(s.data_dir());
  EXPECT_EQ(live.exit_code, 0) << live.out;

  ASSERT_EQ(s.Terminate(), 0) << s.Log();
  ReconcileRun after = RunReconcile(s.data_dir(), {"--strict"});
  EXPECT_EQ(after.exit_code, 0) << after.out;
  EXPECT_EQ(after.ok, after.hours) << after.out;
  std::printf("kill -9 x%d: received %lld, answered = journaled = committed = %lld\n", kKills,
              static_cast<long long>(received), static_cast<long long>(t.committed));
}

// Flips one payload byte of an event record in the middle of the segment file at `path`
// (records: 12-byte header, u8 type at +2, u32 length at +4; events are type 1).
bool FlipByteInAnEvent(const std::string& path) {
  std::string bytes = ReadFile(path);
  std::vector<size_t> events;
  size_t off = 24;  // the segment header
  while (off + 12 <= bytes.size()) {
    uint32_t len = 0;
    std::memcpy(&len, bytes.data() + off + 4, 4);
    if (bytes[off] == 0 || off + 12 + len > bytes.size()) break;
    if (bytes[off + 2] == 1) events.push_back(off);
    off += 12 + len;
  }
  if (events.size() < 10) return false;
  size_t at = events[events.size() / 2] + 12 + 20;
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(at));
  char c = static_cast<char>(bytes[at] ^ 0xff);
  f.write(&c, 1);
  return f.good();
}

TEST(ReconciliationFaultTest, FlippedByteInASealedSegmentIsAMismatchOfJournalCorruption) {
  ServerHarness s({"--set", "journal.segment_mb=1"});
  std::string key = s.CreateAccount("operator");
  ASSERT_TRUE(s.Start()) << s.Log();
  ASSERT_FALSE(CreateLinkPath(s.port(), key, "bit").empty());
  const std::string journal = s.data_dir() + "/journal";
  {
    // The tracker cannot commit: the journal keeps every segment while clicks fill two.
    SqliteWriteLock lock(s.data_dir() + "/clicktrail.db");
    Load load;
    load.port = s.port();
    load.Start("/bit", 2);
    auto deadline = SteadyClock::now() + std::chrono::seconds(60);
    while (SteadyClock::now() < deadline) {
      auto r = RunCommand({"/bin/sh", "-c", "ls " + journal + " | grep -c '\\.seg$'"});
      if (std::atoi(r.out.c_str()) >= 3) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    load.Finish();
    s.Kill9();
  }
  auto list = RunCommand({"/bin/sh", "-c", "ls " + journal + " | grep '\\.seg$' | sort | head -1"});
  std::string first = list.out.substr(0, list.out.find('\n'));
  ASSERT_FALSE(first.empty()) << list.out;
  ASSERT_TRUE(FlipByteInAnEvent(journal + "/" + first)) << first;

  ASSERT_TRUE(s.Start()) << s.Log();
  ReconcileTotals t;
  auto deadline = SteadyClock::now() + std::chrono::seconds(90);
  while (SteadyClock::now() < deadline) {
    t = FetchReconciliation(s.port(), key);
    if (t.status == 200 && t.corrupted > 0 && t.journaled == t.committed + t.corrupted) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(t.corrupted, 1) << t.body;
  EXPECT_EQ(t.answered, t.journaled) << t.body;
  EXPECT_EQ(t.journaled, t.committed + 1) << t.body;
  EXPECT_GE(t.mismatch, 1) << t.body;
  EXPECT_NE(t.body.find("\"reason\":\"journal_corruption\""), std::string::npos) << t.body;
  ASSERT_EQ(s.Terminate(), 0) << s.Log();
  ReconcileRun cli = RunReconcile(s.data_dir());
  EXPECT_EQ(cli.exit_code, 1) << cli.out;
  EXPECT_GE(cli.mismatch, 1) << cli.out;
  EXPECT_NE(cli.out.find("journal_corruption 1"), std::string::npos) << cli.out;
}

}  // namespace
}  // namespace ct::test
