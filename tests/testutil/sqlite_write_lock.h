// Holds an SQLite file's write lock from a connection of its own (BEGIN EXCLUSIVE), as a stuck
// process would: the server's store then cannot commit until Release() or destruction. Fault
// tests use it to stall the tracker while the edge keeps answering.
#pragma once

#include <string>

struct sqlite3;

namespace ct::test {

class SqliteWriteLock {
 public:
  explicit SqliteWriteLock(const std::string& db_path);  // EXPECTs the lock was taken
  ~SqliteWriteLock() { Release(); }
  SqliteWriteLock(const SqliteWriteLock&) = delete;
  SqliteWriteLock& operator=(const SqliteWriteLock&) = delete;
  void Release();  // idempotent

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace ct::test
