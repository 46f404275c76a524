// Distributed mode's end-to-end acknowledgement (store.h EdgeRange): the journal ranges each
// commit covered, and per edge the committed_below they add up to. An edge deletes its journal
// only below it, and re-ships from it when the bus lost data, so it must move only over ranges
// that are committed, contiguously from the start.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/sqlite/db.h"
#include "store/store.h"

namespace ct::sqlite {

// In the caller's transaction: records `ranges` and advances the committed_below of each of
// their edges; appends each edge's value after that to `watermarks` (by edge name). A range
// recorded twice (a redelivered batch) changes nothing.
[[nodiscard]] Status RecordEdgeRanges(Db* db, const std::vector<EdgeRange>& ranges,
                                      std::vector<std::pair<std::string, uint64_t>>* watermarks);

// The edge's committed_below; 0 if it never committed a range.
[[nodiscard]] Result<uint64_t> QueryEdgeWatermark(Db* db, const std::string& edge);

}  // namespace ct::sqlite
