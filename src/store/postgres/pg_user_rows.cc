#include "store/postgres/pg_user_rows.h"

namespace ct::pg {

UserRow ReadUserRow(const PgResult& r, int row, int first) {
  UserRow u;
  u.id = r.Int(row, first);
  u.account_id = r.Int(row, first + 1);
  u.email = r.Str(row, first + 2);
  u.role = r.Str(row, first + 3);
  u.password_hash = r.Str(row, first + 4);
  u.created_at_us = r.Int(row, first + 5);
  return u;
}

Result<UserRow> InsertUser(PgConn* c, const NewUser& user, int64_t now) {
  Result<PgResult> r = c->Exec(
      "INSERT INTO users (account_id, email, role, password_hash, created_at) "
      "VALUES ($1::int8, $2, $3, $4, $5::int8) RETURNING id",
      Params()
          .Int(user.account_id)
          .Text(user.email)
          .Text(user.role)
          .Text(user.password_hash)
          .Int(now));
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kAlreadyExists)
      return Status::AlreadyExists("email taken");
    if (r.status().code() == StatusCode::kNotFound) return Status::NotFound("no such account");
    return r.status();
  }
  UserRow row;
  row.id = r->Int(0, 0);
  row.account_id = user.account_id;
  row.email = user.email;
  row.role = user.role;
  row.password_hash = user.password_hash;
  row.created_at_us = now;
  return row;
}

}  // namespace ct::pg
