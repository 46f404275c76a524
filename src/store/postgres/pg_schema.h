// The PostgreSQL schema: versioned migrations applied at open, and the daily partitions of the
// raw hits (created ahead of the events that need them, dropped by retention).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/postgres/pg_conn.h"

namespace ct::pg {

int LatestSchemaVersion();

// Applies the migrations newer than the database's, each in its own transaction that also
// records it in schema_migrations. A session advisory lock serialises processes that open the
// same database at once (the second waits, then finds nothing left to do). kFailedPrecondition
// if the database was migrated by a newer build.
[[nodiscard]] Status Migrate(PgConn* conn);

inline constexpr int64_t kPartitionDayUs = 86'400'000'000;
// "hits_d<days since epoch>": the day partition holding time_us (floor division).
int64_t PartitionDay(int64_t time_us);
std::string PartitionName(int64_t day);
// Creates the day partitions `days` if missing (autocommit, under a transaction advisory lock so
// two trackers creating the same day do not race on the catalog).
[[nodiscard]] Status EnsurePartitions(PgConn* conn, const std::vector<int64_t>& days);
// The days of the existing hit partitions, ascending.
[[nodiscard]] Result<std::vector<int64_t>> ListPartitions(PgConn* conn);

}  // namespace ct::pg
