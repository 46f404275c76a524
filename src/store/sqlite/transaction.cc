#include "store/sqlite/transaction.h"

namespace ct::sqlite {

Transaction::~Transaction() {
  // After some errors (SQLITE_FULL, IOERR, ...) SQLite has already rolled back on its own;
  // a ROLLBACK then would fail with "no transaction is active", so check first.
  if (open_ && db_->InTransaction()) (void)db_->Exec("ROLLBACK");
}

Status Transaction::Begin(Mode mode) {
  CT_RETURN_IF_ERROR(db_->Exec(mode == Mode::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN"));
  open_ = true;
  return Status::Ok();
}

Status Transaction::Commit() {
  Status status = db_->Exec("COMMIT");
  // On a failed COMMIT the transaction may still be open (e.g. BUSY); the destructor then rolls
  // it back, so the caller sees all-or-nothing either way.
  if (status.ok()) open_ = false;
  return status;
}

}  // namespace ct::sqlite
