// ForwardingStore: a Store that passes every call to another Store (Target()). Wrappers that
// change one or two calls — RebuildingStore, the tests' failing and recording stores — derive
// from it and override only those, so a method added to Store is forwarded in one place.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace ct {

class ForwardingStore : public Store {
 public:
  Result<int64_t> CreateAccount(const NewAccount& a) override { return Target()->CreateAccount(a); }
  Result<std::optional<ApiKeyInfo>> FindApiKey(const std::string& key_hash) override {
    return Target()->FindApiKey(key_hash);
  }
  Result<std::optional<AccountRow>> GetAccount(int64_t account_id) override {
    return Target()->GetAccount(account_id);
  }
  Result<std::optional<AccountRow>> UpdateAccount(int64_t account_id,
                                                  const AccountUpdate& update) override {
    return Target()->UpdateAccount(account_id, update);
  }
  Result<LinkRow> CreateLink(const NewLink& l) override { return Target()->CreateLink(l); }
  Result<std::vector<LinkRow>> CreateLinks(const std::vector<NewLink>& l) override {
    return Target()->CreateLinks(l);
  }
  Result<std::vector<LinkRow>> CreateLinksReporting(
      const std::vector<NewLink>& l, const std::function<void(size_t)>& progress) override {
    return Target()->CreateLinksReporting(l, progress);
  }
  Result<std::vector<SlugUse>> FindSlugs(int64_t account_id, const std::string& domain,
                                         const std::vector<std::string>& slugs) override {
    return Target()->FindSlugs(account_id, domain, slugs);
  }
  Result<bool> AccountExists(int64_t account_id) override {
    return Target()->AccountExists(account_id);
  }
  Result<std::optional<LinkRow>> GetLink(int64_t account_id, int64_t link_id) override {
    return Target()->GetLink(account_id, link_id);
  }
  Result<LinkPage> ListLinks(int64_t account_id, const LinkFilter& filter, int64_t after_id,
                             int limit) override {
    return Target()->ListLinks(account_id, filter, after_id, limit);
  }
  Result<std::optional<LinkRow>> UpdateLink(int64_t account_id, int64_t link_id,
                                            const LinkUpdate& update) override {
    return Target()->UpdateLink(account_id, link_id, update);
  }
  Result<bool> DeleteLink(int64_t account_id, int64_t link_id) override {
    return Target()->DeleteLink(account_id, link_id);
  }
  Result<DomainRow> CreateDomain(int64_t account_id, const std::string& host) override {
    return Target()->CreateDomain(account_id, host);
  }
  Result<std::vector<DomainRow>> ListDomains(int64_t account_id) override {
    return Target()->ListDomains(account_id);
  }
  Result<bool> DeleteDomain(int64_t account_id, int64_t domain_id) override {
    return Target()->DeleteDomain(account_id, domain_id);
  }
  Result<LinkChanges> LinksChangedSince(int64_t version) override {
    return Target()->LinksChangedSince(version);
  }
  Result<CommitResult> Commit(const CommitBatch& batch) override { return Target()->Commit(batch); }
  Result<uint64_t> ConsumedPosition(const std::string& consumer) override {
    return Target()->ConsumedPosition(consumer);
  }
  Result<uint64_t> EdgeWatermark(const std::string& edge) override {
    return Target()->EdgeWatermark(edge);
  }
  Result<std::vector<EdgeProgress>> ListEdgeProgress() override {
    return Target()->ListEdgeProgress();
  }
  Result<ReconciliationData> GetReconciliation(int64_t from_us, int64_t to_us) override {
    return Target()->GetReconciliation(from_us, to_us);
  }
  Result<std::optional<LinkStats>> GetLinkStats(const StatsQuery& query) override {
    return Target()->GetLinkStats(query);
  }
  Result<std::optional<std::vector<BreakdownRow>>> GetBreakdown(const StatsQuery& query,
                                                                Dimension dimension,
                                                                int limit) override {
    return Target()->GetBreakdown(query, dimension, limit);
  }
  Result<std::vector<TopLink>> GetTopLinks(int64_t account_id, int64_t from_us, int64_t to_us,
                                           int limit) override {
    return Target()->GetTopLinks(account_id, from_us, to_us, limit);
  }
  Result<std::optional<HitPage>> ListHits(int64_t account_id, int64_t link_id,
                                          const std::optional<HitCursor>& after,
                                          int limit) override {
    return Target()->ListHits(account_id, link_id, after, limit);
  }
  Result<int64_t> LastHitSeq() override { return Target()->LastHitSeq(); }
  Result<LiveHitPage> ListLiveHits(int64_t account_id, int64_t link_id, int64_t after_seq,
                                   int limit) override {
    return Target()->ListLiveHits(account_id, link_id, after_seq, limit);
  }
  Result<int64_t> ExpireHits(int64_t before_us, int64_t max_rows) override {
    return Target()->ExpireHits(before_us, max_rows);
  }
  Result<std::vector<ExportedHit>> ScanHits(int64_t from_us, int64_t to_us,
                                            const std::optional<HitCursor>& after,
                                            int limit) override {
    return Target()->ScanHits(from_us, to_us, after, limit);
  }
  Result<int64_t> DeleteHits(const std::vector<EventId>& ids) override {
    return Target()->DeleteHits(ids);
  }
  Result<int64_t> ExpireIpSightings(int64_t before_us, int64_t max_rows) override {
    return Target()->ExpireIpSightings(before_us, max_rows);
  }
  Result<GoalRow> CreateGoal(const NewGoal& goal) override { return Target()->CreateGoal(goal); }
  Result<std::optional<GoalRow>> GetGoal(int64_t account_id, int64_t goal_id) override {
    return Target()->GetGoal(account_id, goal_id);
  }
  Result<std::vector<GoalRow>> ListGoals(int64_t account_id) override {
    return Target()->ListGoals(account_id);
  }
  Result<std::optional<GoalRow>> UpdateGoal(int64_t account_id, int64_t goal_id,
                                            const GoalUpdate& update) override {
    return Target()->UpdateGoal(account_id, goal_id, update);
  }
  Result<bool> DeleteGoal(int64_t account_id, int64_t goal_id) override {
    return Target()->DeleteGoal(account_id, goal_id);
  }
  Result<PostbackRow> CreatePostback(const NewPostback& postback) override {
    return Target()->CreatePostback(postback);
  }
  Result<std::optional<PostbackRow>> GetPostback(int64_t account_id, int64_t postback_id) override {
    return Target()->GetPostback(account_id, postback_id);
  }
  Result<std::vector<PostbackRow>> ListPostbacks(int64_t account_id) override {
    return Target()->ListPostbacks(account_id);
  }
  Result<std::optional<PostbackRow>> UpdatePostback(int64_t account_id, int64_t postback_id,
                                                    const PostbackUpdate& update) override {
    return Target()->UpdatePostback(account_id, postback_id, update);
  }
  Result<bool> DeletePostback(int64_t account_id, int64_t postback_id) override {
    return Target()->DeletePostback(account_id, postback_id);
  }
  Result<std::vector<ClaimedDelivery>> ClaimDeliveries(int64_t now_us, int64_t lease_until_us,
                                                       int limit) override {
    return Target()->ClaimDeliveries(now_us, lease_until_us, limit);
  }
  Status RecordDeliveryOutcome(const DeliveryOutcome& outcome) override {
    return Target()->RecordDeliveryOutcome(outcome);
  }
  Result<DeliveryPage> ListDeliveries(int64_t account_id, const DeliveryFilter& filter,
                                      const std::optional<std::string>& after_id,
                                      int limit) override {
    return Target()->ListDeliveries(account_id, filter, after_id, limit);
  }
  Result<std::optional<DeliveryRow>> GetDelivery(int64_t account_id,
                                                 const std::string& delivery_id) override {
    return Target()->GetDelivery(account_id, delivery_id);
  }
  Result<std::optional<std::vector<DeliveryAttemptRow>>> ListDeliveryAttempts(
      int64_t account_id, const std::string& delivery_id) override {
    return Target()->ListDeliveryAttempts(account_id, delivery_id);
  }
  Result<int64_t> ReplayDeliveries(int64_t account_id, const ReplaySelector& selector,
                                   int64_t now_us) override {
    return Target()->ReplayDeliveries(account_id, selector, now_us);
  }
  Result<OutboxStats> GetOutboxStats() override { return Target()->GetOutboxStats(); }
  Result<ConversionPage> ListConversions(const ConversionFilter& filter,
                                         const std::optional<ConversionCursor>& after,
                                         int limit) override {
    return Target()->ListConversions(filter, after, limit);
  }
  Result<std::vector<GoalStatsRow>> GetGoalStats(int64_t account_id, int64_t from_us,
                                                 int64_t to_us) override {
    return Target()->GetGoalStats(account_id, from_us, to_us);
  }
  Result<UserRow> CreateUser(const NewUser& u) override { return Target()->CreateUser(u); }
  Result<std::optional<UserRow>> FindUserByEmail(const std::string& email) override {
    return Target()->FindUserByEmail(email);
  }
  Result<std::optional<UserRow>> GetUser(int64_t account_id, int64_t user_id) override {
    return Target()->GetUser(account_id, user_id);
  }
  Result<std::vector<UserRow>> ListUsers(int64_t account_id) override {
    return Target()->ListUsers(account_id);
  }
  Result<std::optional<UserRow>> SetUserRole(int64_t account_id, int64_t user_id,
                                             const std::string& role) override {
    return Target()->SetUserRole(account_id, user_id, role);
  }
  Result<bool> DeleteUser(int64_t account_id, int64_t user_id) override {
    return Target()->DeleteUser(account_id, user_id);
  }
  Result<bool> SetUserPassword(int64_t account_id, int64_t user_id, const std::string& hash,
                               const std::string& keep_session_hash) override {
    return Target()->SetUserPassword(account_id, user_id, hash, keep_session_hash);
  }
  Status CreateSession(const NewSession& s, int64_t idle_ttl_us) override {
    return Target()->CreateSession(s, idle_ttl_us);
  }
  Result<std::optional<SessionInfo>> FindSession(const std::string& token_hash,
                                                 int64_t idle_ttl_us) override {
    return Target()->FindSession(token_hash, idle_ttl_us);
  }
  Status DeleteSession(const std::string& token_hash) override {
    return Target()->DeleteSession(token_hash);
  }
  Result<InvitationRow> CreateInvitation(const NewInvitation& i) override {
    return Target()->CreateInvitation(i);
  }
  Result<std::vector<InvitationRow>> ListInvitations(int64_t account_id) override {
    return Target()->ListInvitations(account_id);
  }
  Result<bool> DeleteInvitation(int64_t account_id, int64_t invitation_id) override {
    return Target()->DeleteInvitation(account_id, invitation_id);
  }
  Result<UserRow> AcceptInvitation(const std::string& token_hash,
                                   const std::string& password_hash) override {
    return Target()->AcceptInvitation(token_hash, password_hash);
  }
  Result<std::vector<ApiKeyRow>> ListApiKeys(int64_t account_id) override {
    return Target()->ListApiKeys(account_id);
  }
  Result<ApiKeyRow> CreateApiKey(const NewApiKeyRow& k) override {
    return Target()->CreateApiKey(k);
  }
  Result<bool> RevokeApiKey(int64_t account_id, int64_t key_id) override {
    return Target()->RevokeApiKey(account_id, key_id);
  }
  Status Probe() override { return Target()->Probe(); }

 protected:
  // The store to call; pinned by the returned pointer for the duration of one call.
  virtual std::shared_ptr<Store> Target() const = 0;
};

// Forwards to a store it does not own.
class StoreWrapper : public ForwardingStore {
 public:
  explicit StoreWrapper(Store* inner) : inner_(inner, [](Store*) {}) {}

 protected:
  std::shared_ptr<Store> Target() const override { return inner_; }

 private:
  std::shared_ptr<Store> inner_;
};

}  // namespace ct
