// SqliteStore: conversion goals (store/store.h). A goal's version comes from the store-wide
// counter of links and domains (NextLinkVersion), so the edge's link syncer sees goal changes,
// deletions included, in the same LinksChangedSince poll.
#include <string_view>
#include <utility>

#include "store/goal_postback_row.h"
#include "store/sqlite/goal_postback_rows.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/transaction.h"

namespace ct {

using sqlite::Db;
using sqlite::Statement;
using sqlite::Transaction;

namespace {

Result<std::optional<GoalRow>> ReadGoal(Db* db, int64_t account_id, int64_t goal_id,
                                        bool live_only) {
  // Scoped by account: another account's goal reads exactly like a missing one.
  Result<Statement> s = db->Prepare(
      live_only ? "SELECT " CT_GOAL_COLUMNS
                  " FROM goals WHERE id = ? AND account_id = ? AND deleted_at IS NULL"
                : "SELECT " CT_GOAL_COLUMNS " FROM goals WHERE id = ? AND account_id = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(goal_id, account_id));
  Result<bool> found = s->Step();
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<GoalRow>();
  Result<GoalRow> row = sqlite::ReadGoalRow(*s);
  if (!row.ok()) return row.status();
  return std::optional<GoalRow>(std::move(*row));
}

// kAlreadyExists with a message fit for a client; other errors unchanged.
Status KeyTaken(const Status& s) {
  return s.code() == StatusCode::kAlreadyExists ? Status::AlreadyExists("goal key taken") : s;
}

}  // namespace

Result<GoalRow> SqliteStore::CreateGoal(const NewGoal& goal) {
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  Result<int64_t> version = NextLinkVersion();
  if (!version.ok()) return version.status();
  GoalRow row = NewGoalRow(goal, clock_->NowMicros(), *version);
  Result<Statement> s = db->Prepare(R"sql(
    INSERT INTO goals (account_id, key, name, default_value_micros, currency, window_seconds,
                       counting, attribution, piggyback_json, created_at, updated_at, version)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))sql");
  if (!s.ok()) return s.status();
  const std::string piggyback = sqlite::EncodeStringList(row.piggyback_urls);
  CT_RETURN_IF_ERROR(
      s->BindAll(row.account_id, std::string_view(row.key), std::string_view(row.name),
                 row.default_value_micros, std::string_view(row.currency), row.window_seconds,
                 static_cast<int64_t>(row.counting), static_cast<int64_t>(row.attribution),
                 std::string_view(piggyback), row.created_at_us, row.updated_at_us, row.version));
  CT_RETURN_IF_ERROR(KeyTaken(s->Run()));  // goals.key is UNIQUE across accounts
  row.id = db->LastInsertRowId();
  CT_RETURN_IF_ERROR(txn.Commit());
  return row;
}

Result<std::optional<GoalRow>> SqliteStore::GetGoal(int64_t account_id, int64_t goal_id) {
  ReadLease lease = AcquireReader();
  // Deleted goals still read, marked, as GetLink does: their conversions and stats remain.
  return ReadGoal(lease.db(), account_id, goal_id, /*live_only=*/false);
}

Result<std::vector<GoalRow>> SqliteStore::ListGoals(int64_t account_id) {
  ReadLease lease = AcquireReader();
  Result<Statement> s =
      lease.db()->Prepare("SELECT " CT_GOAL_COLUMNS
                          " FROM goals WHERE account_id = ? AND deleted_at IS NULL ORDER BY id");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(account_id));
  std::vector<GoalRow> out;
  for (;;) {
    Result<bool> found = s->Step();
    if (!found.ok()) return found.status();
    if (!*found) break;
    Result<GoalRow> row = sqlite::ReadGoalRow(*s);
    if (!row.ok()) return row.status();
    out.push_back(std::move(*row));
  }
  return out;
}

Result<std::optional<GoalRow>> SqliteStore::UpdateGoal(int64_t account_id, int64_t goal_id,
                                                       const GoalUpdate& update) {
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  Result<std::optional<GoalRow>> current = ReadGoal(db, account_id, goal_id, /*live_only=*/true);
  if (!current.ok() || !current->has_value()) return current;
  GoalRow row = std::move(**current);
  ApplyGoalUpdate(update, &row);
  Result<int64_t> version = NextLinkVersion();
  if (!version.ok()) return version.status();
  row.version = *version;
  row.updated_at_us = clock_->NowMicros();
  Result<Statement> s = db->Prepare(R"sql(
    UPDATE goals SET name = ?, default_value_micros = ?, currency = ?, window_seconds = ?,
                     counting = ?, attribution = ?, piggyback_json = ?, updated_at = ?,
                     version = ?
    WHERE id = ? AND account_id = ?)sql");
  if (!s.ok()) return s.status();
  const std::string piggyback = sqlite::EncodeStringList(row.piggyback_urls);
  CT_RETURN_IF_ERROR(s->BindAll(
      std::string_view(row.name), row.default_value_micros, std::string_view(row.currency),
      row.window_seconds, static_cast<int64_t>(row.counting), static_cast<int64_t>(row.attribution),
      std::string_view(piggyback), row.updated_at_us, row.version, goal_id, account_id));
  CT_RETURN_IF_ERROR(s->Run());
  CT_RETURN_IF_ERROR(txn.Commit());
  return std::optional<GoalRow>(std::move(row));
}

Result<bool> SqliteStore::DeleteGoal(int64_t account_id, int64_t goal_id) {
  // A new version too, so the edge learns that the goal's pixel stops answering.
  return SoftDeleteVersioned("goals", account_id, goal_id);
}

}  // namespace ct
