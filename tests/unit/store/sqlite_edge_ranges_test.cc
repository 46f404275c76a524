// Edge journal ranges and watermarks on SQLite (ISSUE6 contract): committed_below moves over
// ranges that chain from it, whatever order they were committed in, and a redelivered range
// changes nothing. The walk itself: store/edge_ranges.h.
#include "ranged_items_scenario.h"
#include "store/edge_ranges.h"
#include "store/sqlite/db.h"
#include "store_fixture.h"

namespace ct::testing_store {
namespace {

TEST(AdvanceWatermarkTest, ChainsAndStopsAtGaps) {
  EXPECT_EQ(AdvanceWatermark(0, {}), 0u);
  EXPECT_EQ(AdvanceWatermark(0, {{10, 20}}), 0u);
  EXPECT_EQ(AdvanceWatermark(0, {{10, 20}, {0, 10}}), 20u);
  EXPECT_EQ(AdvanceWatermark(5, {{0, 10}, {10, 15}, {16, 20}}), 15u);  // overlap, then a gap
  EXPECT_EQ(AdvanceWatermark(30, {{0, 10}}), 30u);                     // never backwards
}

TEST(AdvanceEdgeTest, ThroughIsTheNewestHeartbeatTheWatermarkPassed) {
  // Ranges [0,10) with a heartbeat at 100, [10,20) at 300 (out of order in time: a later tally
  // cannot be older, but the walk must not care), [30,40) at 900 beyond a gap.
  const std::vector<PendingRange> ranges = {{10, 20, 300}, {30, 40, 900}, {0, 10, 100}};
  EdgeAdvance a = AdvanceEdge(0, 0, ranges);
  EXPECT_EQ(a.committed_below, 20u);
  EXPECT_EQ(a.committed_through_us, 300);  // not 900: [30,40) waits for [20,30)
  a = AdvanceEdge(0, 500, ranges);
  EXPECT_EQ(a.committed_through_us, 500);  // never backwards
  a = AdvanceEdge(20, 300, {{30, 40, 900}});
  EXPECT_EQ(a.committed_below, 20u);
  EXPECT_EQ(a.committed_through_us, 300);
  a = AdvanceEdge(20, 300, {{30, 40, 900}, {20, 30, 0}});  // the gap closes, no heartbeat in it
  EXPECT_EQ(a.committed_below, 40u);
  EXPECT_EQ(a.committed_through_us, 900);
}

class EdgeRangesTest : public StoreTest {
 protected:
  uint64_t Commit(uint64_t from, uint64_t to) {
    CommitBatch b;
    b.consumer = "c";
    b.from_position = pos_;
    b.to_position = ++pos_;
    b.edge_ranges = {{"e", from, to}};
    Result<CommitResult> r = store_->Commit(b);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && r->watermarks.size() == 1 ? r->watermarks[0].second : ~uint64_t{0};
  }
  uint64_t pos_ = 0;
};

TEST_F(EdgeRangesTest, WatermarkWaitsForGapsThenJumps) {
  EXPECT_EQ(*store_->EdgeWatermark("e"), 0u);
  EXPECT_EQ(Commit(10, 20), 0u);
  EXPECT_EQ(Commit(30, 40), 0u);
  EXPECT_EQ(Commit(0, 10), 20u);
  EXPECT_EQ(Commit(20, 30), 40u);
  EXPECT_EQ(Commit(0, 10), 40u);  // redelivered
  EXPECT_EQ(*store_->EdgeWatermark("e"), 40u);
  // Survives a reopen.
  store_.reset();
  store_ = Open();
  EXPECT_EQ(*store_->EdgeWatermark("e"), 40u);
}

TEST_F(StoreTest, EdgeProgressFollowsTheWatermark) {
  testing_ranged::EdgeProgressFollowsTheWatermark(store_.get());
}

TEST(RangeClaimsTest, NewOncePerRange) {
  RangeClaims c(100, {{120, 130}, {150, 200}});
  EXPECT_FALSE(c.Claim(50, 60));    // below the watermark
  EXPECT_FALSE(c.Claim(90, 110));   // straddles it: partly committed
  EXPECT_FALSE(c.Claim(125, 140));  // overlaps a committed range
  EXPECT_FALSE(c.Claim(160, 170));  // inside one
  EXPECT_FALSE(c.Claim(140, 140));  // empty
  EXPECT_TRUE(c.Claim(100, 120));
  EXPECT_FALSE(c.Claim(100, 120));  // claimed earlier in the batch
  EXPECT_FALSE(c.Claim(110, 115));
  EXPECT_TRUE(c.Claim(130, 150));
  EXPECT_TRUE(c.Claim(200, 210));
  EXPECT_FALSE(c.Claim(205, 300));
}

// Losses and dead letters re-shipped or redelivered count once (README "Reconciliation").
TEST_F(StoreTest, RangedLossesAndDeadLettersCountOnce) {
  testing_ranged::RangedItemsCountOnce(store_.get(), [&]() -> int64_t {
    auto db = sqlite::Db::Open(path_, {});
    if (!db.ok()) return -1;
    Result<int64_t> n = (*db)->QueryInt("SELECT COUNT(*) FROM dead_letters");
    return n.ok() ? *n : -1;
  });
}

}  // namespace
}  // namespace ct::testing_store
