// Transaction: a scope guard for BEGIN ... COMMIT on one Db. If Commit() is not reached (an
// early return on error), the destructor rolls back, so an error path never leaves a
// half-applied change or a held write lock.
//
// Thread safety: none; used by the thread that holds the connection.
#pragma once

#include "common/status.h"
#include "store/sqlite/db.h"

namespace ct::sqlite {

class Transaction {
 public:
  enum class Mode {
    kDeferred,   // a read: takes a snapshot at the first read
    kImmediate,  // a write: takes the write lock now, so a read-then-write cannot deadlock
  };

  explicit Transaction(Db* db) : db_(db) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  [[nodiscard]] Status Begin(Mode mode);
  [[nodiscard]] Status Commit();

 private:
  Db* db_;
  bool open_ = false;
};

}  // namespace ct::sqlite
