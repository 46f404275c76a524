// Raw hits on PostgreSQL (pg_hits.cc): the click stream's pages, top links, the live stream's
// commit sequence (sqlite_reports_test.cc and sqlite_live_hits_test.cc cases), the export scan
// and delete against the SQLite store's answers; and what only a shared server has: two
// trackers committing at once while a live reader follows, which must see every hit once.
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "pg_twin_fixture.h"

namespace ct::testing_pg {
namespace {

class PgHitsTest : public PgTwinTest {
 protected:
  LiveHitPage List(int64_t account, int64_t link, int64_t after, int limit = 100) {
    Result<LiveHitPage> p = store_->ListLiveHits(account, link, after, limit);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : LiveHitPage{};
  }
  int64_t LastSeq() {
    Result<int64_t> s = store_->LastHitSeq();
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : -1;
  }
};

TEST_F(PgHitsTest, HitsPagesNewestFirstWithoutGapsOrRepeats) {
  const int64_t a = Account("acme");
  const int64_t l = Link(a, "promo").id;
  std::vector<HitRecord> hits;
  for (uint64_t i = 0; i < 25; ++i) {
    // Groups of three share a microsecond: the cursor must split ties by event id. Two days:
    // pages cross a partition boundary.
    HitRecord h = TwinHit(i + 1, l, a, kDay0 + static_cast<int64_t>(i / 3) * 3 * kHourUs,
                          "v" + std::to_string(i));
    h.enrichment.country = "US";
    hits.push_back(h);
  }
  hits.push_back(TwinHit(99, Link(a, "other-link").id, a, kDay0, "x"));
  Commit(hits);
  std::vector<HitRow> all;
  std::optional<HitCursor> after;
  int pages = 0;
  do {
    auto page = store_->ListHits(a, l, after, 7);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ASSERT_TRUE(page->has_value());
    for (auto& h : (*page)->hits) all.push_back(h);
    after = (*page)->next;
    ++pages;
  } while (after && pages < 10);
  EXPECT_EQ(pages, 4);
  ASSERT_EQ(all.size(), 25u);
  std::set<EventId> ids;
  for (size_t i = 0; i < all.size(); ++i) {
    ids.insert(all[i].event_id);
    EXPECT_EQ(all[i].link_id, l);
    EXPECT_EQ(all[i].enrichment.country, "US");
    EXPECT_EQ(all[i].ip, "192.0.2.1");
    if (i > 0) {
      EXPECT_TRUE(all[i - 1].time_us > all[i].time_us ||
                  (all[i - 1].time_us == all[i].time_us && all[i - 1].event_id > all[i].event_id))
          << i;
    }
  }
  EXPECT_EQ(ids.size(), 25u);
  EXPECT_EQ(all.back().time_us, kDay0);
  EXPECT_TRUE(all.back().unique);
  auto exact = store_->ListHits(a, l, std::nullopt, 25);
  ASSERT_TRUE(exact.ok() && exact->has_value());
  EXPECT_FALSE((*exact)->next.has_value());
  EXPECT_EQ((*exact)->hits.size(), 25u);
  auto unknown = store_->ListHits(a, 9999, std::nullopt, 5);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
  const int64_t other = Account("other");
  auto foreign = store_->ListHits(other, l, std::nullopt, 5);
  ASSERT_TRUE(foreign.ok());
  EXPECT_FALSE(foreign->has_value());
}

TEST_F(PgHitsTest, TopLinks) {
  const int64_t a = Account("acme");
  const int64_t l = Link(a, "promo").id;
  const int64_t b = Link(a, "b").id;
  const int64_t c = Link(a, "c").id;
  const int64_t other_account = Account("other");
  const int64_t foreign = Link(other_account, "foreign").id;
  std::vector<HitRecord> hits;
  uint64_t n = 0;
  for (int i = 0; i < 3; ++i) hits.push_back(TwinHit(++n, b, a, kDay0 + i * kDayUs, "x"));
  for (int i = 0; i < 2; ++i) {
    hits.push_back(TwinHit(++n, c, a, kDay0 + 5 * kHourUs, "y" + std::to_string(i)));
  }
  hits.push_back(TwinHit(++n, l, a, kDay0 + 7 * kHourUs + 5, "z"));
  for (int i = 0; i < 9; ++i) {
    hits.push_back(TwinHit(++n, foreign, other_account, kDay0, "f" + std::to_string(i)));
  }
  Commit(hits);
  auto top = store_->GetTopLinks(a, kDay0 - kDayUs, kDay0 + 10 * kDayUs, 10);
  ASSERT_TRUE(top.ok()) << top.status().ToString();
  ASSERT_EQ(top->size(), 3u);
  EXPECT_EQ((*top)[0].link_id, b);
  EXPECT_EQ((*top)[0].total, 3);
  EXPECT_EQ((*top)[1].link_id, c);
  EXPECT_EQ((*top)[2].link_id, l);
  top = store_->GetTopLinks(a, kDay0 - kDayUs, kDay0 + 10 * kDayUs, 2);
  ASSERT_TRUE(top.ok());
  EXPECT_EQ(top->size(), 2u);
  top = store_->GetTopLinks(a, kDay0 + 5 * kHourUs, kDay0 + 7 * kHourUs, 10);
  ASSERT_TRUE(top.ok());
  ASSERT_EQ(top->size(), 1u);
  EXPECT_EQ((*top)[0].link_id, c);
  top = store_->GetTopLinks(a, kDay0 + kHourUs, kDay0 + 2 * kDayUs + kHourUs, 10);
  ASSERT_TRUE(top.ok());
  ASSERT_EQ(top->size(), 3u);
  EXPECT_EQ((*top)[0].link_id, b);
  EXPECT_EQ((*top)[0].total, 2);
  EXPECT_EQ((*top)[1].link_id, c);
  EXPECT_EQ((*top)[2].link_id, l);
  EXPECT_TRUE(store_->GetTopLinks(a, kDay0, kDay0, 10)->empty());
}

TEST_F(PgHitsTest, SequenceFollowsCommitOrderAndSkipsDuplicates) {
  const int64_t a = Account("a");
  const int64_t l = Link(a, "x").id;
  EXPECT_EQ(LastSeq(), 0);
  // Event times out of order: the sequence is commit order, not time order.
  Commit({TwinHit(1, l, a, kDay0 + kHourUs, "v1"), TwinHit(2, l, a, kDay0, "v2")});
  Commit({TwinHit(2, l, a, kDay0, "v2"),  // a duplicate: no number
          TwinHit(3, l, a, kDay0 - kDayUs, "v3", EventKind::kHead)});
  EXPECT_EQ(LastSeq(), 3);
  LiveHitPage p = List(a, 0, 0);
  ASSERT_EQ(p.hits.size(), 3u);
  EXPECT_EQ(p.hits[0].seq, 1);
  EXPECT_EQ(p.hits[0].row.time_us, kDay0 + kHourUs);
  EXPECT_EQ(p.hits[1].seq, 2);
  EXPECT_EQ(p.hits[2].seq, 3);
  EXPECT_EQ(p.hits[2].row.kind, EventKind::kHead);
  EXPECT_EQ(p.hits[0].slug, "x");
  EXPECT_EQ(p.hits[0].domain, "");
  EXPECT_EQ(p.hits[0].row.link_id, l);
  EXPECT_EQ(p.scanned_to, 3);
  EXPECT_EQ(p.examined, 3);
  p = List(a, 0, 2);
  ASSERT_EQ(p.hits.size(), 1u);
  EXPECT_EQ(p.hits[0].seq, 3);
  EXPECT_TRUE(List(a, 0, 3).hits.empty());
  EXPECT_EQ(List(a, 0, 3).scanned_to, 3);
  // Retention drops the day before's partition: its HEAD's number goes, the others stay.
  ASSERT_TRUE(store_->ExpireHits(kDay0, 1000).ok());
  p = List(a, 0, 0);
  ASSERT_EQ(p.hits.size(), 2u);
  EXPECT_EQ(p.scanned_to, 2);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM hit_seqs"), 2);
  // Numbers survive a reopen (and a second store on the same database).
  store_ = Open();
  Commit({TwinHit(4, l, a, kDay0, "v4")});
  EXPECT_EQ(LastSeq(), 4);
}

TEST_F(PgHitsTest, LiveScopedByAccountAndFilteredByLinkWithBoundedWindows) {
  const int64_t a = Account("a");
  const int64_t b = Account("b");
  const int64_t la = Link(a, "la").id;
  const int64_t la2 = Link(a, "la2").id;
  const int64_t lb = Link(b, "lb").id;
  Commit({TwinHit(1, lb, b, kDay0, "v"), TwinHit(2, la2, a, kDay0, "v"),
          TwinHit(3, la2, a, kDay0, "w"), TwinHit(4, la, a, kDay0, "v"),
          TwinHit(5, lb, b, kDay0, "w")});
  LiveHitPage pa = List(a, 0, 0);
  ASSERT_EQ(pa.hits.size(), 3u);
  for (const LiveHit& h : pa.hits) EXPECT_NE(h.row.link_id, lb);
  LiveHitPage pb = List(b, 0, 0);
  ASSERT_EQ(pb.hits.size(), 2u);
  EXPECT_EQ(pb.hits[1].seq, 5);
  EXPECT_TRUE(List(a, lb, 0).hits.empty());
  LiveHitPage w1 = List(a, la, 0, 2);
  EXPECT_TRUE(w1.hits.empty());
  EXPECT_EQ(w1.examined, 2);
  EXPECT_EQ(w1.scanned_to, 3);
  LiveHitPage w2 = List(a, la, w1.scanned_to, 2);
  ASSERT_EQ(w2.hits.size(), 1u);
  EXPECT_EQ(w2.hits[0].row.link_id, la);
  EXPECT_EQ(w2.hits[0].slug, "la");
  EXPECT_EQ(w2.examined, 1);
  EXPECT_EQ(w2.scanned_to, 4);
}

// Two trackers (two stores, two consumers) commit at once while a reader follows the live
// stream with a cursor: numbers are 1..N without gap or repeat, and the reader, which never
// rereads below its cursor, still sees every hit exactly once (a number becomes visible only
// after every smaller one).
TEST_F(PgHitsTest, TwoTrackersAndAFollowingReaderSeeEveryHitOnce) {
  const int64_t a = Account("a");
  const int64_t l = Link(a, "x").id;
  std::unique_ptr<Store> second = Open();
  ASSERT_NE(second, nullptr);
  constexpr int kBatches = 25, kPerBatch = 40;
  std::atomic<int> writers_done{0};
  std::atomic<bool> failed{false};
  auto writer = [&](Store* s, const std::string& consumer, uint64_t base) {
    for (int i = 0; i < kBatches && !failed; ++i) {
      CommitBatch batch;
      batch.consumer = consumer;
      batch.from_position = static_cast<uint64_t>(i);
      batch.to_position = static_cast<uint64_t>(i) + 1;
      for (int k = 0; k < kPerBatch; ++k) {
        const uint64_t n = base + static_cast<uint64_t>(i * kPerBatch + k);
        batch.hits.push_back(TwinHit(n, l, a, kDay0 + static_cast<int64_t>(n % 7) * kHourUs,
                                     "v" + std::to_string(n % 13)));
      }
      Result<CommitResult> r = s->Commit(batch);
      if (!r.ok()) {
        ADD_FAILURE() << r.status().ToString();
        failed = true;
      }
    }
    ++writers_done;
  };
  std::thread w1(writer, store_.get(), "t1", 1'000'000);
  std::thread w2(writer, second.get(), "t2", 2'000'000);
  std::vector<LiveHit> seen;
  int64_t cursor = 0;
  // Bounded: the writers finish in seconds; the deadline only guards a hang.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (bool last = false; !last && std::chrono::steady_clock::now() < deadline;) {
    last = writers_done == 2;  // one more full read after both are done
    for (;;) {
      LiveHitPage p = List(a, 0, cursor, 64);
      for (LiveHit& h : p.hits) seen.push_back(std::move(h));
      cursor = p.scanned_to;
      if (p.examined < 64) break;
    }
  }
  w1.join();
  w2.join();
  ASSERT_FALSE(failed);
  const size_t total = 2 * kBatches * kPerBatch;
  EXPECT_EQ(LastSeq(), static_cast<int64_t>(total));
  ASSERT_EQ(seen.size(), total);
  std::set<EventId> ids;
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].seq, static_cast<int64_t>(i) + 1);
    ids.insert(seen[i].row.event_id);
  }
  EXPECT_EQ(ids.size(), total);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM hit_seqs"), static_cast<int64_t>(total));
}

// Event ids as the edge draws them (common/event.h): milliseconds first, then random bytes.
EventId TimedId(int64_t time_us, uint64_t n) {
  EventId id{};
  const int64_t ms = time_us / 1000;
  for (int i = 0; i < 6; ++i) id[static_cast<size_t>(i)] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  std::memcpy(id.data() + 8, &n, 8);
  return id;
}

TEST_F(PgHitsTest, ScanAndDeleteHitsMatchTheSqliteStore) {
  const int64_t a = BothAccount("acme");
  const int64_t b = BothAccount("other");
  const int64_t la = BothLink(a, "la");
  const int64_t lb = BothLink(b, "lb");
  std::vector<HitRecord> hits;
  for (uint64_t i = 0; i < 60; ++i) {
    const int64_t t = kDay0 - kDayUs + static_cast<int64_t>(i % 20) * 3 * kHourUs;
    HitRecord h = TwinHit(i + 1, i % 3 ? la : lb, i % 3 ? a : b, t, "v" + std::to_string(i % 9),
                          i % 11 == 0 ? EventKind::kHead : EventKind::kClick);
    if (i % 2 == 0) h.event.id = TimedId(t, i);  // the rest keep ids without a time in them
    h.event.visitor_id = "vid" + std::to_string(i);
    h.event.flags = static_cast<uint8_t>(i % 4);
    h.enrichment.bot = i % 7 == 0;
    h.enrichment.device = i % 2 ? "mobile" : "";
    hits.push_back(h);
  }
  CommitBoth(hits);
  auto scan_all = [&](Store* s, int64_t from, int64_t to) {
    std::vector<ExportedHit> out;
    std::optional<HitCursor> after;
    for (int pages = 0; pages < 100; ++pages) {
      Result<std::vector<ExportedHit>> page = s->ScanHits(from, to, after, 7);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok() || page->empty()) break;
      out.insert(out.end(), page->begin(), page->end());
      after = HitCursor{out.back().row.time_us, out.back().row.event_id};
    }
    return out;
  };
  auto same = [&](int64_t from, int64_t to) {
    const std::vector<ExportedHit> p = scan_all(store_.get(), from, to);
    const std::vector<ExportedHit> q = scan_all(lite_.get(), from, to);
    ASSERT_EQ(p.size(), q.size());
    for (size_t i = 0; i < p.size(); ++i) {
      EXPECT_EQ(p[i].row.event_id, q[i].row.event_id) << i;
      EXPECT_EQ(p[i].row.time_us, q[i].row.time_us);
      EXPECT_EQ(p[i].row.kind, q[i].row.kind);
      EXPECT_EQ(p[i].row.link_id, q[i].row.link_id);
      EXPECT_EQ(p[i].row.unique, q[i].row.unique);
      EXPECT_EQ(p[i].row.enrichment.bot, q[i].row.enrichment.bot);
      EXPECT_EQ(p[i].row.enrichment.device, q[i].row.enrichment.device);
      EXPECT_EQ(p[i].row.user_agent, q[i].row.user_agent);
      EXPECT_EQ(p[i].account_id, q[i].account_id);
      EXPECT_EQ(p[i].visitor_id, q[i].visitor_id);
      EXPECT_EQ(p[i].visitor_key, q[i].visitor_key);
      EXPECT_EQ(p[i].flags, q[i].flags);
    }
  };
  same(kDay0 - 2 * kDayUs, kDay0 + 2 * kDayUs);
  same(kDay0 - 5 * kHourUs, kDay0 + 4 * kHourUs);
  EXPECT_EQ(scan_all(store_.get(), kDay0 - 2 * kDayUs, kDay0 + 2 * kDayUs).size(), 60u);
  EXPECT_TRUE(store_->ScanHits(kDay0, kDay0, std::nullopt, 10)->empty());
  // Delete a mix of timed ids, untimed ids and one never committed; both say how many existed.
  std::vector<EventId> doomed;
  for (size_t i = 0; i < hits.size(); i += 4) doomed.push_back(hits[i].event.id);
  for (size_t i = 1; i < hits.size(); i += 6) doomed.push_back(hits[i].event.id);
  doomed.push_back(TimedId(kDay0, 424242));
  Result<int64_t> p = store_->DeleteHits(doomed);
  Result<int64_t> q = lite_->DeleteHits(doomed);
  ASSERT_TRUE(p.ok() && q.ok()) << p.status().ToString();
  EXPECT_EQ(*p, *q);
  EXPECT_EQ(*p, static_cast<int64_t>(doomed.size()) - 1);
  same(kDay0 - 2 * kDayUs, kDay0 + 2 * kDayUs);
  EXPECT_EQ(*store_->DeleteHits(doomed), 0);
  EXPECT_EQ(*store_->DeleteHits({}), 0);
  // Rollups stay.
  EXPECT_EQ(Int("SELECT SUM(total) + SUM(bots) + SUM(head) FROM rollups WHERE granularity = 86400"),
            60);
}

}  // namespace
}  // namespace ct::testing_pg

namespace ct::testing_pg {
namespace {

// The hits statements prune day partitions with their parameters bound (a generic plan, as
// the prepared statements of pg_conn.h run after a few executions): only the days they can
// touch are read.
TEST_F(PgHitsTest, StatementsPruneDayPartitions) {
  const int64_t a = Account("acme");
  const int64_t l = Link(a, "x").id;
  std::vector<HitRecord> hits;
  for (uint64_t i = 0; i < 10; ++i) {
    hits.push_back(
        TwinHit(i + 1, l, a, kDay0 - 3 * kDayUs + static_cast<int64_t>(i) * kDayUs, "v"));
  }
  Commit(hits);  // 10 days, 10 partitions (tomorrow's among them)
  auto plan = [&](const std::string& prepare, const std::string& execute) {
    return Sql("SET plan_cache_mode = force_generic_plan; " + prepare + "; EXPLAIN (ANALYZE, " +
               "COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE " + execute);
  };
  // ScanHits of one day.
  std::string p = plan(
      "PREPARE s(int8, int8, int8, bytea) AS SELECT event_id FROM hits WHERE time_us >= "
      "GREATEST($1, $3) AND time_us < $2 AND (time_us, event_id) > ($3, $4) "
      "ORDER BY time_us, event_id LIMIT 5",
      "s(" + std::to_string(kDay0) + ", " + std::to_string(kDay0 + kDayUs) + ", " +
          std::to_string(kDay0 - 10 * kDayUs) + ", '\\x00')");
  EXPECT_NE(p.find("Subplans Removed: 9"), std::string::npos) << p;
  // The live stream's probe of each numbered hit reads its own day's partition only.
  const std::string live =
      "PREPARE l(int8, int8, int8) AS SELECT h.* FROM (SELECT seq, time_us, event_id FROM "
      "hit_seqs WHERE account_id = $1 AND seq > $2 ORDER BY seq LIMIT $3) x LEFT JOIN LATERAL "
      "(SELECT event_id, link_id FROM hits WHERE hits.time_us = x.time_us AND hits.event_id = "
      "x.event_id) h ON true";
  p = plan(live, "l(" + std::to_string(a) + ", 0, 3)");
  // Three probes; each partition scan that ran, ran once (the others: never executed).
  EXPECT_EQ(p.find("loops=3)\n              Index Cond"), std::string::npos) << p;
  EXPECT_NE(p.find("never executed"), std::string::npos) << p;
}

}  // namespace
}  // namespace ct::testing_pg
