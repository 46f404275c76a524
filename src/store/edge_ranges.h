// The watermark walk both engines share (ISSUE6 contract): an edge's committed_below moves over
// committed journal ranges that chain from it ([w, a), [a, b), ... -> b), and stops at the first
// gap, whatever order trackers committed the ranges in. Ranges wholly below the watermark are
// redeliveries (already counted) and change nothing.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace ct {

// `ranges`: the [from, to) ranges recorded above `committed_below` (any order, overlaps
// allowed). Returns the new committed_below.
uint64_t AdvanceWatermark(uint64_t committed_below,
                          std::vector<std::pair<uint64_t, uint64_t>> ranges);

}  // namespace ct
