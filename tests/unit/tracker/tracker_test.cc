// Tracker against a fake in-memory Bus and a real SqliteStore in a temp dir; LocalBus against a
// real JournalWriter + JournalReader.
#include "tracker/tracker.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bus/local_bus.h"
#include "common/event.h"
#include "journal/format.h"
#include "journal/reader.h"
#include "journal/segment_files.h"
#include "journal/writer.h"
#include "store/forwarding_store.h"
#include "store/sqlite/sqlite_store.h"

namespace ct {
namespace {

using std::chrono::milliseconds;

constexpr uint8_t kEventType = 1;
constexpr int64_t kDay0 = 1'704'067'200'000'000;  // 2024-01-01T00:00:00Z
constexpr auto kWait = std::chrono::seconds(10);

// An in-memory log. Positions mimic the journal's: each record takes 12 + payload bytes.
class FakeBus : public Bus {
 public:
  // Appends a record; returns its position.
  uint64_t Append(uint8_t type, std::string payload) {
    std::lock_guard lock(mu_);
    BusRecord r;
    r.position = end_;
    r.next_position = end_ + 12 + payload.size();
    r.type = type;
    r.payload = std::move(payload);
    end_ = r.next_position;
    records_.push_back(std::move(r));
    return records_.back().position;
  }
  // Bytes with no record in them (skipped corruption, the end of a segment).
  void AppendGap(uint64_t n) {
    std::lock_guard lock(mu_);
    end_ += n;
  }

  Result<BusBatch> Fetch(uint64_t from, size_t max_records, milliseconds wait) override {
    {
      std::lock_guard lock(mu_);
      fetch_froms_.push_back(from);
      BusBatch b;
      b.next_position = from;
      for (const auto& r : records_) {
        if (r.position < from) continue;
        if (b.records.size() == max_records) break;
        b.records.push_back(r);
        b.next_position = r.next_position;
      }
      // Everything up to the end was handed out: the batch also covers a trailing gap.
      if (b.records.size() < max_records && end_ > b.next_position) b.next_position = end_;
      if (!b.records.empty() || b.next_position != from) return b;
    }
    std::this_thread::sleep_for(std::min(wait, milliseconds(2)));
    BusBatch empty;
    empty.next_position = from;
    return empty;
  }
  Status Ack(uint64_t position) override {
    std::lock_guard lock(mu_);
    acks_.push_back(position);
    return Status::Ok();
  }
  uint64_t EndPosition() const override {
    std::lock_guard lock(mu_);
    return end_;
  }

  std::vector<uint64_t> acks() const {
    std::lock_guard lock(mu_);
    return acks_;
  }
  std::vector<uint64_t> fetch_froms() const {
    std::lock_guard lock(mu_);
    return fetch_froms_;
  }
  std::vector<BusRecord> records() const {
    std::lock_guard lock(mu_);
    return records_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<BusRecord> records_;
  uint64_t end_ = 0;
  std::vector<uint64_t> acks_;
  std::vector<uint64_t> fetch_froms_;
};

// Forwards to a real store; can fail Commit calls and run a hook before each one.
class FlakyStore : public StoreWrapper {
 public:
  explicit FlakyStore(Store* inner) : StoreWrapper(inner), inner_(inner) {}
  Result<CommitResult> Commit(const CommitBatch& b) override {
    int call = ++commit_calls;
    if (before_commit) before_commit(call);
    if (on_batch) on_batch(b);
    if (call <= fail_first_commits.load() || fail_always) {
      return Status::Unavailable("injected commit failure " + std::to_string(call));
    }
    return inner_->Commit(b);
  }

  std::atomic<int> commit_calls{0};
  std::atomic<int> fail_first_commits{0};
  std::atomic<bool> fail_always{false};
  std::function<void(int)> before_commit;
  std::function<void(const CommitBatch&)> on_batch;  // sees every batch offered to the store

 private:
  Store* inner_;
};

class TrackerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ct-tracker-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    SqliteStoreOptions o;
    o.path = (dir_ / "clicktrail.db").string();
    o.read_connections = 2;
    auto s = OpenSqliteStore(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    sqlite_ = std::move(s).value();
    store_ = std::make_unique<FlakyStore>(sqlite_.get());
    auto acc = sqlite_->CreateAccount({"acme", "hash-acme", "ct_acme"});
    ASSERT_TRUE(acc.ok()) << acc.status().ToString();
    account_ = *acc;
    auto link = sqlite_->CreateLink(
        {.account_id = account_, .slug = "promo", .destination = "https://example.com/"});
    ASSERT_TRUE(link.ok()) << link.status().ToString();
    link_ = link->id;
  }
  void TearDown() override {
    store_.reset();
    sqlite_.reset();
    std::filesystem::remove_all(dir_);
  }

  TrackerOptions Options(size_t batch_max = 100) {
    TrackerOptions o;
    o.batch_max = batch_max;
    o.fetch_wait = milliseconds(5);
    o.retry_min = milliseconds(1);
    o.retry_max = milliseconds(4);
    return o;
  }

  std::unique_ptr<Tracker> NewTracker(Bus* bus, size_t batch_max = 100) {
    return std::make_unique<Tracker>(Options(batch_max), bus, store_.get(), &metrics_,
                                     Clock::System());
  }

  // The encoded event number `n` (its id is derived from n, so re-encoding n is a duplicate).
  std::string EventPayload(uint64_t n, EventKind kind = EventKind::kClick,
                           std::string ip = "192.0.2.1") {
    Event e;
    e.kind = kind;
    std::memcpy(e.id.data(), "trk-test", 8);
    std::memcpy(e.id.data() + 8, &n, 8);
    e.time_us = kDay0 + static_cast<int64_t>(n) * 1'000'000;
    e.link_id = link_;
    e.account_id = account_;
    e.ip = std::move(ip);
    e.user_agent = "test-agent";
    std::string out;
    EncodeEvent(e, &out);
    return out;
  }

  LinkStats Stats() {
    auto s = sqlite_->GetLinkStats(
        {account_, link_, kDay0 - 86'400'000'000, kDay0 + 2 * 86'400'000'000, Interval::kDay});
    EXPECT_TRUE(s.ok() && s->has_value());
    return s.ok() && s->has_value() ? **s : LinkStats{};
  }
  uint64_t Position() {
    auto p = sqlite_->ConsumedPosition("journal");
    EXPECT_TRUE(p.ok());
    return p.ok() ? *p : 0;
  }
  double Metric(const std::string& name) { return metrics_.Value(name); }

  std::filesystem::path dir_;
  std::unique_ptr<Store> sqlite_;
  std::unique_ptr<FlakyStore> store_;
  MetricsRegistry metrics_;
  int64_t account_ = 0, link_ = 0;
};

// A click of a browser with the visitor cookie (ct_vid) or without ("").
Event BrowserClick(int64_t account, int64_t link, uint64_t n, std::string ip,
                   std::string visitor_id) {
  Event e;
  std::memcpy(e.id.data(), "trk-enri", 8);
  std::memcpy(e.id.data() + 8, &n, 8);
  e.time_us = kDay0 + static_cast<int64_t>(n) * 1'000'000;
  e.link_id = link;
  e.account_id = account;
  e.ip = std::move(ip);
  e.user_agent =
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.0.0 Safari/537.36";
  e.referrer = "https://www.Example.com/post";
  e.accept_language = "de-CH,de;q=0.9";
  e.visitor_id = std::move(visitor_id);
  return e;
}

TEST_F(TrackerTest, CommittedHitsCarryTheEnrichment) {
  std::mutex mu;
  std::vector<HitRecord> hits;
  store_->on_batch = [&](const CommitBatch& b) {
    std::lock_guard lock(mu);
    hits.insert(hits.end(), b.hits.begin(), b.hits.end());
  };
  FakeBus bus;
  std::string payload;
  EncodeEvent(BrowserClick(account_, link_, 1, "8.8.8.8", ""), &payload);
  bus.Append(kEventType, payload);
  Event bot = BrowserClick(account_, link_, 2, "193.99.144.80", "");
  bot.user_agent = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
  payload.clear();
  EncodeEvent(bot, &payload);
  bus.Append(kEventType, payload);

  TrackerOptions o = Options();
  o.enricher = enrich::Enricher(enrich::LoadEnrichSources("", "", ""));
  Tracker t(o, &bus, store_.get(), &metrics_, Clock::System());
  ASSERT_TRUE(t.Start().ok());
  ASSERT_TRUE(t.WaitCommitted(bus.EndPosition(), kWait));
  t.Stop();

  std::lock_guard lock(mu);
  ASSERT_EQ(hits.size(), 2u);
  const Enrichment& h = hits[0].enrichment;
  EXPECT_EQ(h.country, "US");
  EXPECT_EQ(h.device, "desktop");
  EXPECT_EQ(h.os, "windows");
  EXPECT_EQ(h.browser, "chrome");
  EXPECT_EQ(h.referrer_domain, "example.com");
  EXPECT_EQ(h.language, "de");
  EXPECT_FALSE(h.bot);
  const Enrichment& b = hits[1].enrichment;
  EXPECT_EQ(b.country, "DE");
  EXPECT_EQ(b.device, "bot");
  EXPECT_TRUE(b.bot);
}

TEST_F(TrackerTest, TheVisitorCookieDrivesUniques) {
  FakeBus bus;
  // The same cookie from two networks: one visitor. No cookie: each (ip, agent) is one.
  const std::pair<const char*, const char*> clicks[] = {
      {"192.0.2.1", "AAAAAAAAAAAAAAAAAAAAAA"},
      {"198.51.100.7", "AAAAAAAAAAAAAAAAAAAAAA"},
      {"192.0.2.1", ""},
      {"198.51.100.7", ""},
      {"198.51.100.7", ""},
  };
  uint64_t n = 0;
  for (const auto& [ip, vid] : clicks) {
    std::string payload;
    EncodeEvent(BrowserClick(account_, link_, ++n, ip, vid), &payload);
    bus.Append(kEventType, payload);
  }
  auto t = NewTracker(&bus);
  ASSERT_TRUE(t->Start().ok());
  ASSERT_TRUE(t->WaitCommitted(bus.EndPosition(), kWait));
  t->Stop();
  LinkStats s = Stats();
  EXPECT_EQ(s.total, 5);
  EXPECT_EQ(s.unique, 3);
}

TEST_F(TrackerTest, CommitsEventsWithRightCounts) {
  FakeBus bus;
  for (uint64_t i = 0; i < 10; ++i)
    bus.Append(kEventType, EventPayload(i, EventKind::kClick, "192.0.2." + std::to_string(i % 3)));
  for (uint64_t i = 10; i < 12; ++i) bus.Append(kEventType, EventPayload(i, EventKind::kHead));
  auto t = NewTracker(&bus);
  ASSERT_TRUE(t->Start().ok());
  ASSERT_TRUE(t->WaitCommitted(bus.EndPosition(), kWait));
  t->Stop();
  LinkStats s = Stats();
  EXPECT_EQ(s.total, 10);
  EXPECT_EQ(s.unique, 3);  // three distinct ips, same agent, one day
  EXPECT_EQ(s.head, 2);
  EXPECT_EQ(Position(), bus.EndPosition());
  EXPECT_EQ(t->CommittedPosition(), bus.EndPosition());
  EXPECT_EQ(Metric("clicktrail_tracker_events_committed_total"), 12);
  EXPECT_EQ(Metric("clicktrail_tracker_duplicates_total"), 0);
  EXPECT_EQ(Metric("clicktrail_tracker_dead_letters_total"), 0);
  EXPECT_EQ(Metric("clicktrail_tracker_committed_position"),
            static_cast<double>(bus.EndPosition()));
  ASSERT_FALSE(bus.acks().empty());
  EXPECT_EQ(bus.acks().back(), bus.EndPosition());
}

TEST_F(TrackerTest, PositionMovesWithEachBatch) {
  FakeBus bus;
  for (uint64_t i = 0; i < 10; ++i) bus.Append(kEventType, EventPayload(i));
  bus.AppendGap(100);  // trailing bytes without a record: the position still moves past them
  auto recs = bus.records();
  auto t = NewTracker(&bus, /*batch_max=*/3);
  ASSERT_TRUE(t->Start().ok());
  ASSERT_TRUE(t->WaitCommitted(bus.EndPosition(), kWait));
  t->Stop();
  // One commit per batch of 3; each acks exactly that batch's next_position.
  std::vector<uint64_t> want = {recs[2].next_position, recs[5].next_position, recs[8].next_position,
                                bus.EndPosition()};
  EXPECT_EQ(bus.acks(), want);
  EXPECT_EQ(Position(), bus.EndPosition());
  EXPECT_EQ(recs.back().next_position + 100, bus.EndPosition());
  EXPECT_EQ(Stats().total, 10);
  EXPECT_EQ(store_->commit_calls.load(), 4);
}

TEST_F(TrackerTest, DeadLettersDoNotBlockLaterEvents) {
  FakeBus bus;
  bus.Append(kEventType, EventPayload(1));
  bus.Append(kEventType, "not an event");            // undecodable payload
  bus.Append(kEventType, EventPayload(2) + "junk");  // trailing bytes
  bus.Append(7, EventPayload(3));                    // unknown record type
  bus.Append(kEventType, "");                        // empty
  bus.Append(kEventType, EventPayload(4));
  auto t = NewTracker(&bus);
  ASSERT_TRUE(t->Start().ok());
  ASSERT_TRUE(t->WaitCommitted(bus.EndPosition(), kWait));
  t->Stop();
  EXPECT_EQ(Stats().total, 2);
  EXPECT_EQ(Metric("clicktrail_tracker_events_committed_total"), 2);
  EXPECT_EQ(Metric("clicktrail_tracker_dead_letters_total"), 4);
  EXPECT_EQ(Position(), bus.EndPosition());
}

TEST_F(TrackerTest, StoreFailuresAreRetriedWithoutLossOrDoubling) {
  store_->fail_first_commits = 3;
  FakeBus bus;
  for (uint64_t i = 0; i < 20; ++i) bus.Append(kEventType, EventPayload(i));
  auto t = NewTracker(&bus, /*batch_max=*/8);
  ASSERT_TRUE(t->Start().ok());
  ASSERT_TRUE(t->WaitCommitted(bus.EndPosition(), kWait));
  t->Stop();
  EXPECT_EQ(Stats().total, 20);
  EXPECT_EQ(Metric("clicktrail_tracker_events_committed_total"), 20);
  EXPECT_EQ(Metric("clicktrail_tracker_duplicates_total"), 0);
  EXPECT_EQ(Metric("clicktrail_tracker_commit_errors_total"), 3);
  EXPECT_EQ(store_->commit_calls.load(), 3 + 3);  // 3 failures, then batches of 8, 8, 4
  EXPECT_EQ(Position(), bus.EndPosition());
  // Nothing was acked before it was committed.
  for (uint64_t a : bus.acks()) EXPECT_LE(a, Position());
}

TEST_F(TrackerTest, RestartResumesFromStoredPositionAndDropsDuplicates) {
  FakeBus bus;
  for (uint64_t i = 0; i < 5; ++i) bus.Append(kEventType, EventPayload(i));
  {
    auto t = NewTracker(&bus);
    ASSERT_TRUE(t->Start().ok());
    ASSERT_TRUE(t->WaitCommitted(bus.EndPosition(), kWait));
  }  // destroyed: stopped
  const uint64_t first_end = Position();
  ASSERT_EQ(first_end, bus.EndPosition());
  ASSERT_EQ(Stats().total, 5);

  // The journal hands out the same events again at new positions (an fsync-failure rewrite
  // does that), plus two new ones.
  for (uint64_t i = 0; i < 5; ++i) bus.Append(kEventType, EventPayload(i));
  bus.Append(kEventType, EventPayload(100));
  bus.Append(kEventType, EventPayload(101));

  MetricsRegistry m2;
  Tracker t2(Options(), &bus, store_.get(), &m2, Clock::System());
  const size_t fetches_before = bus.fetch_froms().size();
  ASSERT_TRUE(t2.Start().ok());
  EXPECT_EQ(t2.CommittedPosition(), first_end);
  ASSERT_TRUE(t2.WaitCommitted(bus.EndPosition(), kWait));
  t2.Stop();
  auto froms = bus.fetch_froms();
  ASSERT_GT(froms.size(), fetches_before);
  EXPECT_EQ(froms[fetches_before], first_end);  // resumed at the stored position, not at 0
  EXPECT_EQ(m2.Value("clicktrail_tracker_duplicates_total"), 5);
  EXPECT_EQ(m2.Value("clicktrail_tracker_events_committed_total"), 2);
  EXPECT_EQ(Stats().total, 7);
  EXPECT_EQ(Position(), bus.EndPosition());
}

TEST_F(TrackerTest, PositionConflictResumesFromStore) {
  FakeBus bus;
  for (uint64_t i = 0; i < 6; ++i) bus.Append(kEventType, EventPayload(i));
  auto recs = bus.records();
  // Just before the tracker's first commit, another consumer (a zombie) commits the first
  // three records' position under the same name.
  const uint64_t moved_to = recs[2].next_position;
  store_->before_commit = [&](int call) {
    if (call != 1) return;
    CommitBatch b;
    b.consumer = "journal";
    b.from_position = 0;
    b.to_position = moved_to;
    ASSERT_TRUE(sqlite_->Commit(b).ok());
  };
  auto t = NewTracker(&bus);
  ASSERT_TRUE(t->Start().ok());
  ASSERT_TRUE(t->WaitCommitted(bus.EndPosition(), kWait));
  t->Stop();
  EXPECT_EQ(Metric("clicktrail_tracker_position_conflicts_total"), 1);
  EXPECT_EQ(Position(), bus.EndPosition());
  // The records behind the other consumer's position are its business: 3 counted here.
  EXPECT_EQ(Stats().total, 3);
}

TEST_F(TrackerTest, DrainReturnsTrueOnceEverythingIsCommitted) {
  FakeBus bus;
  for (uint64_t i = 0; i < 50; ++i) bus.Append(kEventType, EventPayload(i));
  auto t = NewTracker(&bus, /*batch_max=*/7);
  ASSERT_TRUE(t->Start().ok());
  ASSERT_TRUE(t->Drain(bus.EndPosition(), kWait));
  EXPECT_EQ(t->CommittedPosition(), bus.EndPosition());
  EXPECT_EQ(Position(), bus.EndPosition());
  EXPECT_EQ(Stats().total, 50);
  t->Stop();
}

TEST_F(TrackerTest, DrainTimesOutWhileTheStoreIsDown) {
  store_->fail_always = true;
  FakeBus bus;
  bus.Append(kEventType, EventPayload(1));
  auto t = NewTracker(&bus);
  ASSERT_TRUE(t->Start().ok());
  EXPECT_FALSE(t->Drain(bus.EndPosition(), milliseconds(200)));
  EXPECT_EQ(Position(), 0u);
  EXPECT_GT(Metric("clicktrail_tracker_commit_errors_total"), 0);
  t->Stop();  // returns although the batch cannot be committed
  // A new tracker on a healthy store picks the event up: nothing lost.
  store_->fail_always = false;
  MetricsRegistry m2;
  Tracker t2(Options(), &bus, store_.get(), &m2, Clock::System());
  ASSERT_TRUE(t2.Start().ok());
  ASSERT_TRUE(t2.WaitCommitted(bus.EndPosition(), kWait));
  t2.Stop();
  EXPECT_EQ(Stats().total, 1);
}

TEST_F(TrackerTest, RepeatedFailuresHookFiresEveryRebuildAfterFailures) {
  store_->fail_first_commits = 7;
  FakeBus bus;
  bus.Append(kEventType, EventPayload(1));
  std::mutex mu;
  std::vector<int> hook_calls;
  std::vector<int> seen_failures;
  TrackerOptions o = Options();
  o.rebuild_after = 3;
  Tracker* tp = nullptr;
  o.on_repeated_failures = [&](int n) {
    std::lock_guard lock(mu);
    hook_calls.push_back(n);
    seen_failures.push_back(tp->ConsecutiveCommitFailures());
  };
  Tracker t(o, &bus, store_.get(), &metrics_, Clock::System());
  tp = &t;
  ASSERT_TRUE(t.Start().ok());
  ASSERT_TRUE(t.WaitCommitted(bus.EndPosition(), kWait));
  t.Stop();
  std::lock_guard lock(mu);
  EXPECT_EQ(hook_calls, (std::vector<int>{3, 6}));  // 7 failures, then a success
  EXPECT_EQ(seen_failures, (std::vector<int>{3, 6}));
  EXPECT_EQ(t.ConsecutiveCommitFailures(), 0);  // reset by the success
  EXPECT_EQ(Metric("clicktrail_tracker_consecutive_commit_failures"), 0);
}

TEST_F(TrackerTest, FailureCountIsExposedWhileTheStoreIsDown) {
  store_->fail_always = true;
  FakeBus bus;
  bus.Append(kEventType, EventPayload(1));
  auto t = NewTracker(&bus);
  ASSERT_TRUE(t->Start().ok());
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (t->ConsecutiveCommitFailures() < 4 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_GE(t->ConsecutiveCommitFailures(), 4);
  EXPECT_GE(Metric("clicktrail_tracker_consecutive_commit_failures"), 4);
  EXPECT_GE(t->SecondsSinceLastCommit(), 0.0);
  store_->fail_always = false;
  ASSERT_TRUE(t->WaitCommitted(bus.EndPosition(), kWait));
  t->Stop();
  EXPECT_EQ(t->ConsecutiveCommitFailures(), 0);
}

TEST_F(TrackerTest, OnCommitReportsPositionAndNewestEventTime) {
  FakeBus bus;
  for (uint64_t i = 0; i < 5; ++i) bus.Append(kEventType, EventPayload(i));
  std::mutex mu;
  std::vector<std::pair<uint64_t, int64_t>> commits;
  TrackerOptions o = Options(/*batch_max=*/100);
  o.on_commit = [&](uint64_t pos, int64_t newest_us) {
    std::lock_guard lock(mu);
    commits.emplace_back(pos, newest_us);
  };
  Tracker t(o, &bus, store_.get(), &metrics_, Clock::System());
  ASSERT_TRUE(t.Start().ok());
  ASSERT_TRUE(t.WaitCommitted(bus.EndPosition(), kWait));
  t.Stop();
  std::lock_guard lock(mu);
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].first, bus.EndPosition());
  EXPECT_EQ(commits[0].second, kDay0 + 4 * 1'000'000);  // event 4 is the newest
}

TEST_F(TrackerTest, EventsPerSecondCountsTheLastTenSecondsAndDecays) {
  FakeBus bus;
  for (uint64_t i = 0; i < 40; ++i) bus.Append(kEventType, EventPayload(i));
  FakeClock clock;
  Tracker t(Options(), &bus, store_.get(), &metrics_, &clock);
  ASSERT_TRUE(t.Start().ok());
  ASSERT_TRUE(t.WaitCommitted(bus.EndPosition(), kWait));
  // The current (partial) second is left out of the average.
  EXPECT_EQ(t.EventsPerSecond(), 0);
  clock.Advance(std::chrono::seconds(1));
  EXPECT_DOUBLE_EQ(t.EventsPerSecond(), 4.0);  // 40 events over a 10 s window
  EXPECT_DOUBLE_EQ(t.SecondsSinceLastCommit(), 1.0);
  clock.Advance(std::chrono::seconds(10));
  EXPECT_EQ(t.EventsPerSecond(), 0);  // idle: decayed
  t.Stop();
}

TEST_F(TrackerTest, StopIsIdempotentAndWorksWithoutStart) {
  FakeBus bus;
  auto t = NewTracker(&bus);
  t->Stop();
  t->Stop();
  auto t2 = NewTracker(&bus);
  ASSERT_TRUE(t2->Start().ok());
  t2->Stop();
  t2->Stop();
}

// ---- LocalBus over a real journal ------------------------------------------------------------

class LocalBusTest : public TrackerTest {
 protected:
  void OpenJournal(std::chrono::microseconds commit_delay, uint64_t segment_bytes) {
    journal::JournalOptions o;
    o.dir = (dir_ / "journal").string();
    o.segment_bytes = segment_bytes;
    o.commit_delay = commit_delay;
    o.preallocate = false;
    auto w =
        journal::JournalWriter::Open(o, journal::FileEnv::Posix(), &jmetrics_, Clock::System());
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    writer_ = std::move(w).value();
    reader_ =
        std::make_unique<journal::JournalReader>(o.dir, journal::FileEnv::Posix(), &jmetrics_);
    bus_ = std::make_unique<LocalBus>(writer_.get(), reader_.get());
  }
  void TearDown() override {
    if (writer_) {
      EXPECT_TRUE(writer_->Close().ok());
    }
    bus_.reset();
    reader_.reset();
    writer_.reset();
    TrackerTest::TearDown();
  }
  uint64_t AppendEvent(uint64_t n) {
    std::string framed;
    journal::AppendRecord(&framed, journal::RecordType::kEvent, EventPayload(n));
    auto pos = writer_->Append(framed);
    EXPECT_TRUE(pos.ok()) << pos.status().ToString();
    return pos.ok() ? *pos : 0;
  }
  int Segments() {
    auto s = journal::ListSegments(journal::FileEnv::Posix(), (dir_ / "journal").string());
    return s.ok() ? static_cast<int>(s->size()) : -1;
  }

  MetricsRegistry jmetrics_;
  std::unique_ptr<journal::JournalWriter> writer_;
  std::unique_ptr<journal::JournalReader> reader_;
  std::unique_ptr<LocalBus> bus_;
};

TEST_F(LocalBusTest, HandsOutOnlyDurableRecords) {
  OpenJournal(std::chrono::milliseconds(300), 1 << 20);
  uint64_t end = 0;
  for (uint64_t i = 0; i < 5; ++i) end = AppendEvent(i);
  // Right after the appends nothing is fsynced yet (group commit waits up to 300 ms); whatever
  // a fetch returns must be below the durable position read after it.
  auto early = bus_->Fetch(0, 100, milliseconds(0));
  ASSERT_TRUE(early.ok()) << early.status().ToString();
  uint64_t durable = writer_->DurablePosition();
  for (const auto& r : early->records) EXPECT_LE(r.next_position, durable);
  EXPECT_LE(early->next_position, durable);

  // Waiting long enough returns all of them, in order, once durable.
  std::vector<BusRecord> got = early->records;
  uint64_t from = early->next_position;
  auto deadline = std::chrono::steady_clock::now() + kWait;
  while (got.size() < 5 && std::chrono::steady_clock::now() < deadline) {
    auto b = bus_->Fetch(from, 100, milliseconds(1000));
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    for (auto& r : b->records) got.push_back(r);
    from = b->next_position;
  }
  ASSERT_EQ(got.size(), 5u);
  EXPECT_GE(writer_->DurablePosition(), end);
  EXPECT_EQ(bus_->EndPosition(), writer_->DurablePosition());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].type, kEventType);
    auto e = DecodeEvent(got[i].payload);
    ASSERT_TRUE(e.ok());
    uint64_t n;
    std::memcpy(&n, e->id.data() + 8, 8);
    EXPECT_EQ(n, i);
    if (i > 0) {
      EXPECT_EQ(got[i].position, got[i - 1].next_position);
    }
  }
  EXPECT_EQ(got.back().next_position, end);
}

TEST_F(LocalBusTest, FetchWaitsAndReturnsEmptyWhenNothingIsThere) {
  OpenJournal(std::chrono::microseconds(500), 1 << 20);
  uint64_t start = writer_->DurablePosition();
  auto t0 = std::chrono::steady_clock::now();
  auto b = bus_->Fetch(start, 10, milliseconds(50));
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->records.empty());
  EXPECT_EQ(b->next_position, start);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(40));
}

TEST_F(LocalBusTest, AckDeletesConsumedSegments) {
  // Small segments: each holds a handful of events, so 60 events span many segments.
  OpenJournal(std::chrono::microseconds(500), 1024);
  uint64_t end = 0;
  for (uint64_t i = 0; i < 60; ++i) end = AppendEvent(i);
  const int before = Segments();
  ASSERT_GT(before, 3);
  std::vector<BusRecord> got;
  uint64_t from = 0;
  auto deadline = std::chrono::steady_clock::now() + kWait;
  while (got.size() < 60 && std::chrono::steady_clock::now() < deadline) {
    auto b = bus_->Fetch(from, 1000, milliseconds(500));
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    for (auto& r : b->records) got.push_back(std::move(r));
    from = b->next_position;
  }
  ASSERT_EQ(got.size(), 60u);
  // Acking half releases the segments wholly below that position, and only those.
  ASSERT_TRUE(bus_->Ack(got[29].next_position).ok());
  const int mid = Segments();
  EXPECT_LT(mid, before);
  EXPECT_GT(mid, 1);
  // What is left can still be fetched from the acked position.
  auto again = bus_->Fetch(got[29].next_position, 1000, milliseconds(500));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_FALSE(again->records.empty());
  EXPECT_EQ(again->records.front().position, got[30].position);
  // Acking everything leaves at most the active segment.
  ASSERT_TRUE(bus_->Ack(end).ok());
  EXPECT_LE(Segments(), 1);
}

TEST_F(LocalBusTest, TrackerEndToEnd) {
  OpenJournal(std::chrono::microseconds(1000), 2048);
  uint64_t end = 0;
  for (uint64_t i = 0; i < 40; ++i) end = AppendEvent(i);
  Tracker t(Options(/*batch_max=*/16), bus_.get(), store_.get(), &metrics_, Clock::System());
  ASSERT_TRUE(t.Start().ok());
  ASSERT_TRUE(t.Drain(end, kWait));
  t.Stop();
  EXPECT_EQ(Stats().total, 40);
  EXPECT_GE(Position(), end);
  EXPECT_LE(Segments(), 1);  // everything consumed was released
}

}  // namespace
}  // namespace ct

namespace ct {
namespace {

// Tally records: committed into the reconciliation table with the events (per event hour), and
// the bus is released only up to the newest committed tally, so the edge's next start can count
// what follows it (journal/tally_recovery.h).
TEST_F(TrackerTest, TalliesAreCommittedAndBoundTheRelease) {
  auto tally = [](uint64_t seq, uint64_t n) {
    Tally t;
    t.edge = "local";
    t.seq = seq;
    t.as_of_us = kDay0 + 1;
    t.rows = {{HourStartMicros(kDay0), n, n}};
    std::string payload;
    EncodeTally(t, &payload);
    return payload;
  };
  FakeBus bus;
  bus.Append(kEventType, EventPayload(1));
  const uint64_t tally_at = bus.Append(2, tally(0, 1));
  bus.Append(kEventType, EventPayload(2));  // after the last tally: not released
  auto t = NewTracker(&bus);
  ASSERT_TRUE(t->Start().ok());
  ASSERT_TRUE(t->WaitCommitted(bus.EndPosition(), kWait));
  t->Stop();
  ASSERT_FALSE(bus.acks().empty());
  EXPECT_EQ(bus.acks().back(), tally_at);
  EXPECT_EQ(Metric("clicktrail_tracker_dead_letters_total"), 0);
  auto d = store_->GetReconciliation(kDay0 - kMicrosPerHour, kDay0 + kMicrosPerHour);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->rows.size(), 1u);
  EXPECT_EQ(d->rows[0].edge, "local");
  EXPECT_EQ(d->rows[0].answered, 1);
  EXPECT_EQ(d->rows[0].committed, 2);  // the second event's tally is still to come
}

}  // namespace
}  // namespace ct
