#include "store/edge_progress.h"

#include <algorithm>

namespace ct {

EdgeHorizon LiveEdgeHorizon(const std::vector<EdgeProgress>& edges, int64_t now_us,
                            std::chrono::seconds stale_after, std::string_view except) {
  const int64_t stale_us =
      std::chrono::duration_cast<std::chrono::microseconds>(stale_after).count();
  int64_t freshest = 0;  // the newest watermark move of any running edge
  for (const EdgeProgress& e : edges) {
    if (!e.stopped && e.edge != except) freshest = std::max(freshest, e.updated_at_us);
  }
  EdgeHorizon h;
  h.through_us = now_us;
  for (const EdgeProgress& e : edges) {
    if (e.stopped || e.edge == except) continue;
    if (e.updated_at_us < freshest - stale_us) {
      h.stale.push_back(e.edge);
      continue;
    }
    if (e.committed_through_us < h.through_us) {
      h.through_us = e.committed_through_us;
      h.slowest = &e;
    }
  }
  return h;
}

}  // namespace ct
