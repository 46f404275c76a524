// SqliteStore: dashboard users (store/store.h). Role changes and deletions keep at least one
// owner in an account that has one: the check and the change run in one write transaction.
#include <utility>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/transaction.h"
#include "store/sqlite/user_rows.h"

namespace ct {

using sqlite::Db;
using sqlite::Statement;
using sqlite::Transaction;

namespace {

Result<std::optional<UserRow>> ReadUser(Db* db, int64_t account_id, int64_t user_id) {
  Result<Statement> s =
      db->Prepare("SELECT " CT_USER_COLUMNS " FROM users u WHERE u.id = ? AND u.account_id = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(user_id, account_id));
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<UserRow>();
  return std::optional<UserRow>(sqlite::ReadUserRow(*s));
}

// True if `user` is the only owner of its account.
Result<bool> IsLastOwner(Db* db, const UserRow& user) {
  if (user.role != "owner") return false;
  Result<Statement> s =
      db->Prepare("SELECT COUNT(*) FROM users WHERE account_id = ? AND role = 'owner' AND id != ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(user.account_id, user.id));
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status();
  return s->ColumnInt(0) == 0;
}

Status DeleteSessionsOfUser(Db* db, int64_t user_id, const std::string& keep_hash) {
  Result<Statement> s = db->Prepare("DELETE FROM sessions WHERE user_id = ? AND token_hash != ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(user_id, std::string_view(keep_hash)));
  return s->Run();
}

}  // namespace

Result<UserRow> SqliteStore::InsertUser(const NewUser& user, int64_t now) {
  Db* db = writer_.get();
  Result<Statement> s = db->Prepare(
      "INSERT INTO users (account_id, email, role, password_hash, created_at) "
      "VALUES (?, ?, ?, ?, ?)");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(user.account_id, std::string_view(user.email),
                                std::string_view(user.role), std::string_view(user.password_hash),
                                now));
  Status st = s->Run();
  if (st.code() == StatusCode::kAlreadyExists) return Status::AlreadyExists("email taken");
  if (st.code() == StatusCode::kNotFound) return Status::NotFound("no such account");
  CT_RETURN_IF_ERROR(st);
  UserRow row;
  row.id = db->LastInsertRowId();
  row.account_id = user.account_id;
  row.email = user.email;
  row.role = user.role;
  row.password_hash = user.password_hash;
  row.created_at_us = now;
  return row;
}

Result<UserRow> SqliteStore::CreateUser(const NewUser& user) {
  std::lock_guard lock(write_mu_);
  Transaction txn(writer_.get());
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  Result<UserRow> row = InsertUser(user, clock_->NowMicros());
  if (!row.ok()) return row.status();
  CT_RETURN_IF_ERROR(txn.Commit());
  return row;
}

Result<std::optional<UserRow>> SqliteStore::FindUserByEmail(const std::string& email) {
  ReadLease lease = AcquireReader();
  Result<Statement> s =
      lease.db()->Prepare("SELECT " CT_USER_COLUMNS " FROM users u WHERE u.email = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(std::string_view(email)));
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<UserRow>();
  return std::optional<UserRow>(sqlite::ReadUserRow(*s));
}

Result<std::optional<UserRow>> SqliteStore::GetUser(int64_t account_id, int64_t user_id) {
  ReadLease lease = AcquireReader();
  return ReadUser(lease.db(), account_id, user_id);
}

Result<std::vector<UserRow>> SqliteStore::ListUsers(int64_t account_id) {
  ReadLease lease = AcquireReader();
  Result<Statement> s = lease.db()->Prepare("SELECT " CT_USER_COLUMNS
                                            " FROM users u WHERE u.account_id = ? ORDER BY u.id");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(account_id));
  std::vector<UserRow> out;
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(sqlite::ReadUserRow(*s));
  }
  return out;
}

Result<std::optional<UserRow>> SqliteStore::SetUserRole(int64_t account_id, int64_t user_id,
                                                        const std::string& role) {
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  Result<std::optional<UserRow>> user = ReadUser(db, account_id, user_id);
  if (!user.ok() || !user->has_value()) return user;
  if (role != "owner") {
    Result<bool> last = IsLastOwner(db, **user);
    if (!last.ok()) return last.status();
    if (*last) return Status::FailedPrecondition("last_owner");
  }
  Result<Statement> s = db->Prepare("UPDATE users SET role = ? WHERE id = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(std::string_view(role), user_id));
  CT_RETURN_IF_ERROR(s->Run());
  CT_RETURN_IF_ERROR(txn.Commit());
  (*user)->role = role;
  return user;
}

Result<bool> SqliteStore::DeleteUser(int64_t account_id, int64_t user_id) {
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  Result<std::optional<UserRow>> user = ReadUser(db, account_id, user_id);
  if (!user.ok()) return user.status();
  if (!user->has_value()) return false;
  Result<bool> last = IsLastOwner(db, **user);
  if (!last.ok()) return last.status();
  if (*last) return Status::FailedPrecondition("last_owner");
  CT_RETURN_IF_ERROR(DeleteSessionsOfUser(db, user_id, ""));
  Result<Statement> s = db->Prepare("DELETE FROM users WHERE id = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(user_id));
  CT_RETURN_IF_ERROR(s->Run());
  CT_RETURN_IF_ERROR(txn.Commit());
  return true;
}

Result<bool> SqliteStore::SetUserPassword(int64_t account_id, int64_t user_id,
                                          const std::string& password_hash,
                                          const std::string& keep_session_hash) {
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  Result<Statement> s =
      db->Prepare("UPDATE users SET password_hash = ? WHERE id = ? AND account_id = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(std::string_view(password_hash), user_id, account_id));
  CT_RETURN_IF_ERROR(s->Run());
  if (s->Changes() == 0) return false;
  CT_RETURN_IF_ERROR(DeleteSessionsOfUser(db, user_id, keep_session_hash));
  CT_RETURN_IF_ERROR(txn.Commit());
  return true;
}

}  // namespace ct
