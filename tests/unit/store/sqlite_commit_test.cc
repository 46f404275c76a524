// Store::Commit on SQLite: rollups at each granularity, unique counting, HEAD apart, durable
// dedup, the position compare-and-set, dead letters, and all-or-nothing on failure.
#include "store/sqlite/commit.h"
#include "store/sqlite/db.h"
#include "store_fixture.h"

namespace ct::testing_store {
namespace {

class CommitTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    account_ = Account("acme");
    link_ = Link(account_, "promo").id;
  }
  CommitBatch Batch(uint64_t from, uint64_t to, std::vector<HitRecord> hits) {
    CommitBatch b;
    b.consumer = "journal";
    b.from_position = from;
    b.to_position = to;
    b.hits = std::move(hits);
    return b;
  }
  HitRecord Hit(uint64_t n, int64_t time_us, const std::string& visitor,
                EventKind kind = EventKind::kClick) {
    return MakeHit(n, link_, account_, time_us, visitor, kind);
  }
  uint64_t Position() {
    Result<uint64_t> p = store_->ConsumedPosition("journal");
    EXPECT_TRUE(p.ok());
    return p.ok() ? *p : ~uint64_t{0};
  }

  int64_t account_ = 0;
  int64_t link_ = 0;
};

TEST(BucketStartTest, FloorsInUtc) {
  EXPECT_EQ(sqlite::BucketStart(kDay0 + 90'000'000, 60), kDay0 + kMinuteUs);
  EXPECT_EQ(sqlite::BucketStart(kDay0 + kDayUs - 1, 86400), kDay0);
  EXPECT_EQ(sqlite::BucketStart(-1, 60), -kMinuteUs);  // floors before the epoch too
}

TEST_F(CommitTest, RollupsAtMinuteHourDay) {
  Result<CommitResult> r =
      store_->Commit(Batch(0, 10,
                           {
                               Hit(1, kDay0 + 10'000'000, "v1"),     // 00:00:10
                               Hit(2, kDay0 + 50'000'000, "v2"),     // 00:00:50
                               Hit(3, kDay0 + kMinuteUs + 1, "v3"),  // 00:01:00
                               Hit(4, kDay0 + kHourUs + 5, "v4"),    // 01:00:00
                               Hit(5, kDay0 + kDayUs, "v5"),         // next day
                           }));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->applied, 5u);
  EXPECT_EQ(r->duplicates, 0u);
  EXPECT_EQ(Position(), 10u);

  LinkStats minutes = Stats(account_, link_, Interval::kMinute);
  ASSERT_EQ(minutes.series.size(), 4u);
  EXPECT_EQ(minutes.series[0].start_us, kDay0);
  EXPECT_EQ(minutes.series[0].total, 2);
  EXPECT_EQ(minutes.series[1].start_us, kDay0 + kMinuteUs);
  EXPECT_EQ(minutes.series[2].start_us, kDay0 + kHourUs);
  EXPECT_EQ(minutes.series[3].start_us, kDay0 + kDayUs);
  EXPECT_EQ(minutes.total, 5);

  LinkStats hours = Stats(account_, link_, Interval::kHour);
  ASSERT_EQ(hours.series.size(), 3u);
  EXPECT_EQ(hours.series[0].total, 3);
  EXPECT_EQ(hours.series[1].total, 1);
  EXPECT_EQ(hours.series[2].total, 1);

  LinkStats days = Stats(account_, link_, Interval::kDay);
  ASSERT_EQ(days.series.size(), 2u);
  EXPECT_EQ(days.series[0].start_us, kDay0);
  EXPECT_EQ(days.series[0].total, 4);
  EXPECT_EQ(days.series[0].unique, 4);
  EXPECT_EQ(days.total, 5);

  // The range is [from, to) on bucket starts.
  LinkStats first_day = Stats(account_, link_, Interval::kDay, kDay0, kDay0 + kDayUs);
  ASSERT_EQ(first_day.series.size(), 1u);
  EXPECT_EQ(first_day.total, 4);
}

TEST_F(CommitTest, UniquesPerVisitorPerUtcDay) {
  ASSERT_TRUE(store_
                  ->Commit(Batch(0, 1,
                                 {
                                     Hit(1, kDay0 + 1 * kHourUs, "alice"),
                                     Hit(2, kDay0 + 2 * kHourUs, "alice"),  // same day: not unique
                                     Hit(3, kDay0 + 3 * kHourUs, "bob"),
                                 }))
                  .ok());
  // A later batch: alice again the same day (not unique), then the next UTC day (unique).
  ASSERT_TRUE(store_
                  ->Commit(Batch(1, 2,
                                 {
                                     Hit(4, kDay0 + 23 * kHourUs, "alice"),
                                     Hit(5, kDay0 + kDayUs + 1, "alice"),
                                 }))
                  .ok());

  LinkStats days = Stats(account_, link_, Interval::kDay);
  ASSERT_EQ(days.series.size(), 2u);
  EXPECT_EQ(days.series[0].total, 4);
  EXPECT_EQ(days.series[0].unique, 2);  // alice, bob
  EXPECT_EQ(days.series[1].total, 1);
  EXPECT_EQ(days.series[1].unique, 1);
  EXPECT_EQ(days.unique, 3);

  // Hour uniques add up to the day's: the unique lands in the hour of the first click.
  LinkStats hours = Stats(account_, link_, Interval::kHour, kDay0, kDay0 + kDayUs);
  int64_t sum = 0;
  for (const StatsBucket& b : hours.series) sum += b.unique;
  EXPECT_EQ(sum, 2);
  ASSERT_EQ(hours.series.size(), 4u);
  EXPECT_EQ(hours.series[0].unique, 1);  // 01:00 alice
  EXPECT_EQ(hours.series[1].unique, 0);  // 02:00 alice again
  EXPECT_EQ(hours.series[2].unique, 1);  // 03:00 bob
  EXPECT_EQ(hours.series[3].unique, 0);  // 23:00 alice again
}

TEST_F(CommitTest, HeadCountedApart) {
  ASSERT_TRUE(store_
                  ->Commit(Batch(0, 1,
                                 {
                                     Hit(1, kDay0, "scanner", EventKind::kHead),
                                     Hit(2, kDay0 + 1, "scanner", EventKind::kHead),
                                     Hit(3, kDay0 + 2,
                                         "scanner"),  // the scanner's first click is still unique
                                 }))
                  .ok());
  LinkStats days = Stats(account_, link_, Interval::kDay);
  EXPECT_EQ(days.head, 2);
  EXPECT_EQ(days.total, 1);
  EXPECT_EQ(days.unique, 1);

  // A bucket with only HEADs is reported (it is not empty).
  ASSERT_TRUE(store_->Commit(Batch(1, 2, {Hit(4, kDay0 + kDayUs, "x", EventKind::kHead)})).ok());
  days = Stats(account_, link_, Interval::kDay);
  ASSERT_EQ(days.series.size(), 2u);
  EXPECT_EQ(days.series[1].head, 1);
  EXPECT_EQ(days.series[1].total, 0);
}

TEST_F(CommitTest, DuplicateEventIdsAcrossBatchesChangeNothing) {
  ASSERT_TRUE(store_->Commit(Batch(0, 5, {Hit(1, kDay0, "a"), Hit(2, kDay0, "b")})).ok());
  // A replay (e.g. after a crash between bus publish and offset save) plus one new event.
  Result<CommitResult> r = store_->Commit(Batch(
      5, 9, {Hit(1, kDay0, "a"), Hit(2, kDay0, "b"), Hit(3, kDay0, "c"), Hit(3, kDay0, "c")}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->applied, 1u);
  EXPECT_EQ(r->duplicates, 3u);  // two replays, and a repeat inside the batch
  EXPECT_EQ(Position(), 9u);
  LinkStats days = Stats(account_, link_, Interval::kDay);
  EXPECT_EQ(days.total, 3);
  EXPECT_EQ(days.unique, 3);
}

TEST_F(CommitTest, PositionMismatchChangesNothing) {
  ASSERT_TRUE(store_->Commit(Batch(0, 5, {Hit(1, kDay0, "a")})).ok());
  // A zombie consumer still believing it is at 0, with new hits and a dead letter.
  CommitBatch zombie = Batch(0, 7, {Hit(2, kDay0, "b")});
  zombie.dead_letters.push_back({6, "bad", "xx"});
  Result<CommitResult> r = store_->Commit(zombie);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Position(), 5u);
  LinkStats days = Stats(account_, link_, Interval::kDay);
  EXPECT_EQ(days.total, 1);
  // The zombie's hit was not recorded for dedup either: the rightful consumer applies it.
  r = store_->Commit(Batch(5, 7, {Hit(2, kDay0, "b")}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->applied, 1u);
  auto db = sqlite::Db::Open(path_, {});
  ASSERT_TRUE(db.ok());
  Result<int64_t> n = (*db)->QueryInt("SELECT COUNT(*) FROM dead_letters");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  // A first commit of an unknown consumer must start at 0.
  CommitBatch fresh = Batch(3, 4, {});
  fresh.consumer = "other";
  EXPECT_EQ(store_->Commit(fresh).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(CommitTest, DeadLettersStoredWithThePosition) {
  CommitBatch b = Batch(0, 3, {Hit(1, kDay0, "a")});
  b.dead_letters.push_back({1, "undecodable", std::string("\x00\xff\x01", 3)});
  b.dead_letters.push_back({2, "too long", ""});
  ASSERT_TRUE(store_->Commit(b).ok());
  EXPECT_EQ(Position(), 3u);
  auto db = sqlite::Db::Open(path_, {});
  ASSERT_TRUE(db.ok());
  Result<sqlite::Statement> s = (*db)->Prepare(
      "SELECT consumer, position, reason, payload FROM dead_letters ORDER BY position");
  ASSERT_TRUE(s.ok());
  Result<bool> row = s->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(s->ColumnText(0), "journal");
  EXPECT_EQ(s->ColumnInt(1), 1);
  EXPECT_EQ(s->ColumnText(2), "undecodable");
  EXPECT_EQ(s->ColumnText(3), std::string("\x00\xff\x01", 3));
  row = s->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(s->ColumnText(2), "too long");
  EXPECT_EQ(s->ColumnText(3), "");
}

TEST_F(CommitTest, FailureMidwayLeavesNoPartialEffect) {
  ASSERT_TRUE(store_->Commit(Batch(0, 1, {Hit(1, kDay0, "a")})).ok());
  // Sabotage from "another process": the rollup upsert fails, after the hits and visitor rows
  // of the batch were already written inside the transaction.
  {
    auto db = sqlite::Db::Open(path_, {});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Exec(R"sql(
      CREATE TRIGGER sabotage BEFORE UPDATE ON rollups
      BEGIN SELECT RAISE(ABORT, 'sabotage'); END;)sql")
                    .ok());
  }
  CommitBatch b = Batch(1, 4, {Hit(2, kDay0 + 1, "b"), Hit(3, kDay0 + 2, "a")});
  b.dead_letters.push_back({2, "x", "y"});
  Result<CommitResult> r = store_->Commit(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Position(), 1u);
  LinkStats days = Stats(account_, link_, Interval::kDay);
  EXPECT_EQ(days.total, 1);
  {
    auto db = sqlite::Db::Open(path_, {});
    ASSERT_TRUE(db.ok());
    Result<int64_t> hits = (*db)->QueryInt("SELECT COUNT(*) FROM hits");
    Result<int64_t> visitors = (*db)->QueryInt("SELECT COUNT(*) FROM visitor_days");
    Result<int64_t> dead = (*db)->QueryInt("SELECT COUNT(*) FROM dead_letters");
    ASSERT_TRUE(hits.ok() && visitors.ok() && dead.ok());
    EXPECT_EQ(*hits, 1);
    EXPECT_EQ(*visitors, 1);
    EXPECT_EQ(*dead, 0);
    ASSERT_TRUE((*db)->Exec("DROP TRIGGER sabotage").ok());
  }
  // Retried after the fault heals, the same batch applies in full: nothing was half-recorded.
  r = store_->Commit(b);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->applied, 2u);
  EXPECT_EQ(r->duplicates, 0u);
  days = Stats(account_, link_, Interval::kDay);
  EXPECT_EQ(days.total, 3);
  EXPECT_EQ(days.unique, 2);
  EXPECT_EQ(Position(), 4u);
}

TEST_F(CommitTest, StatsOfDeletedLinkStillReport) {
  ASSERT_TRUE(store_->Commit(Batch(0, 1, {Hit(1, kDay0, "a")})).ok());
  ASSERT_TRUE(store_->DeleteLink(account_, link_).ok());
  EXPECT_EQ(Stats(account_, link_, Interval::kDay).total, 1);
  Result<std::optional<LinkStats>> missing =
      store_->GetLinkStats({.account_id = account_, .link_id = link_ + 1000, .to_us = kDay0 * 2});
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(CommitTest, SurvivesCloseAndReopen) {
  ASSERT_TRUE(store_->Commit(Batch(0, 42, {Hit(1, kDay0, "a"), Hit(2, kDay0, "b")})).ok());
  store_.reset();
  store_ = Open();
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(Position(), 42u);
  EXPECT_EQ(Stats(account_, link_, Interval::kDay).total, 2);
  Result<std::optional<LinkRow>> link = store_->GetLink(account_, link_);
  ASSERT_TRUE(link.ok() && link->has_value());
  EXPECT_EQ((*link)->slug, "promo");
  // Dedup is durable across the reopen.
  Result<CommitResult> r = store_->Commit(Batch(42, 43, {Hit(1, kDay0, "a")}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->duplicates, 1u);
  EXPECT_EQ(r->applied, 0u);
}

}  // namespace
}  // namespace ct::testing_store
