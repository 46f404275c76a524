// PostgresStore: conversion goals, with the SQLite store's semantics (store/sqlite/goals.cc).
// A goal's version comes from the store-wide counter of links and domains (NextVersion), so the
// edge's link syncer sees goal changes, deletions included, in the same LinksChangedSince poll.
//
// Lock order: the goal's row first, then the version counter (as UpdateLink), so an update and
// a delete of one goal queue on the row instead of deadlocking across the two.
#include <utility>

#include "store/goal_postback_row.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/goal_postback_rows.h"

namespace ct {

using pg::Params;
using pg::PgConn;
using pg::PgResult;

namespace {

// Scoped by account: another account's goal reads exactly like a missing one. `for_update`
// locks the row to the end of the caller's transaction.
Result<std::optional<GoalRow>> ReadGoal(PgConn* c, int64_t account_id, int64_t goal_id,
                                        bool live_only, bool for_update = false) {
  std::string sql =
      "SELECT " CT_PG_GOAL_COLUMNS " FROM goals WHERE id = $1::int8 AND account_id = $2::int8";
  if (live_only) sql += " AND deleted_at IS NULL";
  if (for_update) sql += " FOR UPDATE";
  Result<PgResult> r = c->Exec(sql, Params().Int(goal_id).Int(account_id));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<GoalRow>();
  Result<GoalRow> row = pg::ReadGoalRow(*r, 0);
  if (!row.ok()) return row.status();
  return std::optional<GoalRow>(std::move(*row));
}

// kAlreadyExists with a message fit for a client (goals.key is UNIQUE across accounts).
Status KeyTaken(const Status& s) {
  return s.code() == StatusCode::kAlreadyExists ? Status::AlreadyExists("goal key taken") : s;
}

}  // namespace

Result<GoalRow> PostgresStore::CreateGoal(const NewGoal& goal) {
  Result<pg::Lease> c = pool_.Begin();
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  Result<int64_t> version = NextVersion(db);
  if (!version.ok()) return version.status();
  GoalRow row = NewGoalRow(goal, clock_->NowMicros(), *version);
  Result<PgResult> r = db->Exec(R"sql(
    INSERT INTO goals (account_id, key, name, default_value_micros, currency, window_seconds,
                       counting, attribution, piggyback_json, created_at, updated_at, version)
    VALUES ($1::int8, $2, $3, $4::int8, $5, $6::int8, $7::int2, $8::int2, $9, $10::int8,
            $10::int8, $11::int8)
    RETURNING id)sql",
                                Params()
                                    .Int(row.account_id)
                                    .Text(row.key)
                                    .Text(row.name)
                                    .Int(row.default_value_micros)
                                    .Text(row.currency)
                                    .Int(row.window_seconds)
                                    .Int(static_cast<int64_t>(row.counting))
                                    .Int(static_cast<int64_t>(row.attribution))
                                    .Text(sqlite::EncodeStringList(row.piggyback_urls))
                                    .Int(row.created_at_us)
                                    .Int(row.version));
  if (!r.ok()) return KeyTaken(r.status());  // the lease rolls the version back
  row.id = r->Int(0, 0);
  CT_RETURN_IF_ERROR(db->Run("COMMIT"));
  return row;
}

Result<std::optional<GoalRow>> PostgresStore::GetGoal(int64_t account_id, int64_t goal_id) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  // Deleted goals still read, marked, as GetLink does: their conversions and stats remain.
  return ReadGoal(c->get(), account_id, goal_id, /*live_only=*/false);
}

Result<std::vector<GoalRow>> PostgresStore::ListGoals(int64_t account_id) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r = (*c)->Exec("SELECT " CT_PG_GOAL_COLUMNS
                                  " FROM goals WHERE account_id = $1::int8 AND deleted_at IS NULL"
                                  " ORDER BY id",
                                  Params().Int(account_id));
  if (!r.ok()) return r.status();
  std::vector<GoalRow> out;
  for (int i = 0; i < r->rows(); ++i) {
    Result<GoalRow> row = pg::ReadGoalRow(*r, i);
    if (!row.ok()) return row.status();
    out.push_back(std::move(*row));
  }
  return out;
}

Result<std::optional<GoalRow>> PostgresStore::UpdateGoal(int64_t account_id, int64_t goal_id,
                                                         const GoalUpdate& update) {
  Result<pg::Lease> c = pool_.Begin();
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  // Locked: two updates of one goal apply one after the other, neither losing the other's
  // fields.
  Result<std::optional<GoalRow>> current =
      ReadGoal(db, account_id, goal_id, /*live_only=*/true, /*for_update=*/true);
  if (!current.ok() || !current->has_value()) return current;
  GoalRow row = std::move(**current);
  ApplyGoalUpdate(update, &row);
  Result<int64_t> version = NextVersion(db);
  if (!version.ok()) return version.status();
  row.version = *version;
  row.updated_at_us = clock_->NowMicros();
  Result<PgResult> r = db->Exec(R"sql(
    UPDATE goals SET name = $1, default_value_micros = $2::int8, currency = $3,
                     window_seconds = $4::int8, counting = $5::int2, attribution = $6::int2,
                     piggyback_json = $7, updated_at = $8::int8, version = $9::int8
    WHERE id = $10::int8 AND account_id = $11::int8)sql",
                                Params()
                                    .Text(row.name)
                                    .Int(row.default_value_micros)
                                    .Text(row.currency)
                                    .Int(row.window_seconds)
                                    .Int(static_cast<int64_t>(row.counting))
                                    .Int(static_cast<int64_t>(row.attribution))
                                    .Text(sqlite::EncodeStringList(row.piggyback_urls))
                                    .Int(row.updated_at_us)
                                    .Int(row.version)
                                    .Int(goal_id)
                                    .Int(account_id));
  if (!r.ok()) return r.status();
  CT_RETURN_IF_ERROR(db->Run("COMMIT"));
  return std::optional<GoalRow>(std::move(row));
}

Result<bool> PostgresStore::DeleteGoal(int64_t account_id, int64_t goal_id) {
  Result<pg::Lease> c = pool_.Begin();
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  Result<PgResult> lock = db->Exec(
      "SELECT 1 FROM goals WHERE id = $1::int8 AND account_id = $2::int8 AND deleted_at IS NULL "
      "FOR UPDATE",
      Params().Int(goal_id).Int(account_id));
  if (!lock.ok()) return lock.status();
  if (lock->rows() == 0) return false;  // the lease ends the transaction
  // A new version too, so the edge learns that the goal's pixel stops answering.
  Result<int64_t> version = NextVersion(db);
  if (!version.ok()) return version.status();
  Result<PgResult> r =
      db->Exec(R"sql(
    UPDATE goals SET deleted_at = $1::int8, updated_at = $1::int8, version = $2::int8
    WHERE id = $3::int8 AND account_id = $4::int8)sql",
               Params().Int(clock_->NowMicros()).Int(*version).Int(goal_id).Int(account_id));
  if (!r.ok()) return r.status();
  CT_RETURN_IF_ERROR(db->Run("COMMIT"));
  return true;
}

}  // namespace ct
