// SqliteStore: browser sessions (store/store.h). Lookups read on the read pool; the sliding
// idle expiry is written at most every kSessionTouchIntervalUs per session, so a page that
// makes many API reads does not queue a write behind the tracker for each.
#include <utility>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/transaction.h"
#include "store/sqlite/user_rows.h"

namespace ct {

using sqlite::Db;
using sqlite::Statement;
using sqlite::Transaction;

Status SqliteStore::CreateSession(const NewSession& session, int64_t idle_ttl_us) {
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  const int64_t now = clock_->NowMicros();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  // Sessions nobody came back to are swept here, at sign-in, so the table stays small.
  Result<Statement> sweep = db->Prepare("DELETE FROM sessions WHERE last_seen_at <= ?");
  if (!sweep.ok()) return sweep.status();
  CT_RETURN_IF_ERROR(sweep->BindAll(now - idle_ttl_us));
  CT_RETURN_IF_ERROR(sweep->Run());
  Result<Statement> s = db->Prepare(
      "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at) "
      "VALUES (?, ?, ?, ?, ?)");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(std::string_view(session.token_hash), session.user_id,
                                std::string_view(session.csrf_token), now, now));
  CT_RETURN_IF_ERROR(s->Run());
  return txn.Commit();
}

Result<std::optional<SessionInfo>> SqliteStore::FindSession(const std::string& token_hash,
                                                            int64_t idle_ttl_us) {
  const int64_t now = clock_->NowMicros();
  SessionInfo info;
  int64_t last_seen = 0;
  {
    ReadLease lease = AcquireReader();
    Result<Statement> s = lease.db()->Prepare(
        "SELECT s.csrf_token, s.created_at, s.last_seen_at, " CT_USER_COLUMNS
        " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(std::string_view(token_hash)));
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<SessionInfo>();
    info.csrf_token = s->ColumnText(0);
    info.created_at_us = s->ColumnInt(1);
    last_seen = s->ColumnInt(2);
    info.user = sqlite::ReadUserRow(*s, 3);
  }
  if (now - last_seen >= idle_ttl_us) {
    CT_RETURN_IF_ERROR(DeleteSession(token_hash));
    return std::optional<SessionInfo>();
  }
  if (now - last_seen >= kSessionTouchIntervalUs) {
    std::lock_guard lock(write_mu_);
    Result<Statement> s = writer_->Prepare(
        "UPDATE sessions SET last_seen_at = MAX(last_seen_at, ?) WHERE token_hash = ?");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(now, std::string_view(token_hash)));
    CT_RETURN_IF_ERROR(s->Run());
    info.touched = true;
  }
  return std::optional<SessionInfo>(std::move(info));
}

Status SqliteStore::DeleteSession(const std::string& token_hash) {
  std::lock_guard lock(write_mu_);
  Result<Statement> s = writer_->Prepare("DELETE FROM sessions WHERE token_hash = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(std::string_view(token_hash)));
  return s->Run();
}

}  // namespace ct
