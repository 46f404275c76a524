// Distributed mode's watermark (store.h EdgeRange): committed_below moves only over contiguous
// committed ranges, per edge, in the commit's transaction; redelivered ranges change nothing.
#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "store_fixture.h"

namespace ct::testing_store {
namespace {

class EdgeRangesTest : public StoreTest {
 protected:
  // Commits a batch of ranges only (0 -> 0 under the shared consumer, as the BusTracker does).
  std::vector<std::pair<std::string, uint64_t>> CommitRanges(std::vector<EdgeRange> ranges) {
    CommitBatch b;
    b.consumer = "nats";
    b.edge_ranges = std::move(ranges);
    Result<CommitResult> r = store_->Commit(b);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->watermarks : std::vector<std::pair<std::string, uint64_t>>{};
  }
  uint64_t Watermark(const std::string& edge) {
    Result<uint64_t> w = store_->EdgeWatermark(edge);
    EXPECT_TRUE(w.ok());
    return w.ok() ? *w : 0;
  }
};

TEST_F(EdgeRangesTest, MovesOnlyOverContiguousRangesPerEdge) {
  EXPECT_EQ(Watermark("a"), 0u);
  // A later range first (another tracker's batch): nothing is contiguous from 0 yet.
  auto w = CommitRanges({{"a", 100, 200}, {"a", 200, 250}});
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0], (std::pair<std::string, uint64_t>{"a", 0}));
  // The hole fills: the watermark jumps over everything committed.
  w = CommitRanges({{"a", 0, 100}, {"b", 0, 40}});
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0], (std::pair<std::string, uint64_t>{"a", 250}));
  EXPECT_EQ(w[1], (std::pair<std::string, uint64_t>{"b", 40}));
  EXPECT_EQ(Watermark("a"), 250u);
  EXPECT_EQ(Watermark("b"), 40u);
  // Redelivered ranges (below the watermark) change nothing; a re-shipped range starting
  // below it but reaching past it moves it.
  w = CommitRanges({{"a", 0, 100}, {"a", 200, 250}});
  EXPECT_EQ(w[0].second, 250u);
  w = CommitRanges({{"a", 200, 300}});
  EXPECT_EQ(w[0].second, 300u);
  EXPECT_EQ(Watermark("a"), 300u);
}

TEST_F(EdgeRangesTest, ABatchWithoutRangesReportsNoWatermark) {
  EXPECT_TRUE(CommitRanges({}).empty());
}

}  // namespace
}  // namespace ct::testing_store
