// SqliteStore: postbacks (store/store.h). Deleted ones stay as rows (deleted_at) so their
// deliveries and attempts still read; disabled ones (a 410, or the API) keep their pending
// deliveries, which wait until the postback is enabled again.
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

Result<std::optional<PostbackRow>> ReadPostback(Db* db, int64_t account_id, int64_t postback_id,
                                                bool live_only) {
  // Scoped by account: another account's postback reads exactly like a missing one.
  Result<Statement> s = db->Prepare(
      live_only ? "SELECT " CT_POSTBACK_COLUMNS
                  " FROM postbacks WHERE id = ? AND account_id = ? AND deleted_at IS NULL"
                : "SELECT " CT_POSTBACK_COLUMNS " FROM postbacks WHERE id = ? AND account_id = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(postback_id, account_id));
  Result<bool> found = s->Step();
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<PostbackRow>();
  Result<PostbackRow> row = sqlite::ReadPostbackRow(*s);
  if (!row.ok()) return row.status();
  return std::optional<PostbackRow>(std::move(*row));
}

}  // namespace

Result<PostbackRow> SqliteStore::CreatePostback(const NewPostback& postback) {
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  PostbackRow row = NewPostbackRow(postback, clock_->NowMicros());
  Result<Statement> s = db->Prepare(R"sql(
    INSERT INTO postbacks (account_id, name, url_template, method, events, goal_ids,
                           attributed_only, secret, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?))sql");
  if (!s.ok()) return s.status();
  const std::string goal_ids = sqlite::EncodeIdList(row.goal_ids);
  // One statement: autocommit is its transaction.
  CT_RETURN_IF_ERROR(
      s->BindAll(row.account_id, std::string_view(row.name), std::string_view(row.url_template),
                 std::string_view(row.method), static_cast<int64_t>(row.events),
                 std::string_view(goal_ids), static_cast<int64_t>(row.attributed_only ? 1 : 0),
                 std::string_view(row.secret), row.created_at_us, row.updated_at_us));
  CT_RETURN_IF_ERROR(s->Run());
  row.id = db->LastInsertRowId();
  return row;
}

Result<std::optional<PostbackRow>> SqliteStore::GetPostback(int64_t account_id,
                                                            int64_t postback_id) {
  ReadLease lease = AcquireReader();
  // Deleted postbacks still read, marked (as GetLink): their deliveries remain listable.
  return ReadPostback(lease.db(), account_id, postback_id, /*live_only=*/false);
}

Result<std::vector<PostbackRow>> SqliteStore::ListPostbacks(int64_t account_id) {
  ReadLease lease = AcquireReader();
  Result<Statement> s = lease.db()->Prepare(
      "SELECT " CT_POSTBACK_COLUMNS
      " FROM postbacks WHERE account_id = ? AND deleted_at IS NULL ORDER BY id");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(account_id));
  std::vector<PostbackRow> out;
  for (;;) {
    Result<bool> found = s->Step();
    if (!found.ok()) return found.status();
    if (!*found) break;
    Result<PostbackRow> row = sqlite::ReadPostbackRow(*s);
    if (!row.ok()) return row.status();
    out.push_back(std::move(*row));
  }
  return out;
}

Result<std::optional<PostbackRow>> SqliteStore::UpdatePostback(int64_t account_id,
                                                               int64_t postback_id,
                                                               const PostbackUpdate& update) {
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  Result<std::optional<PostbackRow>> current =
      ReadPostback(db, account_id, postback_id, /*live_only=*/true);
  if (!current.ok() || !current->has_value()) return current;
  PostbackRow row = std::move(**current);
  ApplyPostbackUpdate(update, clock_->NowMicros(), &row);
  Result<Statement> s = db->Prepare(R"sql(
    UPDATE postbacks SET name = ?, url_template = ?, method = ?, events = ?, goal_ids = ?,
                         attributed_only = ?, secret = ?, disabled_at = ?, disabled_reason = ?,
                         updated_at = ?
    WHERE id = ? AND account_id = ?)sql");
  if (!s.ok()) return s.status();
  const std::string goal_ids = sqlite::EncodeIdList(row.goal_ids);
  CT_RETURN_IF_ERROR(s->BindAll(
      std::string_view(row.name), std::string_view(row.url_template), std::string_view(row.method),
      static_cast<int64_t>(row.events), std::string_view(goal_ids),
      static_cast<int64_t>(row.attributed_only ? 1 : 0), std::string_view(row.secret)));
  if (row.disabled) {
    CT_RETURN_IF_ERROR(s->Bind(8, row.disabled_at_us));
  } else {
    CT_RETURN_IF_ERROR(s->BindNull(8));  // NULL: enabled (ClaimDeliveries reads it so)
  }
  CT_RETURN_IF_ERROR(s->Bind(9, std::string_view(row.disabled_reason)));
  CT_RETURN_IF_ERROR(s->Bind(10, row.updated_at_us));
  CT_RETURN_IF_ERROR(s->Bind(11, postback_id));
  CT_RETURN_IF_ERROR(s->Bind(12, account_id));
  CT_RETURN_IF_ERROR(s->Run());
  CT_RETURN_IF_ERROR(txn.Commit());
  return std::optional<PostbackRow>(std::move(row));
}

Result<bool> SqliteStore::DeletePostback(int64_t account_id, int64_t postback_id) {
  std::lock_guard lock(write_mu_);
  Result<Statement> s = writer_->Prepare(R"sql(
    UPDATE postbacks SET deleted_at = ?1, updated_at = ?1
    WHERE id = ?2 AND account_id = ?3 AND deleted_at IS NULL)sql");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(clock_->NowMicros(), postback_id, account_id));
  CT_RETURN_IF_ERROR(s->Run());
  return s->Changes() > 0;
}

}  // namespace ct
