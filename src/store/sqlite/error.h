// SqliteStatus: the one mapping from SQLite result codes to ct::Status, so every caller in
// store/sqlite/ reports engine failures the same way (see the error contract in store/store.h).
#pragma once

#include <sqlite3.h>

#include <string_view>

#include "common/status.h"

namespace ct::sqlite {

// Maps `rc` (an extended result code, e.g. from sqlite3_extended_errcode) to a Status:
//   BUSY / LOCKED                 -> kUnavailable   (another writer holds the lock: retry later)
//   FULL                          -> kResourceExhausted (disk full)
//   IOERR / CANTOPEN / READONLY   -> kIoError
//   CORRUPT / NOTADB              -> kCorruption
//   CONSTRAINT_UNIQUE/PRIMARYKEY  -> kAlreadyExists (a unique name is taken)
//   CONSTRAINT_FOREIGNKEY         -> kNotFound      (the referenced row does not exist)
//   other CONSTRAINT              -> kInvalidArgument
//   anything else                 -> kInternal
// The message is "what: <sqlite message>"; `db` may be null (then only the code's text is used).
// Returns OK for SQLITE_OK / SQLITE_ROW / SQLITE_DONE.
Status SqliteStatus(int rc, sqlite3* db, std::string_view what);

}  // namespace ct::sqlite
