// The live click stream's store side: commit sequence numbers follow commit order with no
// gaps (a duplicate takes none), ListLiveHits is scoped by account, filters by link while still
// moving its cursor forward, is bounded per call, and its query is served by the index.
#include <sqlite3.h>

#include <string>

#include "store/sqlite/live_hits.h"
#include "store_fixture.h"

namespace ct::testing_store {
namespace {

class LiveHitsTest : public StoreTest {
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

TEST_F(LiveHitsTest, SequenceFollowsCommitOrderAndSkipsDuplicates) {
  int64_t a = Account("a");
  LinkRow l = Link(a, "x");
  EXPECT_EQ(LastSeq(), 0);
  // Event times out of order: the sequence is commit order, not time order.
  CommitHits({MakeHit(1, l.id, a, kDay0 + kHourUs, "v1"), MakeHit(2, l.id, a, kDay0, "v2")});
  CommitHits({MakeHit(2, l.id, a, kDay0, "v2"),  // a duplicate: no number
              MakeHit(3, l.id, a, kDay0 - kDayUs, "v3", EventKind::kHead)});
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
  EXPECT_EQ(p.hits[0].row.link_id, l.id);
  EXPECT_EQ(p.scanned_to, 3);
  EXPECT_EQ(p.examined, 3);
  // After a cursor: only what follows it.
  p = List(a, 0, 2);
  ASSERT_EQ(p.hits.size(), 1u);
  EXPECT_EQ(p.hits[0].seq, 3);
  EXPECT_TRUE(List(a, 0, 3).hits.empty());
  EXPECT_EQ(List(a, 0, 3).scanned_to, 3);  // nothing new: the cursor stays
  // Numbers survive a reopen.
  store_ = Open();
  CommitHits({MakeHit(4, l.id, a, kDay0, "v4")});
  EXPECT_EQ(LastSeq(), 4);
}

TEST_F(LiveHitsTest, ScopedByAccountAndFilteredByLinkWithBoundedWindows) {
  int64_t a = Account("a");
  int64_t b = Account("b");
  LinkRow la = Link(a, "la");
  LinkRow la2 = Link(a, "la2");
  LinkRow lb = Link(b, "lb");
  CommitHits({MakeHit(1, lb.id, b, kDay0, "v"), MakeHit(2, la2.id, a, kDay0, "v"),
              MakeHit(3, la2.id, a, kDay0, "w"), MakeHit(4, la.id, a, kDay0, "v"),
              MakeHit(5, lb.id, b, kDay0, "w")});
  LiveHitPage pa = List(a, 0, 0);
  ASSERT_EQ(pa.hits.size(), 3u);
  for (const LiveHit& h : pa.hits) EXPECT_NE(h.row.link_id, lb.id);
  LiveHitPage pb = List(b, 0, 0);
  ASSERT_EQ(pb.hits.size(), 2u);
  EXPECT_EQ(pb.hits[1].seq, 5);
  // Another account's link id names nothing in this account.
  EXPECT_TRUE(List(a, lb.id, 0).hits.empty());

  // Filtered by link, two hits examined per call: the first window holds only la2's hits,
  // yet the cursor moves past them.
  LiveHitPage w1 = List(a, la.id, 0, 2);
  EXPECT_TRUE(w1.hits.empty());
  EXPECT_EQ(w1.examined, 2);
  EXPECT_EQ(w1.scanned_to, 3);
  LiveHitPage w2 = List(a, la.id, w1.scanned_to, 2);
  ASSERT_EQ(w2.hits.size(), 1u);
  EXPECT_EQ(w2.hits[0].row.link_id, la.id);
  EXPECT_EQ(w2.hits[0].slug, "la");
  EXPECT_EQ(w2.examined, 1);
  EXPECT_EQ(w2.scanned_to, 4);
}

TEST_F(LiveHitsTest, QueryIsServedByThePartialIndex) {
  int64_t a = Account("a");
  LinkRow l = Link(a, "x");
  CommitHits({MakeHit(1, l.id, a, kDay0, "v")});
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::string sql = std::string("EXPLAIN QUERY PLAN ") + sqlite::kLiveHitsSql;
  ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  std::string plan;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
    plan += "\n";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  EXPECT_NE(
      plan.find("SEARCH hits USING INDEX hits_by_account_seq (account_id=? AND commit_seq>?)"),
      std::string::npos)
      << plan;
  EXPECT_EQ(plan.find("SCAN hits"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;  // ordered by the index
}

}  // namespace
}  // namespace ct::testing_store
