// The watermark walk both engines share (ISSUE6 contract): an edge's committed_below moves over
// committed journal ranges that chain from it ([w, a), [a, b), ... -> b), and stops at the first
// gap, whatever order trackers committed the ranges in. Ranges wholly below the watermark are
// redeliveries (already counted) and change nothing.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "store/store.h"

namespace ct {

// `ranges`: the [from, to) ranges recorded above `committed_below` (any order, overlaps
// allowed). Returns the new committed_below.
uint64_t AdvanceWatermark(uint64_t committed_below,
                          std::vector<std::pair<uint64_t, uint64_t>> ranges);

// A range recorded above the watermark (an edge_ranges row) with its EdgeRange::through_us.
struct PendingRange {
  uint64_t from = 0;
  uint64_t to = 0;
  int64_t through_us = 0;
};
struct EdgeAdvance {
  uint64_t committed_below = 0;
  int64_t committed_through_us = 0;
};
// AdvanceWatermark over `ranges`, and the edge's committed-through time after it: the newest
// through_us among the ranges now wholly below the new watermark, or `committed_through_us`
// when that is newer (it never goes back).
EdgeAdvance AdvanceEdge(uint64_t committed_below, int64_t committed_through_us,
                        const std::vector<PendingRange>& ranges);

// Losses (gap messages) and dead letters count once per journal range, as events count once
// per event id: an edge re-ships from its watermark and the bus redelivers, so the same range
// comes again, possibly cut differently (a gap ends where a fetch ended). A range [from, to)
// is new when it starts at or above the edge's committed_below and overlaps no range already
// committed above it, nor one claimed earlier in the same batch: bytes already committed were
// counted by the commit that recorded them.
class RangeClaims {
 public:
  // `committed`: the edge's ranges recorded above `committed_below` (edge_ranges rows).
  RangeClaims(uint64_t committed_below,
              const std::vector<std::pair<uint64_t, uint64_t>>& committed);
  // True (and remembered) if [from, to) is new; an empty range never is.
  bool Claim(uint64_t from, uint64_t to);

 private:
  bool Overlaps(uint64_t from, uint64_t to) const;

  uint64_t below_;
  std::multimap<uint64_t, uint64_t> taken_;  // from -> to (overlaps allowed)
  uint64_t longest_ = 0;                     // the longest taken range: bounds the lookup
};

// Which of a batch's dead letters and losses to keep and count: unranged ones (embedded mode)
// always, ranged ones when `claims` says they are new.
struct NewItems {
  std::vector<bool> dead_letters;
  std::vector<bool> losses;
};
// True if some dead letter or loss of the batch has a journal range (the store must then read
// the edge's committed ranges for RangeClaims).
bool HasRangedItems(const CommitBatch& batch);
NewItems ClaimItems(const CommitBatch& batch, RangeClaims* claims);
// Every item new (no ranged item: nothing to read).
NewItems AllNew(const CommitBatch& batch);

}  // namespace ct
