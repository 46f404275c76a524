// PostgresStore methods not implemented on PostgreSQL yet: each says so by name instead of
// answering something made up. The SQLite store (store/sqlite/) is the reference to port.
#include "store/postgres/postgres_store.h"

namespace ct {

Status PostgresStore::Unimplemented(std::string_view method) {
  return Status::Internal("not implemented on PostgreSQL: PostgresStore::" + std::string(method));
}

Result<std::vector<SlugUse>> PostgresStore::FindSlugs(int64_t account_id, const std::string& domain,
                                                      const std::vector<std::string>& slugs) {
  return Unimplemented("FindSlugs");
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

Result<GoalRow> PostgresStore::CreateGoal(const NewGoal& goal) {
  return Unimplemented("CreateGoal");
}

Result<std::optional<GoalRow>> PostgresStore::GetGoal(int64_t account_id, int64_t goal_id) {
  return Unimplemented("GetGoal");
}

Result<std::vector<GoalRow>> PostgresStore::ListGoals(int64_t account_id) {
  return Unimplemented("ListGoals");
}

Result<std::optional<GoalRow>> PostgresStore::UpdateGoal(int64_t account_id, int64_t goal_id,
                                                         const GoalUpdate& update) {
  return Unimplemented("UpdateGoal");
}

Result<bool> PostgresStore::DeleteGoal(int64_t account_id, int64_t goal_id) {
  return Unimplemented("DeleteGoal");
}

Result<std::optional<PostbackRow>> PostgresStore::GetPostback(int64_t account_id,
                                                              int64_t postback_id) {
  return Unimplemented("GetPostback");
}

Result<std::vector<PostbackRow>> PostgresStore::ListPostbacks(int64_t account_id) {
  return Unimplemented("ListPostbacks");
}

Result<std::optional<PostbackRow>> PostgresStore::UpdatePostback(int64_t account_id,
                                                                 int64_t postback_id,
                                                                 const PostbackUpdate& update) {
  return Unimplemented("UpdatePostback");
}

Result<bool> PostgresStore::DeletePostback(int64_t account_id, int64_t postback_id) {
  return Unimplemented("DeletePostback");
}

Result<DeliveryPage> PostgresStore::ListDeliveries(int64_t account_id, const DeliveryFilter& filter,
                                                   const std::optional<std::string>& after_id,
                                                   int limit) {
  return Unimplemented("ListDeliveries");
}

Result<std::optional<DeliveryRow>> PostgresStore::GetDelivery(int64_t account_id,
                                                              const std::string& delivery_id) {
  return Unimplemented("GetDelivery");
}

Result<std::optional<std::vector<DeliveryAttemptRow>>> PostgresStore::ListDeliveryAttempts(
    int64_t account_id, const std::string& delivery_id) {
  return Unimplemented("ListDeliveryAttempts");
}

Result<int64_t> PostgresStore::ReplayDeliveries(int64_t account_id, const ReplaySelector& selector,
                                                int64_t now_us) {
  return Unimplemented("ReplayDeliveries");
}

Result<OutboxStats> PostgresStore::GetOutboxStats() { return Unimplemented("GetOutboxStats"); }

Result<UserRow> PostgresStore::CreateUser(const NewUser& user) {
  return Unimplemented("CreateUser");
}

Result<std::optional<UserRow>> PostgresStore::FindUserByEmail(const std::string& email) {
  return Unimplemented("FindUserByEmail");
}

Result<std::optional<UserRow>> PostgresStore::GetUser(int64_t account_id, int64_t user_id) {
  return Unimplemented("GetUser");
}

Result<std::vector<UserRow>> PostgresStore::ListUsers(int64_t account_id) {
  return Unimplemented("ListUsers");
}

Result<std::optional<UserRow>> PostgresStore::SetUserRole(int64_t account_id, int64_t user_id,
                                                          const std::string& role) {
  return Unimplemented("SetUserRole");
}

Result<bool> PostgresStore::DeleteUser(int64_t account_id, int64_t user_id) {
  return Unimplemented("DeleteUser");
}

Result<bool> PostgresStore::SetUserPassword(int64_t account_id, int64_t user_id,
                                            const std::string& password_hash,
                                            const std::string& keep_session_hash) {
  return Unimplemented("SetUserPassword");
}

Status PostgresStore::CreateSession(const NewSession& session, int64_t idle_ttl_us) {
  return Unimplemented("CreateSession");
}

Result<std::optional<SessionInfo>> PostgresStore::FindSession(const std::string& token_hash,
                                                              int64_t idle_ttl_us) {
  return Unimplemented("FindSession");
}

Status PostgresStore::DeleteSession(const std::string& token_hash) {
  return Unimplemented("DeleteSession");
}

Result<InvitationRow> PostgresStore::CreateInvitation(const NewInvitation& invitation) {
  return Unimplemented("CreateInvitation");
}

Result<std::vector<InvitationRow>> PostgresStore::ListInvitations(int64_t account_id) {
  return Unimplemented("ListInvitations");
}

Result<bool> PostgresStore::DeleteInvitation(int64_t account_id, int64_t invitation_id) {
  return Unimplemented("DeleteInvitation");
}

Result<UserRow> PostgresStore::AcceptInvitation(const std::string& token_hash,
                                                const std::string& password_hash) {
  return Unimplemented("AcceptInvitation");
}

Result<std::vector<ApiKeyRow>> PostgresStore::ListApiKeys(int64_t account_id) {
  return Unimplemented("ListApiKeys");
}

Result<ApiKeyRow> PostgresStore::CreateApiKey(const NewApiKeyRow& key) {
  return Unimplemented("CreateApiKey");
}

Result<bool> PostgresStore::RevokeApiKey(int64_t account_id, int64_t key_id) {
  return Unimplemented("RevokeApiKey");
}
}  // namespace ct
