#include "store/sqlite/statement.h"

#include <string>

#include "store/sqlite/error.h"

namespace ct::sqlite {

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  // Reset ends the statement's implicit read (a stepped-but-unfinished SELECT would otherwise
  // pin a WAL snapshot and stop checkpoints); its return code repeats the last step's error,
  // which the caller has already seen.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement::Statement(Statement&& other) noexcept : stmt_(other.stmt_), db_(other.db_) {
  other.stmt_ = nullptr;
}

Status Statement::Check(int rc, std::string_view what) const {
  if (rc == SQLITE_OK) return Status::Ok();
  return SqliteStatus(rc, db_, std::string(what) + " in " + sqlite3_sql(stmt_));
}

Status Statement::Bind(int index, int64_t value) {
  return Check(sqlite3_bind_int64(stmt_, index, value), "bind");
}

Status Statement::Bind(int index, std::string_view text) {
  return Check(
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      "bind");
}

Status Statement::Bind(int index, Blob blob) {
  // A zero-length blob must still be a BLOB, not NULL: sqlite binds NULL for a null pointer.
  static const char kEmpty = 0;
  return Check(sqlite3_bind_blob64(stmt_, index, blob.size ? blob.data : &kEmpty, blob.size,
                                   SQLITE_TRANSIENT),
               "bind");
}

Status Statement::BindNull(int index) { return Check(sqlite3_bind_null(stmt_, index), "bind"); }

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(sqlite3_extended_errcode(db_), db_, sqlite3_sql(stmt_));
}

Status Statement::Run() {
  Status status;
  for (;;) {
    Result<bool> row = Step();
    if (!row.ok()) {
      status = row.status();
      break;
    }
    if (!*row) break;
  }
  // Reset so the same statement can be bound again in a loop (binding a statement that ran to
  // completion is SQLITE_MISUSE). sqlite3_changes is per connection and survives the reset.
  sqlite3_reset(stmt_);
  return status;
}

std::string Statement::ColumnText(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(p, static_cast<size_t>(n)) : std::string();
}

}  // namespace ct::sqlite
