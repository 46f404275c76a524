// Edge journal ranges and watermarks on SQLite (ISSUE6 contract): committed_below moves over
// ranges that chain from it, whatever order they were committed in, and a redelivered range
// changes nothing. The walk itself: store/edge_ranges.h.
#include "store/edge_ranges.h"
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

}  // namespace
}  // namespace ct::testing_store
