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
#include <string_view>
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

// `except`: an edge left out entirely (neither waited for nor counted as moving).
EdgeHorizon LiveEdgeHorizon(const std::vector<EdgeProgress>& edges, int64_t now_us,
                            std::chrono::seconds stale_after, std::string_view except = {});

// Store::ListEdgeProgress's query, the same on both engines: every edge_watermarks row by edge,
// stopped when its newest tally is a final one the watermark has passed. Columns: edge,
// committed_below, committed_through_us, updated_at, stopped.
inline constexpr std::string_view kListEdgeProgressSql = R"sql(
    SELECT w.edge, w.committed_below, w.committed_through_us, w.updated_at,
           COALESCE(r.final AND r.as_of <= w.committed_through_us, false)
    FROM edge_watermarks w LEFT JOIN reconciliation_edges r ON r.edge = w.edge ORDER BY w.edge)sql";

}  // namespace ct
