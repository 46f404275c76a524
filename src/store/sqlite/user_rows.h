// Reading rows of the users table (users.cc, sessions.cc, invitations.cc share the columns).
#pragma once

#include "store/sqlite/statement.h"
#include "store/store.h"

namespace ct::sqlite {

// The columns ReadUserRow reads, in order, for a table aliased `u`.
#define CT_USER_COLUMNS "u.id, u.account_id, u.email, u.role, u.password_hash, u.created_at"

inline UserRow ReadUserRow(const Statement& s, int first = 0) {
  UserRow u;
  u.id = s.ColumnInt(first);
  u.account_id = s.ColumnInt(first + 1);
  u.email = s.ColumnText(first + 2);
  u.role = s.ColumnText(first + 3);
  u.password_hash = s.ColumnText(first + 4);
  u.created_at_us = s.ColumnInt(first + 5);
  return u;
}

}  // namespace ct::sqlite
