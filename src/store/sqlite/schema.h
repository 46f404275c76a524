// Schema migrations for the SQLite store: an ordered list of SQL scripts; migration N (1-based)
// takes the file from user_version N-1 to N. PRAGMA user_version records the version reached.
#pragma once

#include <string_view>

#include "common/status.h"
#include "store/sqlite/db.h"

namespace ct::sqlite {

// The schema version this build writes.
int LatestSchemaVersion();

// Applies every migration newer than the file's user_version, in order, in one BEGIN IMMEDIATE
// transaction: a second process opening the same file at the same time waits (busy_timeout) and
// then sees the migrated version, so each migration runs exactly once. Idempotent.
// kFailedPrecondition if the file was written by a newer build (user_version > latest).
[[nodiscard]] Status Migrate(Db* db);

// The same, stopping at `version` (<= latest): builds a file as an older release left it, so the
// upgrade tests start from the exact released schema instead of a copy of it.
[[nodiscard]] Status MigrateTo(Db* db, int version);

// v13's backfill of account_pair_rollups and account_destination_links from the rollups
// already stored (account_combo_rollups, combo_rollups); for tools that fill rollup tables
// directly (bench/report_bench.cc).
std::string_view V13BackfillSql();

}  // namespace ct::sqlite
