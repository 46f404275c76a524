// PostgresStore: the Store (store/store.h) of distributed mode, on PostgreSQL 15 through libpq.
//
// Connections: a PgPool (pg_pool.h) of `pool_size` sessions; every call leases one, runs under
// the statement deadline (pg_conn.h) and gives it back, so a killed, restarted or paused server
// costs the calls in flight an error (kUnavailable / kDeadlineExceeded) and nothing else: the
// next call dials a fresh session.
//
// Concurrency across processes (several trackers, notifiers, API servers on one database):
// commits dedup on the hits' primary key (time_us, event_id) with ON CONFLICT DO NOTHING, so a
// redelivered or re-shipped event changes nothing (conversions on theirs, event_id, and their
// order and click keys: pg_commit_conversions.cc; ip_30min uniques under per (link, ip) locks:
// pg_ip_uniques.cc); rollup upserts run in key order so two
// commits cannot deadlock on them (a deadlock or serialization failure is retried); the outbox
// is claimed with FOR UPDATE SKIP LOCKED; link versions come from one counter row locked to
// commit (see pg_schema.cc).
//
// Every Store method answers as the SQLite store does (the parity tests in
// tests/unit/store_postgres commit the same batches into both and compare every report).
//
// Thread safety: all methods may be called concurrently from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "store/postgres/pg_pool.h"
#include "store/store.h"

namespace ct {

struct PostgresOptions {
  std::string url;  // libpq conninfo or URI (postgres.url)
  int pool_size = 8;
  int statement_timeout_ms = 10000;
  int tcp_user_timeout_ms = 10000;
  int connect_timeout_s = 5;
  Clock* clock = nullptr;  // stamps created_at/updated_at; null = Clock::System()
};

// How each connection to `options.url` is opened (deadlines, keepalives).
pg::ConnectSpec ConnectSpecOf(const PostgresOptions& options);

// Connects, applies the migrations (versioned, under an advisory lock) and creates the hits
// partitions around today. kUnavailable if the server cannot be reached.
[[nodiscard]] Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options);

class PostgresStore : public Store {
 public:
  explicit PostgresStore(const PostgresOptions& options);

  Result<int64_t> CreateAccount(const NewAccount& account) override;
  Result<std::optional<ApiKeyInfo>> FindApiKey(const std::string& key_hash) override;
  Result<std::optional<AccountRow>> GetAccount(int64_t account_id) override;
  Result<std::optional<AccountRow>> UpdateAccount(int64_t account_id,
                                                  const AccountUpdate& update) override;
  Result<LinkRow> CreateLink(const NewLink& link) override;
  Result<std::optional<LinkRow>> GetLink(int64_t account_id, int64_t link_id) override;
  Result<LinkPage> ListLinks(int64_t account_id, const LinkFilter& filter, int64_t after_id,
                             int limit) override;
  Result<std::vector<LinkRow>> CreateLinks(const std::vector<NewLink>& links) override;
  Result<std::vector<LinkRow>> CreateLinksReporting(
      const std::vector<NewLink>& links, const std::function<void(size_t done)>& progress) override;
  Result<std::vector<SlugUse>> FindSlugs(int64_t account_id, const std::string& domain,
                                         const std::vector<std::string>& slugs) override;
  Result<bool> AccountExists(int64_t account_id) override;
  Result<std::optional<LinkRow>> UpdateLink(int64_t account_id, int64_t link_id,
                                            const LinkUpdate& update) override;
  Result<bool> DeleteLink(int64_t account_id, int64_t link_id) override;
  Result<DomainRow> CreateDomain(int64_t account_id, const std::string& host) override;
  Result<std::vector<DomainRow>> ListDomains(int64_t account_id) override;
  Result<bool> DeleteDomain(int64_t account_id, int64_t domain_id) override;
  Result<LinkChanges> LinksChangedSince(int64_t version) override;
  Result<CommitResult> Commit(const CommitBatch& batch) override;
  Result<uint64_t> ConsumedPosition(const std::string& consumer) override;
  Result<uint64_t> EdgeWatermark(const std::string& edge) override;
  Result<std::vector<EdgeProgress>> ListEdgeProgress() override;
  Result<ReconciliationData> GetReconciliation(int64_t from_us, int64_t to_us) override;
  Result<std::optional<LinkStats>> GetLinkStats(const StatsQuery& query) override;
  Result<std::optional<std::vector<BreakdownRow>>> GetBreakdown(const StatsQuery& query,
                                                                Dimension dimension,
                                                                int limit) override;
  Result<std::vector<TopLink>> GetTopLinks(int64_t account_id, int64_t from_us, int64_t to_us,
                                           int limit) override;
  Result<std::optional<HitPage>> ListHits(int64_t account_id, int64_t link_id,
                                          const std::optional<HitCursor>& after,
                                          int limit) override;
  Result<int64_t> LastHitSeq() override;
  Result<LiveHitPage> ListLiveHits(int64_t account_id, int64_t link_id, int64_t after_seq,
                                   int limit) override;
  Result<int64_t> ExpireHits(int64_t before_us, int64_t max_rows) override;
  Result<std::vector<ExportedHit>> ScanHits(int64_t from_us, int64_t to_us,
                                            const std::optional<HitCursor>& after,
                                            int limit) override;
  Result<int64_t> DeleteHits(const std::vector<EventId>& ids) override;
  Result<int64_t> ExpireIpSightings(int64_t before_us, int64_t max_rows) override;
  Result<GoalRow> CreateGoal(const NewGoal& goal) override;
  Result<std::optional<GoalRow>> GetGoal(int64_t account_id, int64_t goal_id) override;
  Result<std::vector<GoalRow>> ListGoals(int64_t account_id) override;
  Result<std::optional<GoalRow>> UpdateGoal(int64_t account_id, int64_t goal_id,
                                            const GoalUpdate& update) override;
  Result<bool> DeleteGoal(int64_t account_id, int64_t goal_id) override;
  Result<PostbackRow> CreatePostback(const NewPostback& postback) override;
  Result<std::optional<PostbackRow>> GetPostback(int64_t account_id, int64_t postback_id) override;
  Result<std::vector<PostbackRow>> ListPostbacks(int64_t account_id) override;
  Result<std::optional<PostbackRow>> UpdatePostback(int64_t account_id, int64_t postback_id,
                                                    const PostbackUpdate& update) override;
  Result<bool> DeletePostback(int64_t account_id, int64_t postback_id) override;
  Result<std::vector<ClaimedDelivery>> ClaimDeliveries(int64_t now_us, int64_t lease_until_us,
                                                       int limit) override;
  Status RecordDeliveryOutcome(const DeliveryOutcome& outcome) override;
  Result<DeliveryPage> ListDeliveries(int64_t account_id, const DeliveryFilter& filter,
                                      const std::optional<std::string>& after_id,
                                      int limit) override;
  Result<std::optional<DeliveryRow>> GetDelivery(int64_t account_id,
                                                 const std::string& delivery_id) override;
  Result<std::optional<std::vector<DeliveryAttemptRow>>> ListDeliveryAttempts(
      int64_t account_id, const std::string& delivery_id) override;
  Result<int64_t> ReplayDeliveries(int64_t account_id, const ReplaySelector& selector,
                                   int64_t now_us) override;
  Result<OutboxStats> GetOutboxStats() override;
  Result<ConversionPage> ListConversions(const ConversionFilter& filter,
                                         const std::optional<ConversionCursor>& after,
                                         int limit) override;
  Result<std::vector<GoalStatsRow>> GetGoalStats(int64_t account_id, int64_t from_us,
                                                 int64_t to_us) override;
  Result<UserRow> CreateUser(const NewUser& user) override;
  Result<std::optional<UserRow>> FindUserByEmail(const std::string& email) override;
  Result<std::optional<UserRow>> GetUser(int64_t account_id, int64_t user_id) override;
  Result<std::vector<UserRow>> ListUsers(int64_t account_id) override;
  Result<std::optional<UserRow>> SetUserRole(int64_t account_id, int64_t user_id,
                                             const std::string& role) override;
  Result<bool> DeleteUser(int64_t account_id, int64_t user_id) override;
  Result<bool> SetUserPassword(int64_t account_id, int64_t user_id,
                               const std::string& password_hash,
                               const std::string& keep_session_hash) override;
  Status CreateSession(const NewSession& session, int64_t idle_ttl_us) override;
  Result<std::optional<SessionInfo>> FindSession(const std::string& token_hash,
                                                 int64_t idle_ttl_us) override;
  Status DeleteSession(const std::string& token_hash) override;
  Result<InvitationRow> CreateInvitation(const NewInvitation& invitation) override;
  Result<std::vector<InvitationRow>> ListInvitations(int64_t account_id) override;
  Result<bool> DeleteInvitation(int64_t account_id, int64_t invitation_id) override;
  Result<UserRow> AcceptInvitation(const std::string& token_hash,
                                   const std::string& password_hash) override;
  Result<std::vector<ApiKeyRow>> ListApiKeys(int64_t account_id) override;
  Result<ApiKeyRow> CreateApiKey(const NewApiKeyRow& key) override;
  Result<bool> RevokeApiKey(int64_t account_id, int64_t key_id) override;
  Status Probe() override;
  // Connections opened so far (tests: the pool rebuilt after a server crash).
  int64_t connections_opened() const { return pool_.opened(); }

 private:
  Result<CommitResult> CommitOnce(const CommitBatch& batch);
  // Creates the day partitions of `days` not known to exist yet.
  Status EnsureDays(pg::PgConn* conn, const std::vector<int64_t>& days);
  Result<int64_t> NextVersion(pg::PgConn* conn);
  Result<std::optional<LinkRow>> ReadLink(pg::PgConn* conn, int64_t account_id, int64_t link_id,
                                          bool live_only);
  Result<LinkRow> InsertLink(pg::PgConn* conn, const NewLink& link, int64_t now);

  Clock* clock_;
  pg::PgPool pool_;
  std::mutex days_mu_;
  std::set<int64_t> days_;  // partitions known to exist

  friend Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options);
};

}  // namespace ct
