// Db: one SQLite connection (RAII) with a per-connection cache of prepared statements.
//
// Thread safety: none. A Db is used by one thread at a time; SqliteStore guards each connection
// with its own mutex. Ownership: the Db owns its cached statements and finalizes them on close;
// Statements returned by Prepare borrow them and must not outlive the Db.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "store/sqlite/statement.h"

namespace ct::sqlite {

struct DbOptions {
  bool read_only = false;      // open with SQLITE_OPEN_READONLY (never creates the file)
  int busy_timeout_ms = 5000;  // how long a locked database is retried before kUnavailable
};

class Db {
 public:
  // Opens (creating it unless read_only) the database at `path` and sets the per-connection
  // PRAGMAs: busy_timeout, foreign_keys=ON, synchronous=FULL. The journal mode (WAL) is a
  // property of the file and is set by the store once, on the writer connection.
  [[nodiscard]] static Result<std::unique_ptr<Db>> Open(const std::string& path,
                                                        const DbOptions& options);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more SQL statements that return no rows of interest (schema, PRAGMAs).
  [[nodiscard]] Status Exec(std::string_view sql);
  // Returns the cached prepared statement for `sql`, preparing it on first use. The text is the
  // cache key, so pass the same string literal each time.
  [[nodiscard]] Result<Statement> Prepare(std::string_view sql);
  // Reads one integer: the first column of the first row of `sql` (e.g. a PRAGMA).
  [[nodiscard]] Result<int64_t> QueryInt(std::string_view sql);

  int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
  sqlite3* raw() const { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace ct::sqlite
