// Distributed mode end to end against a real 3-node JetStream cluster: edge journal -> shipper
// -> stream (replicas 3) -> shared durable consumer -> BusTracker -> store (SQLite here, the
// same Store interface PostgreSQL implements). Counts must be exact: nothing lost, nothing
// doubled, through node kills, a whole-cluster outage, a lost stream and lost cursors.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "nats/distributed_harness.h"
#include "store/forwarding_store.h"

namespace ct {
namespace {

using namespace std::chrono_literals;
using test::CountRows;
using test::WaitFor;

class DistributedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<test::NatsCluster>();
    db_path_ = dir_.Join("clicktrail.db");
    SqliteStoreOptions o;
    o.path = db_path_;
    o.read_connections = 2;
    auto s = OpenSqliteStore(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    auto acc = store_->CreateAccount({"acme", "hash-acme", "ct_acme"});
    ASSERT_TRUE(acc.ok());
    account_ = *acc;
    auto link = store_->CreateLink(
        {.account_id = account_, .slug = "promo", .destination = "https://example.com/"});
    ASSERT_TRUE(link.ok());
    link_ = link->id;
  }
  void TearDown() override {
    trackers_.clear();
    edges_.clear();
    store_.reset();
    cluster_.reset();
  }

  NatsOptions Nats() const {
    NatsOptions o;
    o.servers = SplitServers(cluster_->Servers());
    o.replicas = 3;
    o.request_timeout = 3s;
    o.connect_timeout = 1s;
    return o;
  }
  test::TestEdge& AddEdge(const std::string& id, uint64_t segment_bytes = 256 << 10) {
    auto e = std::make_unique<test::TestEdge>();
    e->id = id;
    e->dir = dir_.Join("journal-" + id);
    e->OpenJournal(segment_bytes);
    edges_.push_back(std::move(e));
    return *edges_.back();
  }
  BusTracker& AddTracker(BusTrackerOptions o = test::FastTracker()) {
    trackers_.push_back(std::make_unique<BusTracker>(o, Nats(), ConsumerOptions{}, store_.get(),
                                                     &tracker_metrics_, Clock::System()));
    EXPECT_TRUE(trackers_.back()->Start().ok());
    return *trackers_.back();
  }
  void DeleteStream() {
    JetStreamClient admin(Nats());
    ASSERT_TRUE(admin.Connect().ok());
    jsErrCode jerr = static_cast<jsErrCode>(0);
    ASSERT_EQ(js_DeleteStream(admin.js(), "CT_EVENTS", nullptr, &jerr), NATS_OK);
  }
  int64_t Hits() { return CountRows(db_path_, "SELECT COUNT(*) FROM hits"); }
  int64_t RollupClicks() {
    auto s = store_->GetLinkStats(
        {account_, link_, test::kDay0 - 86'400'000'000, test::kDay0 + 86'400'000'000});
    return s.ok() && s->has_value() ? (*s)->total + (*s)->bots : -1;
  }
  // All `n` events committed, each once: raw hits, and the rollups agree.
  void ExpectExactly(int64_t n, std::chrono::milliseconds timeout = 90s) {
    EXPECT_TRUE(WaitFor([&] { return Hits() >= n; }, timeout)) << "hits: " << Hits();
    std::this_thread::sleep_for(500ms);  // late duplicates would land now
    EXPECT_EQ(Hits(), n);
    EXPECT_EQ(RollupClicks(), n);
  }

  test::TempDir dir_;
  std::unique_ptr<test::NatsCluster> cluster_;
  std::string db_path_;
  std::unique_ptr<Store> store_;
  int64_t account_ = 0, link_ = 0;
  MetricsRegistry tracker_metrics_;
  std::vector<std::unique_ptr<BusTracker>> trackers_;
  std::vector<std::unique_ptr<test::TestEdge>> edges_;
};

TEST_F(DistributedTest, EveryEventIsCommittedOnceAndTheWatermarkDeletesSegments) {
  test::TestEdge& a = AddEdge("edge-a");
  test::TestEdge& b = AddEdge("edge-b");
  a.Journal(account_, link_, 6000);
  b.Journal(account_, link_, 3000);
  const size_t segments_before = a.Segments();
  ASSERT_GT(segments_before, 2u);
  a.StartShipper(test::FastShipper(), Nats());
  b.StartShipper(test::FastShipper(), Nats());
  AddTracker();
  AddTracker();  // two trackers share the durable consumer
  ExpectExactly(9000);

  // The store's committed_below reaches what each edge shipped; the edge hears it and deletes
  // every segment wholly below it.
  const uint64_t end_a = a.writer->WrittenPosition();
  EXPECT_TRUE(WaitFor([&] { return a.shipper->Watermark() >= a.shipper->AckedPosition(); }, 20s));
  EXPECT_TRUE(a.shipper->WaitAcked(end_a, 10s));
  auto w = store_->EdgeWatermark("edge-a");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*w, end_a);
  EXPECT_TRUE(WaitFor([&] { return a.Segments() <= 1; }, 20s)) << a.Segments();
  EXPECT_EQ(a.metrics.Value("clicktrail_ship_records_total", "edge=\"edge-a\""), 6000);
  EXPECT_EQ(a.metrics.Value("clicktrail_ship_lag_bytes", "edge=\"edge-a\""), 0);
  // The cursor file holds the acked position once the shipper stops.
  a.StopShipper();
  auto cursor = ship::ReadShippedCursor(a.dir + "/" + ship::kCursorFileName);
  ASSERT_TRUE(cursor.ok());
  EXPECT_EQ(*cursor, end_a);
}

TEST_F(DistributedTest, OneNodeKilledUnderLoadLosesAndDoublesNothing) {
  test::TestEdge& a = AddEdge("edge-a");
  a.StartShipper(test::FastShipper(), Nats());
  AddTracker();
  AddTracker();
  std::atomic<bool> stop{false};
  std::atomic<int64_t> journaled{0};
  std::thread load([&] {
    const auto deadline = std::chrono::steady_clock::now() + 12s;
    while (!stop && std::chrono::steady_clock::now() < deadline && journaled < 40000) {
      a.Journal(account_, link_, 200);
      journaled += 200;
      std::this_thread::sleep_for(10ms);
    }
  });
  std::this_thread::sleep_for(2s);
  cluster_->Kill9(1);
  std::this_thread::sleep_for(3s);
  cluster_->Start(1);
  load.join();
  ASSERT_TRUE(cluster_->WaitHealthy(1, 30s));
  ExpectExactly(journaled.load());
}

TEST_F(DistributedTest, BacklogJournaledWhileAllNodesAreDownShipsAfterwards) {
  test::TestEdge& a = AddEdge("edge-a");
  a.StartShipper(test::FastShipper(), Nats());
  AddTracker();
  a.Journal(account_, link_, 1000);
  ExpectExactly(1000);
  cluster_->StopAll();
  a.Journal(account_, link_, 4000);  // the journal absorbs it; nothing waits on the bus
  std::this_thread::sleep_for(3s);
  EXPECT_GT(a.metrics.Value("clicktrail_ship_lag_bytes", "edge=\"edge-a\""), 0);
  cluster_->StartAll();
  ASSERT_TRUE(cluster_->WaitAllHealthy(30s));
  ExpectExactly(5000);
}

TEST_F(DistributedTest, ReshipsFromTheWatermarkWhenTheStreamLostItsTail) {
  test::TestEdge& a = AddEdge("edge-a");
  a.StartShipper(test::FastShipper(), Nats());
  AddTracker();
  a.Journal(account_, link_, 2000);
  ExpectExactly(2000);
  ASSERT_TRUE(WaitFor([&] { return a.shipper->Watermark() == a.writer->WrittenPosition(); }, 20s));
  // Trackers stop; the edge ships more, acked by the stream but never committed...
  trackers_.clear();
  a.Journal(account_, link_, 3000);
  ASSERT_TRUE(a.shipper->WaitAcked(a.writer->WrittenPosition(), 30s));
  // ...and the stream loses them (as a cluster killed before its fsync would).
  DeleteStream();
  AddTracker();  // recreates the stream and the durable consumer
  // The watermark stays below what was shipped: after reship_after the edge ships again.
  ExpectExactly(5000);
  EXPECT_GE(a.shipper->reships(), 1u);

  // A lost cursor file and, again, a lost stream: the edge ships again from its oldest segment
  // (the stream's Nats-Msg-Id dedup forgot those ids); what was committed before is
  // deduplicated by the store on event ids.
  trackers_.clear();
  a.StopShipper();
  DeleteStream();
  std::filesystem::remove(a.dir + "/" + ship::kCursorFileName);
  BusTracker& t = AddTracker();
  a.StartShipper(test::FastShipper(), Nats());
  EXPECT_TRUE(WaitFor([&] { return t.duplicates() > 0; }, 30s));
  ExpectExactly(5000);
}

// The stream (and with it the durable consumer) deleted under running trackers and a running
// shipper: both rebuild their connection, the stream and the consumer are recreated, the edge
// re-ships from the watermark, and the counts are exact.
TEST_F(DistributedTest, StreamDeletedUnderRunningTrackersIsRecreated) {
  test::TestEdge& a = AddEdge("edge-a");
  a.StartShipper(test::FastShipper(), Nats());
  AddTracker();
  a.Journal(account_, link_, 1000);
  ExpectExactly(1000);
  DeleteStream();
  a.Journal(account_, link_, 1000);
  ExpectExactly(2000);
}

// A commit that applied but whose caller saw an error (the tracker died before acking): the
// messages are redelivered and the store's event-id dedup keeps the counts exact.
class ApplyThenFailStore : public StoreWrapper {
 public:
  explicit ApplyThenFailStore(Store* inner) : StoreWrapper(inner), inner_(inner) {}
  Result<CommitResult> Commit(const CommitBatch& b) override {
    Result<CommitResult> r = inner_->Commit(b);
    if (r.ok() && ++calls_ <= 3) return Status::Unavailable("injected: lost after commit");
    return r;
  }

 private:
  Store* inner_;
  std::atomic<int> calls_{0};
};

TEST_F(DistributedTest, RedeliveryAfterACommitWhoseAckWasLostChangesNothing) {
  ApplyThenFailStore flaky(store_.get());
  BusTrackerOptions o = test::FastTracker();
  o.retry_max = 100ms;
  trackers_.push_back(std::make_unique<BusTracker>(o, Nats(), ConsumerOptions{.ack_wait = 2s},
                                                   &flaky, &tracker_metrics_, Clock::System()));
  ASSERT_TRUE(trackers_.back()->Start().ok());
  test::TestEdge& a = AddEdge("edge-a");
  a.Journal(account_, link_, 3000);
  a.StartShipper(test::FastShipper(), Nats());
  ExpectExactly(3000);
  EXPECT_GT(trackers_.back()->duplicates(), 0u);
  EXPECT_TRUE(WaitFor([&] { return a.shipper->Watermark() == a.writer->WrittenPosition(); }, 20s));
}

// A store that is down (every commit and read fails) while `down` is set.
class DownStore : public StoreWrapper {
 public:
  explicit DownStore(Store* inner) : StoreWrapper(inner), inner_(inner) {}
  Result<CommitResult> Commit(const CommitBatch& b) override {
    if (down) return Status::Unavailable("injected: the store is down");
    return inner_->Commit(b);
  }
  Result<uint64_t> EdgeWatermark(const std::string& edge) override {
    if (down) return Status::Unavailable("injected: the store is down");
    return inner_->EdgeWatermark(edge);
  }
  std::atomic<bool> down{false};

 private:
  Store* inner_;
};

// The store down for several re-ship periods with a backlog on the bus: the trackers go
// silent, so the edge re-ships nothing (no copies of the backlog piled onto the bus), and the
// bus drains once the store is back.
TEST_F(DistributedTest, AStoreOutageReshipsNothing) {
  DownStore store(store_.get());
  trackers_.push_back(std::make_unique<BusTracker>(test::FastTracker(), Nats(), ConsumerOptions{},
                                                   &store, &tracker_metrics_, Clock::System()));
  ASSERT_TRUE(trackers_.back()->Start().ok());
  test::TestEdge& a = AddEdge("edge-a");
  a.StartShipper(test::FastShipper(), Nats());
  a.Journal(account_, link_, 1000);
  ExpectExactly(1000);
  ASSERT_TRUE(WaitFor([&] { return a.shipper->Watermark() == a.writer->WrittenPosition(); }, 20s));
  store.down = true;
  a.Journal(account_, link_, 3000);
  ASSERT_TRUE(a.shipper->WaitAcked(a.writer->WrittenPosition(), 30s));
  // Five re-ship periods (reship_after 2 s) of outage.
  std::this_thread::sleep_for(10s);
  EXPECT_EQ(a.shipper->reships(), 0u);
  EXPECT_GE(a.shipper->silences(), 1u);
  store.down = false;
  ExpectExactly(4000);
  EXPECT_TRUE(WaitFor([&] { return a.shipper->Watermark() == a.writer->WrittenPosition(); }, 20s));
  EXPECT_EQ(a.shipper->reships(), 0u);
}

// Records that never decode are redelivered dead_letter_after times, then kept as dead letters
// in the commit that moves the watermark past them.
TEST_F(DistributedTest, UndecodableRecordsBecomeDeadLettersAfterNDeliveries) {
  test::TestEdge& a = AddEdge("edge-a");
  a.Journal(account_, link_, 100);
  std::string framed;
  journal::AppendRecord(&framed, journal::RecordType::kEvent, "not an event");
  ASSERT_TRUE(a.writer->Append(framed).ok());
  a.Journal(account_, link_, 100);
  BusTrackerOptions o = test::FastTracker();
  o.dead_letter_after = 3;
  o.nak_delay = 100ms;
  AddTracker(o);
  a.StartShipper(test::FastShipper(), Nats());
  ExpectExactly(200);
  EXPECT_TRUE(
      WaitFor([&] { return CountRows(db_path_, "SELECT COUNT(*) FROM dead_letters") == 1; }, 30s));
  EXPECT_TRUE(WaitFor([&] { return a.shipper->Watermark() == a.writer->WrittenPosition(); }, 20s));
  EXPECT_GE(tracker_metrics_.Value("clicktrail_bus_tracker_naks_total"), 2);

  // Everything shipped again (a lost cursor file and a lost stream): the copy of the bad
  // record is nak'ed and dead-lettered again, and changes nothing (once per journal range).
  const int64_t naks = tracker_metrics_.Value("clicktrail_bus_tracker_naks_total");
  trackers_.clear();
  a.StopShipper();
  DeleteStream();
  std::filesystem::remove(a.dir + "/" + ship::kCursorFileName);
  BusTracker& t = AddTracker(o);
  a.StartShipper(test::FastShipper(), Nats());
  // The 100 events after the bad record came again, so the bad record did too.
  ASSERT_TRUE(WaitFor([&] { return t.duplicates() >= 200; }, 30s)) << t.duplicates();
  ASSERT_TRUE(WaitFor(
      [&] { return tracker_metrics_.Value("clicktrail_bus_tracker_naks_total") >= naks + 2; },
      30s));
  std::this_thread::sleep_for(1s);  // its last delivery, dead-lettered, would commit now
  EXPECT_EQ(CountRows(db_path_, "SELECT COUNT(*) FROM dead_letters"), 1);
  EXPECT_EQ(CountRows(db_path_, "SELECT SUM(dead_lettered) FROM reconciliation"), 1);
  EXPECT_EQ(Hits(), 200);
}

// A conversion that reaches the trackers before its click (the api's journal shipped first,
// the edge's later) waits for it and is attributed (tracker/conversion_hold.h); one naming a
// click that never comes is committed, unattributed, once it is older than the hold.
TEST_F(DistributedTest, AConversionThatOvertakesItsClickWaitsForIt) {
  Result<GoalRow> goal =
      store_->CreateGoal({.account_id = account_, .key = "GOALSALExxxxxxxxx", .name = "sale"});
  ASSERT_TRUE(goal.ok()) << goal.status().ToString();
  const auto micros = [](std::chrono::seconds s) {
    return std::chrono::duration_cast<std::chrono::microseconds>(s).count();
  };
  const int64_t now = Clock::System()->NowMicros();
  test::TestEdge& web = AddEdge("web");
  test::TestEdge& api = AddEdge("api");
  web.JournalTally(now - micros(30s));  // the web edge is committed through 30 s ago
  web.StartShipper(test::FastShipper(), Nats());
  BusTrackerOptions o = test::FastTracker();
  o.conversion_hold = {.max_hold = 60s, .refresh = 100ms};
  AddTracker(o);
  auto through = [&](const std::string& edge) -> int64_t {
    Result<std::vector<EdgeProgress>> p = store_->ListEdgeProgress();
    if (!p.ok()) return -1;
    for (const EdgeProgress& e : *p) {
      if (e.edge == edge) return e.committed_through_us;
    }
    return 0;
  };
  ASSERT_TRUE(WaitFor([&] { return through("web") == now - micros(30s); }, 60s));

  // A click made 10 s ago on the web edge, not shipped yet; its conversion through the api now,
  // and a second conversion (of 40 s ago) naming a click from the future that never comes.
  EventIdGenerator ids;
  Event click;
  click.kind = EventKind::kClick;
  click.id = ids.Next(now - micros(10s));
  click.time_us = now - micros(10s);
  click.link_id = link_;
  click.account_id = account_;
  click.ip = "192.0.2.1";
  click.user_agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0";
  auto conversion = [&](int64_t time_us, const EventId& click_id) {
    Event c;
    c.kind = EventKind::kConversion;
    c.id = ids.Next(time_us);
    c.time_us = time_us;
    c.account_id = account_;
    c.goal_id = goal->id;
    c.flags = kFlagServerToServer | kFlagHasValue;
    c.value_micros = 5'000'000;
    c.click_ref = ClickId(click_id);
    return c;
  };
  const int64_t t1 = Clock::System()->NowMicros();
  api.JournalEvent(conversion(t1, click.id));
  api.JournalEvent(conversion(t1 - micros(40s), ids.Next(t1 + micros(3600s))));  // held 20 s
  api.JournalTally(t1);
  api.StartShipper(test::FastShipper(), Nats());
  auto conversions = [&]() -> std::vector<ConversionRow> {
    Result<ConversionPage> page = store_->ListConversions(
        {.account_id = account_, .from_us = now - micros(3600s), .to_us = now + micros(3600s)},
        std::nullopt, 10);
    return page.ok() ? page->conversions : std::vector<ConversionRow>{};
  };
  // Both seen and given back (the api's own journal is not waited on: its watermark stays
  // below the held conversions).
  auto held = [&] {
    return tracker_metrics_.Value("clicktrail_bus_tracker_conversions_held_total");
  };
  ASSERT_TRUE(WaitFor([&] { return held() >= 4; }, 15s)) << held();
  EXPECT_TRUE(conversions().empty()) << "a conversion was committed before its click could be";
  EXPECT_EQ(through("api"), 0);

  // The click ships, with the edge's next heartbeat: the conversion is attributed to it.
  web.JournalEvent(click);
  web.JournalTally(Clock::System()->NowMicros());
  ASSERT_TRUE(WaitFor([&] { return conversions().size() == 2; }, 60s))
      << conversions().size() << " conversions";
  std::vector<ConversionRow> rows = conversions();  // newest first
  EXPECT_EQ(rows[0].link_id, link_);
  EXPECT_EQ(rows[0].click_event_id, click.id);
  EXPECT_EQ(rows[1].link_id, 0);  // its click never came: unattributed after the hold
}

}  // namespace
}  // namespace ct
