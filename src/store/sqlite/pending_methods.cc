// TEMPORARY during the issue-4 build-out: bodies of Store methods not written yet. Each helper
// deletes the ones it implements; this file must be gone before the work is merged to main.
#include "store/sqlite/sqlite_store.h"

namespace ct {

Result<std::vector<ClaimedDelivery>> SqliteStore::ClaimDeliveries(int64_t now_us, int64_t lease_until_us, int limit) {
  (void)now_us;
  (void)lease_until_us;
  (void)limit;
  return Status::Internal(std::string("not implemented yet: ") + "ClaimDeliveries");
}

Status SqliteStore::RecordDeliveryOutcome(const DeliveryOutcome& outcome) {
  (void)outcome;
  return Status::Internal(std::string("not implemented yet: ") + "RecordDeliveryOutcome");
}

Result<DeliveryPage> SqliteStore::ListDeliveries(int64_t account_id, const DeliveryFilter& filter, const std::optional<std::string>& after_id, int limit) {
  (void)account_id;
  (void)filter;
  (void)after_id;
  (void)limit;
  return Status::Internal(std::string("not implemented yet: ") + "ListDeliveries");
}

Result<std::optional<DeliveryRow>> SqliteStore::GetDelivery(int64_t account_id, const std::string& delivery_id) {
  (void)account_id;
  (void)delivery_id;
  return Status::Internal(std::string("not implemented yet: ") + "GetDelivery");
}

Result<std::optional<std::vector<DeliveryAttemptRow>>> SqliteStore::ListDeliveryAttempts(int64_t account_id, const std::string& delivery_id) {
  (void)account_id;
  (void)delivery_id;
  return Status::Internal(std::string("not implemented yet: ") + "ListDeliveryAttempts");
}

Result<int64_t> SqliteStore::ReplayDeliveries(int64_t account_id, const ReplaySelector& selector, int64_t now_us) {
  (void)account_id;
  (void)selector;
  (void)now_us;
  return Status::Internal(std::string("not implemented yet: ") + "ReplayDeliveries");
}

Result<OutboxStats> SqliteStore::GetOutboxStats() {
  return Status::Internal(std::string("not implemented yet: ") + "GetOutboxStats");
}

Result<ConversionPage> SqliteStore::ListConversions(const ConversionFilter& filter, const std::optional<ConversionCursor>& after, int limit) {
  (void)filter;
  (void)after;
  (void)limit;
  return Status::Internal(std::string("not implemented yet: ") + "ListConversions");
}

Result<std::vector<GoalStatsRow>> SqliteStore::GetGoalStats(int64_t account_id, int64_t from_us, int64_t to_us) {
  (void)account_id;
  (void)from_us;
  (void)to_us;
  return Status::Internal(std::string("not implemented yet: ") + "GetGoalStats");
}

}  // namespace ct
