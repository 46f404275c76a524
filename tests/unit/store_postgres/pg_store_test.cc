// PostgresStore against a real PostgreSQL 15 (testutil/pg_cluster.h): migrations, accounts,
// links and domains, the commit's exactness and dedup, watermarks, the outbox claim, and the
// connection layer's recovery from a killed and a paused server.
#include <signal.h>

#include <chrono>
#include <cstring>
#include <future>
#include <random>
#include <set>
#include <thread>

#include "pg_fixture.h"
#include "store/postgres/pg_conn.h"
#include "store/postgres/pg_schema.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/temp_dir.h"
#include "unit/store/ranged_items_scenario.h"

namespace ct::testing_pg {
namespace {

HitRecord MakeHit(uint64_t n, int64_t link_id, int64_t account_id, int64_t time_us,
                  const std::string& visitor, EventKind kind = EventKind::kClick) {
  HitRecord h;
  h.event.kind = kind;
  std::memcpy(h.event.id.data(), "test-id-", 8);
  std::memcpy(h.event.id.data() + 8, &n, 8);
  h.event.time_us = time_us;
  h.event.link_id = link_id;
  h.event.account_id = account_id;
  h.event.ip = "192.0.2.1";
  h.event.user_agent = "Mozilla/5.0 test";
  h.event.referrer = "https://example.org/";
  h.event.accept_language = "en";
  h.visitor_key = visitor;
  return h;
}

CommitBatch Batch(const std::string& consumer, uint64_t from, uint64_t to,
                  std::vector<HitRecord> hits) {
  CommitBatch b;
  b.consumer = consumer;
  b.from_position = from;
  b.to_position = to;
  b.hits = std::move(hits);
  return b;
}

TEST_F(PgStoreTest, MigrationsAreVersionedAndTwoOpenersDoNotRace) {
  EXPECT_EQ(Int("SELECT MAX(version) FROM schema_migrations"), pg::LatestSchemaVersion());
  // A fresh database opened by two processes' worth of stores at once: the advisory lock makes
  // the second wait and find nothing to do.
  cluster_->Psql("CREATE DATABASE " + db_ + "_b");
  PostgresOptions o = Options();
  o.url = cluster_->conninfo() + " dbname=" + db_ + "_b";
  auto open = [&] { return OpenPostgresStore(o).status(); };
  std::future<Status> a = std::async(std::launch::async, open);
  std::future<Status> b = std::async(std::launch::async, open);
  EXPECT_TRUE(a.get().ok());
  EXPECT_TRUE(b.get().ok());
  EXPECT_EQ(cluster_->Psql("SELECT COUNT(*) FROM schema_migrations", db_ + "_b"),
            std::to_string(pg::LatestSchemaVersion()) + "\n");
  // And the hits partitions around "now" exist.
  EXPECT_GE(Int("SELECT COUNT(*) FROM pg_inherits WHERE inhparent = 'hits'::regclass"), 4);
}

TEST_F(PgStoreTest, AccountsAndKeys) {
  const int64_t a = Account("acme");
  ASSERT_GT(a, 0);
  Result<std::optional<ApiKeyInfo>> key = store_->FindApiKey("hash-acme");
  ASSERT_TRUE(key.ok() && key->has_value());
  EXPECT_EQ((*key)->account_id, a);
  EXPECT_FALSE((*key)->revoked);
  EXPECT_FALSE(store_->FindApiKey("nope")->has_value());
  EXPECT_EQ(store_->CreateAccount({"acme", "hash-2", "hash"}).status().code(),
            StatusCode::kAlreadyExists);
  Result<std::optional<AccountRow>> row = store_->GetAccount(a);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->name, "acme");
  EXPECT_EQ((*row)->created_at_us, clock_.NowMicros());
  EXPECT_FALSE(store_->GetAccount(a + 100)->has_value());
  EXPECT_TRUE(*store_->AccountExists(a));
}

TEST_F(PgStoreTest, LinksDomainsAndTheChangeFeed) {
  const int64_t a = Account("acme"), b = Account("other");
  LinkRow l1 = Link(a, "promo");
  ASSERT_GT(l1.id, 0);
  EXPECT_EQ(store_->CreateLink({.account_id = b, .slug = "promo", .destination = "https://x/"})
                .status()
                .code(),
            StatusCode::kAlreadyExists);
  EXPECT_FALSE(store_->GetLink(b, l1.id)->has_value());  // another account's: missing
  Result<DomainRow> d = store_->CreateDomain(a, "go.acme.test");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(store_->CreateDomain(b, "go.acme.test").status().code(), StatusCode::kAlreadyExists);
  Result<LinkRow> l2 = store_->CreateLink({.account_id = a,
                                           .slug = "promo",
                                           .destination = "https://example.com/2",
                                           .domain = "go.acme.test",
                                           .tags = {"b", "a", "b"}});
  ASSERT_TRUE(l2.ok()) << l2.status().ToString();
  EXPECT_EQ(l2->tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(store_->DeleteDomain(a, d->id).status().code(), StatusCode::kFailedPrecondition);

  Result<LinkPage> page = store_->ListLinks(a, {}, 0, 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->links.size(), 1u);
  ASSERT_TRUE(page->next_after_id.has_value());
  page = store_->ListLinks(a, {.tag = "a"}, 0, 10);
  ASSERT_EQ(page->links.size(), 1u);
  EXPECT_EQ(page->links[0].id, l2->id);
  EXPECT_EQ(page->links[0].tags, l2->tags);

  // A rename keeps the old slug reserved; versions move forward store-wide.
  Result<std::optional<LinkRow>> up = store_->UpdateLink(a, l1.id, {.slug = "promo2"});
  ASSERT_TRUE(up.ok() && up->has_value()) << up.status().ToString();
  EXPECT_GT((*up)->version, l2->version);
  EXPECT_EQ(store_->CreateLink({.account_id = a, .slug = "promo", .destination = "https://y/"})
                .status()
                .code(),
            StatusCode::kAlreadyExists);
  Result<LinkChanges> all = store_->LinksChangedSince(0);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->links.size(), 2u);
  EXPECT_TRUE(all->domains_changed);
  ASSERT_EQ(all->domains.size(), 1u);
  const int64_t v = all->max_version;
  EXPECT_TRUE(*store_->DeleteLink(a, l2->id));
  EXPECT_FALSE(*store_->DeleteLink(a, l2->id));
  Result<LinkChanges> since = store_->LinksChangedSince(v);
  ASSERT_EQ(since->links.size(), 1u);
  EXPECT_TRUE(since->links[0].deleted);
  EXPECT_FALSE(since->domains_changed);
  EXPECT_TRUE(*store_->DeleteDomain(a, d->id));
  EXPECT_TRUE(store_->ListDomains(a)->empty());
  EXPECT_TRUE(store_->LinksChangedSince(since->max_version)->domains_changed);
}

// Every rollup table agrees with the raw hits it was built from, after batches with clicks,
// HEADs, bots, repeat visitors across days, and ids delivered twice.
TEST_F(PgStoreTest, CommitRollupsMatchRawHits) {
  const int64_t a = Account("acme");
  const int64_t links[] = {Link(a, "l1").id, Link(a, "l2").id, Link(a, "l3").id};
  std::mt19937_64 rng(7);
  uint64_t pos = 0, n = 0;
  uint64_t applied = 0, duplicates = 0;
  std::vector<HitRecord> sent;
  for (int batch = 0; batch < 6; ++batch) {
    std::vector<HitRecord> hits;
    for (int i = 0; i < 300; ++i) {
      if (!sent.empty() && rng() % 10 == 0) {  // a redelivered event
        hits.push_back(sent[rng() % sent.size()]);
        continue;
      }
      const int64_t t = kDay0 + static_cast<int64_t>(rng() % (3 * kDayUs));
      const int r = static_cast<int>(rng() % 10);
      HitRecord h = MakeHit(++n, links[rng() % 3], a, t, "v" + std::to_string(rng() % 40),
                            r == 0 ? EventKind::kHead : EventKind::kClick);
      h.enrichment.bot = r == 1;
      h.enrichment.country = (rng() % 3) ? "US" : "";
      h.enrichment.device = (rng() % 2) ? "mobile" : "desktop";
      h.event.destination = "https://example.com/d" + std::to_string(rng() % 2);
      hits.push_back(h);
      sent.push_back(h);
    }
    Result<CommitResult> r = store_->Commit(Batch("journal", pos, pos + 100, hits));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    pos += 100;
    applied += r->applied;
    duplicates += r->duplicates;
  }
  EXPECT_EQ(applied + duplicates, 6u * 300u);
  EXPECT_EQ(static_cast<int64_t>(applied), Int("SELECT COUNT(*) FROM hits"));
  EXPECT_EQ(*store_->ConsumedPosition("journal"), pos);
  const std::string raw = Sql(R"sql(
    SELECT COUNT(*) FILTER (WHERE kind <> 2 AND NOT bot), COUNT(*) FILTER (WHERE is_unique),
           COUNT(*) FILTER (WHERE kind = 2), COUNT(*) FILTER (WHERE kind <> 2 AND bot)
    FROM hits)sql");
  for (const char* table : {"rollups", "account_rollups"}) {
    for (int g : {60, 3600, 86400}) {
      EXPECT_EQ(
          Sql(std::string("SELECT SUM(total), SUM(unique_count), SUM(head), SUM(bots) FROM ") +
              table + " WHERE granularity = " + std::to_string(g)),
          raw)
          << table << " " << g;
    }
  }
  // Uniques: one per (link, day, visitor) that had a human click.
  EXPECT_EQ(Int("SELECT COUNT(*) FROM hits WHERE is_unique"),
            Int("SELECT COUNT(DISTINCT (link_id, time_us / 86400000000, visitor_key)) FROM hits "
                "WHERE kind <> 2 AND NOT bot"));
  EXPECT_EQ(Int("SELECT SUM(total) FROM dim_rollups WHERE dim = 0"),
            Int("SELECT COUNT(*) FROM hits WHERE kind <> 2 AND NOT bot AND country <> ''"));
  EXPECT_EQ(Int("SELECT SUM(bots) FROM combo_rollups"),
            Int("SELECT COUNT(*) FROM hits WHERE kind <> 2 AND bot"));
  EXPECT_EQ(Int("SELECT SUM(total) FROM account_combo_rollups WHERE granularity = 86400"),
            Int("SELECT COUNT(*) FROM hits WHERE kind <> 2 AND NOT bot"));
  EXPECT_EQ(Int("SELECT SUM(committed) FROM reconciliation"), static_cast<int64_t>(applied));
  EXPECT_EQ(Int("SELECT SUM(duplicates) FROM reconciliation"), static_cast<int64_t>(duplicates));

  // The report API reads the same numbers.
  Result<std::optional<LinkStats>> stats = store_->GetLinkStats(
      {.account_id = a, .from_us = kDay0 - kDayUs, .to_us = kDay0 + 5 * kDayUs});
  ASSERT_TRUE(stats.ok() && stats->has_value()) << stats.status().ToString();
  EXPECT_EQ((*stats)->total, Int("SELECT COUNT(*) FROM hits WHERE kind <> 2 AND NOT bot"));
  EXPECT_EQ((*stats)->series.size(), 3u);
  Result<std::optional<std::vector<BreakdownRow>>> countries = store_->GetBreakdown(
      {.account_id = a, .link_id = links[0], .from_us = kDay0, .to_us = kDay0 + 3 * kDayUs},
      Dimension::kCountry, 10);
  ASSERT_TRUE(countries.ok() && countries->has_value()) << countries.status().ToString();
  int64_t sum = 0;
  for (const BreakdownRow& r : **countries) sum += r.total;
  EXPECT_EQ(sum, Int("SELECT COUNT(*) FROM hits WHERE kind <> 2 AND NOT bot AND link_id = " +
                     std::to_string(links[0])));
}

TEST_F(PgStoreTest, RedeliveredBatchChangesNothingButRanges) {
  const int64_t a = Account("acme");
  const int64_t l = Link(a, "promo").id;
  Result<PostbackRow> pb = store_->CreatePostback({.account_id = a,
                                                   .name = "clicks",
                                                   .url_template = "https://r.test/?c={click_id}",
                                                   .events = kPostbackOnClick,
                                                   .secret = "whsec_x"});
  ASSERT_TRUE(pb.ok()) << pb.status().ToString();
  std::vector<HitRecord> hits;
  for (uint64_t i = 1; i <= 50; ++i) {
    hits.push_back(MakeHit(i, l, a, kDay0 + static_cast<int64_t>(i) * kMinuteUs, "v"));
  }
  CommitBatch first = Batch("t1", 0, 10, hits);
  first.edge = "e1";
  first.edge_ranges = {{"e1", 0, 10}};
  Result<CommitResult> r1 = store_->Commit(first);
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_EQ(r1->applied, 50u);
  EXPECT_EQ(r1->deliveries, 50u);
  ASSERT_EQ(r1->watermarks.size(), 1u);
  EXPECT_EQ(r1->watermarks[0].second, 10u);
  const std::string before =
      Sql("SELECT (SELECT SUM(total) FROM rollups), (SELECT SUM(unique_count) FROM rollups), "
          "(SELECT COUNT(*) FROM outbox), (SELECT COUNT(*) FROM hits), "
          "(SELECT COUNT(*) FROM visitor_days)");
  // The same events again, through another tracker (its own consumer), with the next range
  // the re-shipper covered them in.
  CommitBatch again = Batch("t2", 0, 1, hits);
  again.edge = "e1";
  again.edge_ranges = {{"e1", 10, 20}};
  Result<CommitResult> r2 = store_->Commit(again);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->applied, 0u);
  EXPECT_EQ(r2->duplicates, 50u);
  EXPECT_EQ(r2->deliveries, 0u);
  EXPECT_EQ(r2->watermarks[0].second, 20u);
  EXPECT_EQ(Sql("SELECT (SELECT SUM(total) FROM rollups), (SELECT SUM(unique_count) FROM "
                "rollups), (SELECT COUNT(*) FROM outbox), (SELECT COUNT(*) FROM hits), "
                "(SELECT COUNT(*) FROM visitor_days)"),
            before);
  EXPECT_EQ(before, "150|3|50|50|1\n");  // minute+hour+day; one visitor-day
  EXPECT_EQ(*store_->EdgeWatermark("e1"), 20u);
  // A stale position loses the compare-and-set and changes nothing.
  EXPECT_EQ(store_->Commit(Batch("t1", 0, 10, hits)).status().code(),
            StatusCode::kFailedPrecondition);
}

// Losses and dead letters re-shipped or redelivered count once (README "Reconciliation").
TEST_F(PgStoreTest, RangedLossesAndDeadLettersCountOnce) {
  testing_ranged::RangedItemsCountOnce(store_.get(),
                                       [&] { return Int("SELECT COUNT(*) FROM dead_letters"); });
}

TEST_F(PgStoreTest, WatermarkWaitsForGapsThenJumps) {
  auto commit = [&](uint64_t from, uint64_t to, uint64_t pos) {
    CommitBatch b = Batch("c", pos, pos + 1, {});
    b.edge_ranges = {{"e", from, to}};
    Result<CommitResult> r = store_->Commit(b);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && !r->watermarks.empty() ? r->watermarks[0].second : ~uint64_t{0};
  };
  EXPECT_EQ(commit(10, 20, 0), 0u);  // a gap below it
  EXPECT_EQ(commit(30, 40, 1), 0u);
  EXPECT_EQ(commit(0, 10, 2), 20u);   // closes the first gap
  EXPECT_EQ(commit(20, 30, 3), 40u);  // and the second
  EXPECT_EQ(commit(0, 10, 4), 40u);   // a redelivery below the watermark
  EXPECT_EQ(Int("SELECT COUNT(*) FROM edge_ranges"), 0);
  EXPECT_EQ(*store_->EdgeWatermark("e"), 40u);
  EXPECT_EQ(*store_->EdgeWatermark("unknown"), 0u);
}

// One fetch can hold a message and its re-shipped copy: the same range twice in one batch.
TEST_F(PgStoreTest, ABatchHoldingARangeTwiceCommits) {
  CommitBatch b = Batch("c", 0, 1, {});
  b.edge_ranges = {{"e", 10, 20}, {"e", 0, 10}, {"e", 10, 20}};
  Result<CommitResult> r = store_->Commit(b);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*store_->EdgeWatermark("e"), 20u);
  CommitBatch c = Batch("c", 1, 2, {});
  c.edge_ranges = {{"e", 30, 35}, {"e", 30, 40}, {"e", 20, 30}};
  r = store_->Commit(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*store_->EdgeWatermark("e"), 40u);
}

// Two trackers commit interleaved ranges of two edges concurrently, each range with its hits:
// the watermark ends at the end of each journal, every hit counted once.
TEST_F(PgStoreTest, WatermarksFromTwoConcurrentTrackers) {
  const int64_t a = Account("acme");
  const int64_t l = Link(a, "promo").id;
  constexpr uint64_t kRanges = 40;
  auto tracker = [&](int parity) -> Status {
    uint64_t pos = 0;
    for (uint64_t i = static_cast<uint64_t>(parity); i < kRanges; i += 2) {
      CommitBatch b = Batch("tracker" + std::to_string(parity), pos, pos + 1, {});
      for (uint64_t k = 0; k < 20; ++k) {
        b.hits.push_back(MakeHit(i * 100 + k, l, a, kDay0 + static_cast<int64_t>(i) * kMinuteUs,
                                 "v" + std::to_string(k)));
      }
      // Both edges, in opposite order: the lock order must not depend on the batch's order.
      b.edge_ranges = {{parity ? "e2" : "e1", i * 10, i * 10 + 10},
                       {parity ? "e1" : "e2", i * 10, i * 10 + 10}};
      Result<CommitResult> r = store_->Commit(b);
      if (!r.ok()) return r.status();
      ++pos;
    }
    return Status::Ok();
  };
  std::future<Status> t0 = std::async(std::launch::async, tracker, 0);
  std::future<Status> t1 = std::async(std::launch::async, tracker, 1);
  Status s0 = t0.get(), s1 = t1.get();
  EXPECT_TRUE(s0.ok()) << s0.ToString();
  EXPECT_TRUE(s1.ok()) << s1.ToString();
  EXPECT_EQ(*store_->EdgeWatermark("e1"), kRanges * 10);
  EXPECT_EQ(*store_->EdgeWatermark("e2"), kRanges * 10);
  EXPECT_EQ(Int("SELECT SUM(total) FROM rollups WHERE granularity = 86400"),
            static_cast<int64_t>(kRanges * 20));
}

// Two notifiers claiming at once never hold the same delivery, and together they get all.
TEST_F(PgStoreTest, ClaimsOfTwoNotifiersNeverOverlap) {
  const int64_t a = Account("acme");
  const int64_t l = Link(a, "promo").id;
  ASSERT_TRUE(store_
                  ->CreatePostback({.account_id = a,
                                    .name = "clicks",
                                    .url_template = "https://r.test/?c={click_id}",
                                    .events = kPostbackOnClick,
                                    .secret = "whsec_x"})
                  .ok());
  std::vector<HitRecord> hits;
  for (uint64_t i = 1; i <= 200; ++i) hits.push_back(MakeHit(i, l, a, kDay0, "v"));
  Result<CommitResult> r = store_->Commit(Batch("j", 0, 1, hits));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->deliveries, 200u);
  const int64_t now = clock_.NowMicros();
  auto claimer = [&]() {
    std::vector<std::string> ids;
    for (int round = 0; round < 200; ++round) {
      Result<std::vector<ClaimedDelivery>> c = store_->ClaimDeliveries(now, now + kHourUs, 7);
      if (!c.ok() || c->empty()) break;
      for (const ClaimedDelivery& d : *c) ids.push_back(d.row.id);
    }
    return ids;
  };
  std::future<std::vector<std::string>> f1 = std::async(std::launch::async, claimer);
  std::future<std::vector<std::string>> f2 = std::async(std::launch::async, claimer);
  std::vector<std::string> a1 = f1.get(), a2 = f2.get();
  std::set<std::string> all(a1.begin(), a1.end());
  for (const std::string& id : a2) EXPECT_TRUE(all.insert(id).second) << "claimed twice: " << id;
  EXPECT_EQ(all.size(), 200u);
  EXPECT_EQ(a1.size() + a2.size(), 200u);

  // An outcome moves the row; a second lease after the first ran out gets the others again.
  DeliveryOutcome out;
  out.attempt = {.delivery_id = *all.begin(), .started_at_us = now, .http_status = 200};
  out.state = DeliveryState::kDelivered;
  ASSERT_TRUE(store_->RecordDeliveryOutcome(out).ok());
  Result<std::vector<ClaimedDelivery>> later =
      store_->ClaimDeliveries(now + 2 * kHourUs, now + 3 * kHourUs, 1000);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->size(), 199u);
  EXPECT_EQ(Int("SELECT attempt FROM delivery_attempts"), 1);
}

TEST_F(PgStoreTest, PoolRebuildsConnectionsAfterTheServerWasKilled) {
  const int64_t a = Account("acme");
  auto* pg = dynamic_cast<PostgresStore*>(store_.get());
  ASSERT_NE(pg, nullptr);
  const int64_t opened = pg->connections_opened();
  // A checkpoint first keeps the crash recovery short (the suite created many databases).
  cluster_->Psql("CHECKPOINT");
  cluster_->Kill9();
  EXPECT_FALSE(store_->GetAccount(a).ok());  // the idle session is gone with the server
  ASSERT_TRUE(cluster_->Start());
  // The broken session was discarded; the next calls dial fresh ones (at most one more stale
  // idle session may fail first).
  bool ok = false;
  for (int i = 0; i < 5 && !ok; ++i) ok = store_->GetAccount(a).ok();
  EXPECT_TRUE(ok);
  EXPECT_GT(pg->connections_opened(), opened);
  EXPECT_TRUE(store_->Probe().ok());
}

TEST_F(PgStoreTest, StatementFailsInsteadOfHangingWhileTheServerIsPaused) {
  PostgresOptions o = Options();
  o.statement_timeout_ms = 500;
  o.connect_timeout_s = 1;
  Result<std::unique_ptr<Store>> s = OpenPostgresStore(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Store* store = s->get();
  const int64_t a = Account("acme", store);
  cluster_->Pause();
  // On a thread, so a hang fails the test (after a generous bound) instead of freezing it.
  std::future<Status> probe = std::async(std::launch::async, [&] { return store->Probe(); });
  const bool returned = probe.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  cluster_->Resume();
  ASSERT_TRUE(returned) << "Probe hung on a paused server";
  const Status st = probe.get();
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(st.code() == StatusCode::kDeadlineExceeded || st.code() == StatusCode::kUnavailable)
      << st.ToString();
  // Resumed: the store answers again (a fresh session replaces the abandoned one).
  bool ok = false;
  for (int i = 0; i < 5 && !ok; ++i) ok = store->GetAccount(a).ok();
  EXPECT_TRUE(ok);
}

TEST_F(PgStoreTest, RetentionDropsWholeDayPartitions) {
  const int64_t a = Account("acme");
  const int64_t l = Link(a, "promo").id;
  std::vector<HitRecord> hits;
  for (uint64_t i = 0; i < 30; ++i) {
    hits.push_back(MakeHit(i + 1, l, a, kDay0 - kDayUs + static_cast<int64_t>(i) * kHourUs, "v"));
  }
  ASSERT_TRUE(store_->Commit(Batch("j", 0, 1, hits)).ok());  // 24 yesterday, 6 today
  // A cutoff inside today drops only yesterday's whole day; rollups stay.
  Result<int64_t> n = store_->ExpireHits(kDay0 + 3 * kHourUs, 1000);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 24);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM hits"), 6);
  EXPECT_EQ(Int("SELECT SUM(total) FROM rollups WHERE granularity = 86400"), 30);
  EXPECT_EQ(Int("SELECT since_us FROM hits_retained"), kDay0);
  EXPECT_EQ(*store_->ExpireHits(kDay0 + 3 * kHourUs, 1000), 0);
  // A late event of the dropped day gets its partition back (and counts).
  Result<CommitResult> late =
      store_->Commit(Batch("j", 1, 2, {MakeHit(99, l, a, kDay0 - kHourUs, "w")}));
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  EXPECT_EQ(late->applied, 1u);
}

// How far in time each edge is committed, as on SQLite (the shared scenario).
TEST_F(PgStoreTest, EdgeProgressFollowsTheWatermark) {
  testing_ranged::EdgeProgressFollowsTheWatermark(store_.get());
}

// The same batches into the SQLite store and this one: every report both engines implement
// answers the same, per link and per account, for every interval and dimension.
TEST_F(PgStoreTest, ReportsMatchTheSqliteStore) {
  test::TempDir dir;
  SqliteStoreOptions so;
  so.path = dir.Join("ct.db");
  so.clock = &clock_;
  Result<std::unique_ptr<Store>> lite = OpenSqliteStore(so);
  ASSERT_TRUE(lite.ok()) << lite.status().ToString();
  Store* engines[] = {store_.get(), lite->get()};
  int64_t account = 0;
  std::vector<int64_t> links;
  for (Store* s : engines) {
    account = Account("acme", s);
    links = {Link(account, "a", s).id, Link(account, "b", s).id};
  }
  std::mt19937_64 rng(11);
  std::vector<HitRecord> sent;
  uint64_t n = 0;
  for (int batch = 0; batch < 5; ++batch) {
    std::vector<HitRecord> hits;
    for (int i = 0; i < 200; ++i) {
      if (!sent.empty() && rng() % 8 == 0) {
        hits.push_back(sent[rng() % sent.size()]);
        continue;
      }
      const int64_t t = kDay0 + static_cast<int64_t>(rng() % (2 * kDayUs));
      const int r = static_cast<int>(rng() % 12);
      HitRecord h = MakeHit(++n, links[rng() % 2], account, t, "v" + std::to_string(rng() % 30),
                            r == 0 ? EventKind::kHead : EventKind::kClick);
      h.enrichment.bot = r == 1;
      const char* countries[] = {"", "US", "DE", "FR"};
      h.enrichment.country = countries[rng() % 4];
      h.enrichment.os = (rng() % 2) ? "ios" : "";
      h.enrichment.referrer_domain = (rng() % 3) ? "news.test" : "";
      h.event.destination = "https://example.com/d" + std::to_string(rng() % 3);
      hits.push_back(h);
      sent.push_back(h);
    }
    for (Store* s : engines) {
      CommitBatch b =
          Batch("j", static_cast<uint64_t>(batch), static_cast<uint64_t>(batch) + 1, hits);
      Result<CommitResult> r = s->Commit(b);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
  }
  auto same_stats = [&](const StatsQuery& q) {
    Result<std::optional<LinkStats>> p = engines[0]->GetLinkStats(q);
    Result<std::optional<LinkStats>> l = engines[1]->GetLinkStats(q);
    ASSERT_TRUE(p.ok() && l.ok()) << p.status().ToString();
    ASSERT_EQ(p->has_value(), l->has_value());
    if (!p->has_value()) return;
    EXPECT_EQ((*p)->total, (*l)->total);
    EXPECT_EQ((*p)->unique, (*l)->unique);
    EXPECT_EQ((*p)->head, (*l)->head);
    EXPECT_EQ((*p)->bots, (*l)->bots);
    ASSERT_EQ((*p)->series.size(), (*l)->series.size());
    for (size_t i = 0; i < (*p)->series.size(); ++i) {
      EXPECT_EQ((*p)->series[i].start_us, (*l)->series[i].start_us);
      EXPECT_EQ((*p)->series[i].total, (*l)->series[i].total);
      EXPECT_EQ((*p)->series[i].unique, (*l)->series[i].unique);
      EXPECT_EQ((*p)->series[i].bots, (*l)->series[i].bots);
      EXPECT_EQ((*p)->series[i].head, (*l)->series[i].head);
    }
  };
  for (int64_t link : {int64_t{0}, links[0], links[1]}) {
    for (Interval iv : {Interval::kMinute, Interval::kHour, Interval::kDay}) {
      same_stats({.account_id = account,
                  .link_id = link,
                  .from_us = kDay0 + 3 * kHourUs,
                  .to_us = kDay0 + 40 * kHourUs,
                  .interval = iv});
    }
    for (Dimension d : {Dimension::kCountry, Dimension::kOs, Dimension::kReferrer,
                        Dimension::kDestination, Dimension::kBot}) {
      StatsQuery q{.account_id = account,
                   .link_id = link,
                   .from_us = kDay0 + 2 * kHourUs,
                   .to_us = kDay0 + 2 * kDayUs};
      Result<std::optional<std::vector<BreakdownRow>>> p = engines[0]->GetBreakdown(q, d, 10);
      Result<std::optional<std::vector<BreakdownRow>>> l = engines[1]->GetBreakdown(q, d, 10);
      ASSERT_TRUE(p.ok() && l.ok() && p->has_value() && l->has_value()) << p.status().ToString();
      ASSERT_EQ((*p)->size(), (*l)->size()) << "dimension " << static_cast<int>(d);
      for (size_t i = 0; i < (*p)->size(); ++i) {
        EXPECT_EQ((**p)[i].value, (**l)[i].value);
        EXPECT_EQ((**p)[i].total, (**l)[i].total);
        EXPECT_EQ((**p)[i].unique, (**l)[i].unique);
        EXPECT_EQ((**p)[i].bots, (**l)[i].bots);
      }
    }
  }
}

TEST(PgTextTest, InvalidUtf8AndNulBecomeReplacementCharacters) {
  EXPECT_EQ(pg::SanitizeText("ok \xC3\xA9"), "ok \xC3\xA9");
  EXPECT_EQ(pg::SanitizeText(std::string("a\0b", 3)),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(pg::SanitizeText("\xFF\xC3"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(pg::ByteaHex("\x01\xAB"), "\\x01ab");
}

}  // namespace
}  // namespace ct::testing_pg
