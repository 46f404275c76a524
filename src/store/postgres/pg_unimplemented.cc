// PostgresStore methods not implemented on PostgreSQL yet: each says so by name instead of
// answering something made up. The SQLite store (store/sqlite/) is the reference to port.
#include "store/postgres/postgres_store.h"

namespace ct {

Status PostgresStore::Unimplemented(std::string_view method) {
  return Status::Internal("not implemented on PostgreSQL: PostgresStore::" + std::string(method));
}

Result<std::vector<TopLink>> PostgresStore::GetTopLinks(int64_t account_id, int64_t from_us,
                                                        int64_t to_us, int limit) {
  return Unimplemented("GetTopLinks");
}

Result<std::optional<HitPage>> PostgresStore::ListHits(int64_t account_id, int64_t link_id,
                                                       const std::optional<HitCursor>& after,
                                                       int limit) {
  return Unimplemented("ListHits");
}

Result<int64_t> PostgresStore::LastHitSeq() { return Unimplemented("LastHitSeq"); }

Result<LiveHitPage> PostgresStore::ListLiveHits(int64_t account_id, int64_t link_id,
                                                int64_t after_seq, int limit) {
  return Unimplemented("ListLiveHits");
}

Result<std::vector<ExportedHit>> PostgresStore::ScanHits(int64_t from_us, int64_t to_us,
                                                         const std::optional<HitCursor>& after,
                                                         int limit) {
  return Unimplemented("ScanHits");
}

Result<int64_t> PostgresStore::DeleteHits(const std::vector<EventId>& ids) {
  return Unimplemented("DeleteHits");
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
