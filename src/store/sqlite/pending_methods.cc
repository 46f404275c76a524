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

}  // namespace ct
