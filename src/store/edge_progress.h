// The time up to which every live edge's events are committed (distributed mode), from the
// edges' progress (store.h EdgeProgress). Shared by the api's report completeness
// (api/edge_completeness.h) and the trackers' conversion hold (tracker/conversion_hold.h).
//
// An edge is live unless it stopped cleanly (its final tally is committed) or its watermark has
// not moved for `stale_after` while another edge's did: a decommissioned or lost edge must not
// hold everything back for ever. When every watermark stops together (the store or the bus
// down) none is stale.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "store/store.h"

namespace ct {

struct EdgeHorizon {
  // min(now_us, committed_through_us of every live edge).
  int64_t through_us = 0;
  // The live edge that sets it (nullptr when now_us does): points into the caller's vector.
  const EdgeProgress* slowest = nullptr;
  std::vector<std::string> stale;  // edges no longer waited for
};

EdgeHorizon LiveEdgeHorizon(const std::vector<EdgeProgress>& edges, int64_t now_us,
                            std::chrono::seconds stale_after);

}  // namespace ct
