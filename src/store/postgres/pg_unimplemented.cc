// PostgresStore methods not implemented on PostgreSQL yet: each says so by name instead of
// answering something made up. The SQLite store (store/sqlite/) is the reference to port.
#include "store/postgres/postgres_store.h"

namespace ct {

Status PostgresStore::Unimplemented(std::string_view method) {
  return Status::Internal("not implemented on PostgreSQL: PostgresStore::" + std::string(method));
}

Result<ConversionPage> PostgresStore::ListConversions(const ConversionFilter& filter,
                                                      const std::optional<ConversionCursor>& after,
                                                      int limit) {
  return Unimplemented("ListConversions");
}

Result<std::vector<GoalStatsRow>> PostgresStore::GetGoalStats(int64_t account_id, int64_t from_us,
                                                              int64_t to_us) {
  return Unimplemented("GetGoalStats");
}

}  // namespace ct
