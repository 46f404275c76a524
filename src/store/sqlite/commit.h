// ApplyCommit: the tracker's transaction (Store::Commit) on the writer connection: raw hits with
// durable dedup, conversions (attributed, conversions.h), rollups, outbox rows for the postbacks
// the events fire, dead letters and the consumer's position, all or nothing.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "store/sqlite/db.h"
#include "store/sqlite/rollup_deltas.h"  // bucket widths and BucketStart, for reports.cc too
#include "store/store.h"

namespace ct::sqlite {

// Dimensions: the values of store.h's Dimension, 0..7. dim_rollups.dim holds the first seven
// (kBot, 7, is derived from the rollups).
inline constexpr int kDimensionCount = 8;
inline constexpr int kStoredDimensions = 7;

// Runs the whole batch in one BEGIN IMMEDIATE transaction on `db` (the caller holds the writer
// connection). kFailedPrecondition, with nothing changed, when the consumer's stored position is
// not batch.from_position; any other error also leaves nothing applied. `now_us` stamps
// consumer_offsets.updated_at and dead_letters.created_at.
[[nodiscard]] Result<CommitResult> ApplyCommit(Db* db, const CommitBatch& batch, int64_t now_us);

}  // namespace ct::sqlite
