// PostgresStore methods not implemented on PostgreSQL yet: each says so by name instead of
// answering something made up. The SQLite store (store/sqlite/) is the reference to port.
#include "store/postgres/postgres_store.h"

namespace ct {

Status PostgresStore::Unimplemented(std::string_view method) {
  return Status::Internal("not implemented on PostgreSQL: PostgresStore::" + std::string(method));
}

}  // namespace ct
