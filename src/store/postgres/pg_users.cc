// PostgresStore: dashboard users (store/store.h), with the SQLite store's semantics
// (store/sqlite/users.cc). Several API processes share the database, so where SQLite relies on
// its single writer this takes row locks: role changes and deletions lock the account's row
// first, so two of them cannot each see the other's owner and leave the account with none; a
// deletion or password change locks the user's row, so a sign-in racing it cannot leave behind
// a session the change should have ended (the session's foreign key check waits for the lock).
#include <utility>

#include "store/postgres/pg_user_rows.h"
#include "store/postgres/postgres_store.h"

namespace ct {

using pg::Params;
using pg::PgConn;
using pg::PgResult;

namespace {

Result<std::optional<UserRow>> ReadUser(PgConn* c, int64_t account_id, int64_t user_id,
                                        bool for_update) {
  Result<PgResult> r = c->Exec(
      for_update ? "SELECT " CT_PG_USER_COLUMNS
                   " FROM users u WHERE u.id = $1::int8 AND u.account_id = $2::int8 FOR UPDATE"
                 : "SELECT " CT_PG_USER_COLUMNS
                   " FROM users u WHERE u.id = $1::int8 AND u.account_id = $2::int8",
      Params().Int(user_id).Int(account_id));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<UserRow>();
  return std::optional<UserRow>(pg::ReadUserRow(*r, 0));
}

// Serialises the owner checks of one account (NO KEY: inserts referencing it are not blocked).
Status LockAccount(PgConn* c, int64_t account_id) {
  Result<PgResult> r = c->Exec("SELECT 1 FROM accounts WHERE id = $1::int8 FOR NO KEY UPDATE",
                               Params().Int(account_id));
  return r.status();
}

// True if `user` is the only owner of its account.
Result<bool> IsLastOwner(PgConn* c, const UserRow& user) {
  if (user.role != "owner") return false;
  Result<PgResult> r = c->Exec(
      "SELECT COUNT(*) FROM users WHERE account_id = $1::int8 AND role = 'owner' AND id <> "
      "$2::int8",
      Params().Int(user.account_id).Int(user.id));
  if (!r.ok()) return r.status();
  return r->Int(0, 0) == 0;
}

Status DeleteSessionsOfUser(PgConn* c, int64_t user_id, const std::string& keep_hash) {
  Result<PgResult> r = c->Exec("DELETE FROM sessions WHERE user_id = $1::int8 AND token_hash <> $2",
                               Params().Int(user_id).Text(keep_hash));
  return r.status();
}

}  // namespace

Result<UserRow> PostgresStore::CreateUser(const NewUser& user) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  return pg::InsertUser(c->get(), user, clock_->NowMicros());
}

Result<std::optional<UserRow>> PostgresStore::FindUserByEmail(const std::string& email) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r = (*c)->Exec("SELECT " CT_PG_USER_COLUMNS " FROM users u WHERE u.email = $1",
                                  Params().Text(email));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<UserRow>();
  return std::optional<UserRow>(pg::ReadUserRow(*r, 0));
}

Result<std::optional<UserRow>> PostgresStore::GetUser(int64_t account_id, int64_t user_id) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  return ReadUser(c->get(), account_id, user_id, /*for_update=*/false);
}

Result<std::vector<UserRow>> PostgresStore::ListUsers(int64_t account_id) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r = (*c)->Exec("SELECT " CT_PG_USER_COLUMNS
                                  " FROM users u WHERE u.account_id = $1::int8 ORDER BY u.id",
                                  Params().Int(account_id));
  if (!r.ok()) return r.status();
  std::vector<UserRow> out;
  out.reserve(r->rows());
  for (int i = 0; i < r->rows(); ++i) out.push_back(pg::ReadUserRow(*r, i));
  return out;
}

Result<std::optional<UserRow>> PostgresStore::SetUserRole(int64_t account_id, int64_t user_id,
                                                          const std::string& role) {
  Result<pg::Lease> c = pool_.Begin();
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  // Returning before COMMIT leaves the transaction to the lease, which rolls it back.
  CT_RETURN_IF_ERROR(LockAccount(db, account_id));
  Result<std::optional<UserRow>> user = ReadUser(db, account_id, user_id, /*for_update=*/true);
  if (!user.ok() || !user->has_value()) return user;
  if (role != "owner") {
    Result<bool> last = IsLastOwner(db, **user);
    if (!last.ok()) return last.status();
    if (*last) return Status::FailedPrecondition("last_owner");
  }
  Result<PgResult> r =
      db->Exec("UPDATE users SET role = $1 WHERE id = $2::int8", Params().Text(role).Int(user_id));
  if (!r.ok()) return r.status();
  CT_RETURN_IF_ERROR(db->Run("COMMIT"));
  (*user)->role = role;
  return user;
}

Result<bool> PostgresStore::DeleteUser(int64_t account_id, int64_t user_id) {
  Result<pg::Lease> c = pool_.Begin();
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  CT_RETURN_IF_ERROR(LockAccount(db, account_id));
  Result<std::optional<UserRow>> user = ReadUser(db, account_id, user_id, /*for_update=*/true);
  if (!user.ok()) return user.status();
  if (!user->has_value()) return false;
  Result<bool> last = IsLastOwner(db, **user);
  if (!last.ok()) return last.status();
  if (*last) return Status::FailedPrecondition("last_owner");
  CT_RETURN_IF_ERROR(DeleteSessionsOfUser(db, user_id, ""));
  Result<PgResult> r = db->Exec("DELETE FROM users WHERE id = $1::int8", Params().Int(user_id));
  if (!r.ok()) return r.status();
  CT_RETURN_IF_ERROR(db->Run("COMMIT"));
  return true;
}

Result<bool> PostgresStore::SetUserPassword(int64_t account_id, int64_t user_id,
                                            const std::string& password_hash,
                                            const std::string& keep_session_hash) {
  Result<pg::Lease> c = pool_.Begin();
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  Result<std::optional<UserRow>> user = ReadUser(db, account_id, user_id, /*for_update=*/true);
  if (!user.ok()) return user.status();
  if (!user->has_value()) return false;
  Result<PgResult> r = db->Exec("UPDATE users SET password_hash = $1 WHERE id = $2::int8",
                                Params().Text(password_hash).Int(user_id));
  if (!r.ok()) return r.status();
  CT_RETURN_IF_ERROR(DeleteSessionsOfUser(db, user_id, keep_session_hash));
  CT_RETURN_IF_ERROR(db->Run("COMMIT"));
  return true;
}

}  // namespace ct
