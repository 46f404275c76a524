// The reconciliation table (store/sqlite/reconciliation.h) and its report
// (store/reconciliation.h): tallies and the commit's own counts land per (edge, event hour) in the
// commit's transaction; a tally read again changes nothing; the report says ok, in flight or
// mismatch and why.
#include "store/reconciliation.h"
#include "store_fixture.h"

namespace ct::testing_store {
namespace {

class ReconciliationTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    account_ = Account("acme");
    link_ = Link(account_, "promo").id;
    run_ = EventIdGenerator().Next();
  }
  Tally MakeTally(uint64_t seq, int64_t as_of, std::vector<TallyRow> rows, uint8_t flags = 0) {
    Tally t;
    t.edge = "e1";
    t.run = run_;
    t.seq = seq;
    t.as_of_us = as_of;
    t.flags = flags;
    t.rows = std::move(rows);
    return t;
  }
  Result<CommitResult> Commit(std::vector<HitRecord> hits, std::vector<Tally> tallies,
                              std::vector<DeadLetter> dead = {},
                              std::vector<RecordLoss> lost = {}) {
    CommitBatch b = NextBatch(std::move(hits));
    b.edge = "e1";
    b.tallies = std::move(tallies);
    b.dead_letters = std::move(dead);
    b.losses = std::move(lost);
    return store_->Commit(b);
  }
  ReconciliationRow Row(int64_t hour) {
    auto d = store_->GetReconciliation(hour, hour + kHourUs);
    EXPECT_TRUE(d.ok());
    if (!d.ok() || d->rows.size() != 1) return {};
    return d->rows[0];
  }
  ReconcileReport Report(int64_t now) {
    auto d = store_->GetReconciliation(kDay0 - kDayUs, kDay0 + kDayUs);
    EXPECT_TRUE(d.ok());
    return Reconcile(d.ok() ? *d : ReconciliationData{}, now);
  }
  HitRecord Hit(uint64_t n, int64_t t) { return MakeHit(n, link_, account_, t, "v"); }

  int64_t account_ = 0;
  int64_t link_ = 0;
  EventId run_{};
};

TEST_F(ReconciliationTest, CommitCountsPerEventHourAndTalliesAddUp) {
  const int64_t h0 = kDay0, h1 = kDay0 + kHourUs;
  ASSERT_TRUE(Commit({Hit(1, h0 + 5), Hit(2, h0 + 6), Hit(3, h1 + 1)}, {}).ok());
  ASSERT_TRUE(Commit({}, {MakeTally(0, h1 + 2, {{h0, 2, 2}, {h1, 1, 1}})}).ok());
  ReconciliationRow r0 = Row(h0);
  EXPECT_EQ(r0.edge, "e1");
  EXPECT_EQ(r0.answered, 2);
  EXPECT_EQ(r0.journaled, 2);
  EXPECT_EQ(r0.committed, 2);
  EXPECT_EQ(Row(h1).committed, 1);

  // The same events again (a re-read) are duplicates of their hour, not commits.
  ASSERT_TRUE(Commit({Hit(1, h0 + 5)}, {}).ok());
  EXPECT_EQ(Row(h0).committed, 2);
  EXPECT_EQ(Row(h0).duplicates, 1);
}

TEST_F(ReconciliationTest, TallyReadAgainIsAppliedOnce) {
  const int64_t h0 = kDay0;
  ASSERT_TRUE(Commit({}, {MakeTally(0, h0, {{h0, 5, 5}}), MakeTally(1, h0, {{h0, 3, 2}})}).ok());
  // A copy of seq 1 and 0 (a rewritten segment), then seq 2: only seq 2 is new.
  ASSERT_TRUE(Commit({}, {MakeTally(1, h0, {{h0, 3, 2}}), MakeTally(0, h0, {{h0, 5, 5}}),
                          MakeTally(2, h0, {{h0, 1, 1}})})
                  .ok());
  EXPECT_EQ(Row(h0).answered, 9);
  EXPECT_EQ(Row(h0).journaled, 8);
  // Another run of the same edge starts its own seq at 0.
  run_ = EventIdGenerator().Next();
  ASSERT_TRUE(Commit({}, {MakeTally(0, h0, {{h0, 1, 1}})}).ok());
  EXPECT_EQ(Row(h0).answered, 10);
}

TEST_F(ReconciliationTest, NothingIsCountedWhenTheCommitFails) {
  const int64_t h0 = kDay0;
  CommitBatch b;
  b.consumer = "journal";
  b.from_position = 7;  // not the stored position: the compare-and-set loses
  b.to_position = 8;
  b.edge = "e1";
  b.hits = {Hit(1, h0)};
  b.tallies = {MakeTally(0, h0, {{h0, 1, 1}})};
  EXPECT_FALSE(store_->Commit(b).ok());
  auto d = store_->GetReconciliation(h0, h0 + kHourUs);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->rows.empty());
  EXPECT_TRUE(d->edges.empty());
  // So the same tally applies when the batch is committed for real.
  ASSERT_TRUE(Commit({Hit(1, h0)}, {MakeTally(0, h0, {{h0, 1, 1}})}).ok());
  EXPECT_EQ(Row(h0).answered, 1);
  EXPECT_EQ(Row(h0).committed, 1);
}

TEST_F(ReconciliationTest, ReportOkOnceTheHourIsClosed) {
  const int64_t h0 = kDay0;
  ASSERT_TRUE(Commit({Hit(1, h0 + 1), Hit(2, h0 + 2)}, {}).ok());
  // Events committed, their tally not yet: in flight by 2.
  ReconcileReport open = Report(h0 + 3);
  ASSERT_EQ(open.hours.size(), 1u);
  EXPECT_EQ(open.hours[0].status, ReconcileStatus::kInFlight);
  EXPECT_EQ(open.hours[0].in_flight, 2);
  // The tally arrives (fresh): balanced and caught up, ok so far.
  ASSERT_TRUE(Commit({}, {MakeTally(0, h0 + 4, {{h0, 2, 2}})}).ok());
  EXPECT_EQ(Report(h0 + 5).hours[0].status, ReconcileStatus::kOk);
  // No tally for a while (the tracker is behind, or the edge is down): in flight.
  EXPECT_EQ(Report(h0 + kReconcileFreshUs + 10).hours[0].status, ReconcileStatus::kInFlight);
  // A tally from after the hour (plus the settle time) closes it.
  ASSERT_TRUE(Commit({}, {MakeTally(1, h0 + kHourUs + kReconcileSettleUs, {})}).ok());
  ReconcileReport closed = Report(h0 + 2 * kHourUs);
  EXPECT_EQ(closed.hours[0].status, ReconcileStatus::kOk);
  EXPECT_EQ(closed.ok, 1);
  EXPECT_EQ(closed.hours[0].read, 2);
}

TEST_F(ReconciliationTest, FinalTallyClosesTheCurrentHour) {
  const int64_t h0 = kDay0;
  ASSERT_TRUE(Commit({Hit(1, h0 + 1)}, {MakeTally(0, h0 + 2, {{h0, 1, 1}}, kTallyFinal)}).ok());
  EXPECT_EQ(Report(h0 + kHourUs * 5).hours[0].status, ReconcileStatus::kOk);
}

TEST_F(ReconciliationTest, ReportMismatchNamesEachReason) {
  const int64_t h0 = kDay0;
  // 10 answered, 9 journaled (one refused by a full disk); of the 9: 6 committed, one dead
  // letter, one lost to corruption, one unaccounted for.
  std::vector<HitRecord> hits;
  for (uint64_t i = 0; i < 6; ++i) hits.push_back(Hit(i, h0 + 1));
  ASSERT_TRUE(Commit(std::move(hits),
                     {MakeTally(0, h0 + kHourUs + kReconcileSettleUs, {{h0, 10, 9}})},
                     {{1, "bad", "payload", h0 + 2}}, {{h0 + 3, 1}})
                  .ok());
  ReconcileReport r = Report(h0 + 2 * kHourUs);
  ASSERT_EQ(r.hours.size(), 1u);
  const ReconciledHour& h = r.hours[0];
  EXPECT_EQ(h.status, ReconcileStatus::kMismatch);
  EXPECT_EQ(r.mismatch, 1);
  std::map<std::string, int64_t> reasons;
  for (const auto& x : h.reasons) reasons[x.reason] = x.count;
  EXPECT_EQ(reasons["not_journaled"], 1);
  EXPECT_EQ(reasons["dead_lettered"], 1);
  EXPECT_EQ(reasons["journal_corruption"], 1);
  EXPECT_EQ(reasons["unaccounted"], 1);
  EXPECT_EQ(h.row.corrupted, 1);
  EXPECT_EQ(h.row.dead_lettered, 1);
}

}  // namespace
}  // namespace ct::testing_store
