// ApplyCommit: the tracker's transaction (Store::Commit) on the writer connection: raw hits with
// durable dedup, rollups, dead letters and the consumer's position, all or nothing.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "store/sqlite/db.h"
#include "store/store.h"

namespace ct::sqlite {

// Bucket widths, which are also the `granularity` values stored in rollups (seconds).
inline constexpr int64_t kMinuteSeconds = 60;
inline constexpr int64_t kHourSeconds = 3600;
inline constexpr int64_t kDaySeconds = 86400;
// Dimensions: the values of store.h's Dimension, 0..7. dim_rollups.dim holds the first seven
// (kBot, 7, is derived from the rollups).
inline constexpr int kDimensionCount = 8;
inline constexpr int kStoredDimensions = 7;

// floor(time_us / width) * width for a width in seconds: correct for times before 1970 too.
int64_t BucketStart(int64_t time_us, int64_t width_seconds);

// Runs the whole batch in one BEGIN IMMEDIATE transaction on `db` (the caller holds the writer
// connection). kFailedPrecondition, with nothing changed, when the consumer's stored position is
// not batch.from_position; any other error also leaves nothing applied. `now_us` stamps
// consumer_offsets.updated_at and dead_letters.created_at.
[[nodiscard]] Result<CommitResult> ApplyCommit(Db* db, const CommitBatch& batch, int64_t now_us);

}  // namespace ct::sqlite
