#include "store/edge_ranges.h"

#include <algorithm>

namespace ct {

uint64_t AdvanceWatermark(uint64_t committed_below,
                          std::vector<std::pair<uint64_t, uint64_t>> ranges) {
  std::sort(ranges.begin(), ranges.end());
  for (const auto& [from, to] : ranges) {
    if (from > committed_below) break;  // a gap: a range not committed yet
    committed_below = std::max(committed_below, to);
  }
  return committed_below;
}

}  // namespace ct
