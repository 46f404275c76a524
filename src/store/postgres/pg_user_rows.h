// Rows of the users table on PostgreSQL, shared by pg_users.cc, pg_sessions.cc and
// pg_invitations.cc (the SQLite store's user_rows.h).
#pragma once

#include <cstdint>

#include "common/status.h"
#include "store/postgres/pg_conn.h"
#include "store/store.h"

namespace ct::pg {

// The columns ReadUserRow reads, in order, for the users table aliased `u`.
#define CT_PG_USER_COLUMNS "u.id, u.account_id, u.email, u.role, u.password_hash, u.created_at"

UserRow ReadUserRow(const PgResult& r, int row, int first = 0);

// Inserts the user, created at `now`, in the caller's transaction: kAlreadyExists ("email
// taken") or kNotFound ("no such account") as the SQLite store answers.
[[nodiscard]] Result<UserRow> InsertUser(PgConn* c, const NewUser& user, int64_t now);

}  // namespace ct::pg
