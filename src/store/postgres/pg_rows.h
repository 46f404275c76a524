// The goals and postbacks tables <-> GoalRow / PostbackRow on PostgreSQL: the column lists the
// queries select and the row readers, shared by the change feed (pg_links.cc) and the commit's
// postbacks and conversions (pg_commit.cc, pg_commit_conversions.cc), so a column is read one
// way. The JSON list columns are the SQLite store's (sqlite/goal_postback_rows.h).
#pragma once

#include "common/status.h"
#include "store/postgres/pg_conn.h"
#include "store/store.h"

namespace ct::pg {

// Select exactly these, in this order, for ReadGoalRow / ReadPostbackRow.
#define CT_PG_GOAL_COLUMNS                                                                \
  "id, account_id, key, name, default_value_micros, currency, window_seconds, counting, " \
  "attribution, piggyback_json, created_at, updated_at, version, deleted_at"
#define CT_PG_POSTBACK_COLUMNS                                                              \
  "id, account_id, name, url_template, method, events, goal_ids, attributed_only, secret, " \
  "disabled_at, disabled_reason, created_at, updated_at"

// kCorruption (annotated with the row's id) when a JSON column holds text we did not write.
[[nodiscard]] Result<GoalRow> ReadGoalRow(const PgResult& r, int i);
[[nodiscard]] Result<PostbackRow> ReadPostbackRow(const PgResult& r, int i);

}  // namespace ct::pg
