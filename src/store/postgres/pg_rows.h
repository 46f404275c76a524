// The goals, postbacks and outbox tables <-> GoalRow / PostbackRow / DeliveryRow on PostgreSQL:
// the column lists every query of them selects and the row readers, shared by the CRUD
// (pg_goals.cc, pg_postbacks.cc), the edge's change feed (pg_links.cc), the commit
// (pg_commit.cc) and the outbox (pg_outbox.cc, pg_outbox_admin.cc), so a column is read one
// way. The JSON list columns use the SQLite store's encoding (store/sqlite/goal_postback_rows.h).
#pragma once

#include <string_view>

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
  "disabled_at, disabled_reason, created_at, updated_at, deleted_at"
// The outbox columns ReadDeliveryRow expects (0..15); a join selects the same list prefixed
// "o.".
#define CT_PG_DELIVERY_COLUMNS                                                                   \
  "id, account_id, postback_id, event_id, event_kind, event_time_us, method, url, body, state, " \
  "attempts, created_at, next_attempt_us, last_status, last_error, delivered_at"

// kCorruption when a JSON column holds text the store did not write.
[[nodiscard]] Result<GoalRow> ReadGoalRow(const PgResult& r, int i);
[[nodiscard]] Result<PostbackRow> ReadPostbackRow(const PgResult& r, int i);
DeliveryRow ReadDeliveryRow(const PgResult& r, int i);

}  // namespace ct::pg
