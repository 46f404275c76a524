// Figures, not a pass/fail test (disabled; run by hand):
//   build/nats_tests --gtest_also_run_disabled_tests --gtest_filter='*Throughput*'
// CT_NATS_BENCH_EVENTS (default 100000) events are journaled up front; then
//   1. records/s shipped edge -> JetStream (R3 cluster on this machine), publish acks counted;
//   2. records/s consumed -> committed into SQLite by 1 tracker, then by 2 trackers (a fresh
//      store and durable consumer each time, over the same stream).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "nats/distributed_harness.h"

namespace ct {
namespace {

using namespace std::chrono_literals;

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct BenchStore {
  std::string path;
  std::unique_ptr<Store> store;
  int64_t account = 0, link = 0;
};

BenchStore OpenStore(const std::string& path) {
  BenchStore b;
  b.path = path;
  SqliteStoreOptions o;
  o.path = path;
  auto s = OpenSqliteStore(o);
  if (!s.ok()) throw std::runtime_error(s.status().ToString());
  b.store = std::move(*s);
  b.account = *b.store->CreateAccount({"acme", "hash-acme", "ct_acme"});
  b.link =
      b.store
          ->CreateLink(
              {.account_id = b.account, .slug = "promo", .destination = "https://example.com/"})
          ->id;
  return b;
}

TEST(NatsThroughput, DISABLED_Throughput) {
  const char* env = std::getenv("CT_NATS_BENCH_EVENTS");
  const uint64_t n = env != nullptr ? std::strtoull(env, nullptr, 10) : 100000;
  test::TempDir dir;
  test::NatsCluster cluster;
  NatsOptions nats;
  nats.servers = SplitServers(cluster.Servers());
  nats.replicas = 3;

  // Account 1 / link 1 in every store below (fresh stores number them alike).
  test::TestEdge edge;
  edge.id = "edge-a";
  edge.dir = dir.Join("journal");
  edge.OpenJournal(64 << 20);
  edge.Journal(1, 1, n);
  const uint64_t end = edge.writer->WrittenPosition();

  auto t0 = std::chrono::steady_clock::now();
  ShipperOptions so = test::FastShipper();
  edge.StartShipper(so, nats);
  ASSERT_TRUE(edge.shipper->WaitAcked(end, 600s));
  const double ship_s = Seconds(t0);
  std::printf("shipped %llu records edge -> JetStream R3 in %.2f s: %.0f records/s\n",
              static_cast<unsigned long long>(n), ship_s, n / ship_s);
  edge.StopShipper();

  for (int trackers : {1, 2}) {
    BenchStore bs = OpenStore(dir.Join("store" + std::to_string(trackers) + ".db"));
    MetricsRegistry metrics;
    std::vector<std::unique_ptr<BusTracker>> ts;
    ConsumerOptions co;
    co.durable = "bench" + std::to_string(trackers);
    t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < trackers; ++i) {
      ts.push_back(std::make_unique<BusTracker>(test::FastTracker(), nats, co, bs.store.get(),
                                                &metrics, Clock::System()));
      ASSERT_TRUE(ts.back()->Start().ok());
    }
    ASSERT_TRUE(test::WaitFor(
        [&] {
          uint64_t sum = 0;
          for (auto& t : ts) sum += t->events_committed();
          return sum >= n;
        },
        600s));
    const double s = Seconds(t0);
    std::printf(
        "consumed+committed %llu records into SQLite with %d tracker(s) in %.2f s: %.0f "
        "records/s\n",
        static_cast<unsigned long long>(n), trackers, s, n / s);
    ts.clear();
    EXPECT_EQ(test::CountRows(bs.path, "SELECT COUNT(*) FROM hits"), static_cast<int64_t>(n));
  }
}

}  // namespace
}  // namespace ct
