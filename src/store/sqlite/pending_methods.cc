// TEMPORARY during the issue-4 build-out: bodies of Store methods not written yet. Each helper
// deletes the ones it implements; this file must be gone before the work is merged to main.
#include "store/sqlite/sqlite_store.h"

namespace ct {

Result<GoalRow> SqliteStore::CreateGoal(const NewGoal& goal) {
  (void)goal;
  return Status::Internal(std::string("not implemented yet: ") + "CreateGoal");
}

Result<std::optional<GoalRow>> SqliteStore::GetGoal(int64_t account_id, int64_t goal_id) {
  (void)account_id;
  (void)goal_id;
  return Status::Internal(std::string("not implemented yet: ") + "GetGoal");
}

Result<std::vector<GoalRow>> SqliteStore::ListGoals(int64_t account_id) {
  (void)account_id;
  return Status::Internal(std::string("not implemented yet: ") + "ListGoals");
}

Result<std::optional<GoalRow>> SqliteStore::UpdateGoal(int64_t account_id, int64_t goal_id, const GoalUpdate& update) {
  (void)account_id;
  (void)goal_id;
  (void)update;
  return Status::Internal(std::string("not implemented yet: ") + "UpdateGoal");
}

Result<bool> SqliteStore::DeleteGoal(int64_t account_id, int64_t goal_id) {
  (void)account_id;
  (void)goal_id;
  return Status::Internal(std::string("not implemented yet: ") + "DeleteGoal");
}

Result<PostbackRow> SqliteStore::CreatePostback(const NewPostback& postback) {
  (void)postback;
  return Status::Internal(std::string("not implemented yet: ") + "CreatePostback");
}

Result<std::optional<PostbackRow>> SqliteStore::GetPostback(int64_t account_id, int64_t postback_id) {
  (void)account_id;
  (void)postback_id;
  return Status::Internal(std::string("not implemented yet: ") + "GetPostback");
}

Result<std::vector<PostbackRow>> SqliteStore::ListPostbacks(int64_t account_id) {
  (void)account_id;
  return Status::Internal(std::string("not implemented yet: ") + "ListPostbacks");
}

Result<std::optional<PostbackRow>> SqliteStore::UpdatePostback(int64_t account_id, int64_t postback_id, const PostbackUpdate& update) {
  (void)account_id;
  (void)postback_id;
  (void)update;
  return Status::Internal(std::string("not implemented yet: ") + "UpdatePostback");
}

Result<bool> SqliteStore::DeletePostback(int64_t account_id, int64_t postback_id) {
  (void)account_id;
  (void)postback_id;
  return Status::Internal(std::string("not implemented yet: ") + "DeletePostback");
}

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
