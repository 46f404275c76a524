#include "testutil/sqlite_write_lock.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

namespace ct::test {

SqliteWriteLock::SqliteWriteLock(const std::string& db_path) {
  EXPECT_EQ(sqlite3_open(db_path.c_str(), &db_), SQLITE_OK);
  sqlite3_busy_timeout(db_, 10000);
  EXPECT_EQ(sqlite3_exec(db_, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db_);
}

void SqliteWriteLock::Release() {
  if (db_ == nullptr) return;
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db_);
  db_ = nullptr;
}

}  // namespace ct::test
