// Statement: a borrowed handle on a prepared statement cached by its Db (see Db::Prepare).
// Bind, step, read columns; on destruction the statement is reset and its bindings cleared, so
// the cached statement is ready for the next user and never keeps a read transaction open.
//
// Thread safety: none; a Statement is used by the thread that holds its connection. Do not hold
// two Statements for the same SQL text of one Db at once (they share the sqlite3_stmt).
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ct::sqlite {

// A byte string bound as a BLOB (ids, hashes, payloads), as opposed to TEXT.
struct Blob {
  const void* data;
  size_t size;
};

class Statement {
 public:
  Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in sqlite3_bind_*. Values are copied (SQLITE_TRANSIENT).
  [[nodiscard]] Status Bind(int index, int64_t value);
  [[nodiscard]] Status Bind(int index, std::string_view text);
  [[nodiscard]] Status Bind(int index, Blob blob);
  [[nodiscard]] Status BindNull(int index);
  // Binds `args` to parameters 1..N in order.
  template <typename... Args>
  [[nodiscard]] Status BindAll(const Args&... args) {
    int index = 0;
    Status status;
    ((status.ok() ? (status = Bind(++index, args), 0) : 0), ...);
    return status;
  }

  // true: a row is ready to read; false: the statement is done.
  [[nodiscard]] Result<bool> Step();
  // Steps to the end, for statements that return no rows (INSERT, UPDATE, ...), then resets
  // the statement (bindings kept) so it can be bound and run again.
  [[nodiscard]] Status Run();

  int64_t ColumnInt(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool ColumnIsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string ColumnText(int col) const;
  // Rows changed by the last Run()/Step() of this connection (sqlite3_changes).
  int Changes() const { return sqlite3_changes(db_); }

 private:
  [[nodiscard]] Status Check(int rc, std::string_view what) const;

  sqlite3_stmt* stmt_;  // owned by the Db's cache
  sqlite3* db_;
};

}  // namespace ct::sqlite
