// SqliteStore: the embedded Store (store/store.h) on one SQLite file in WAL mode.
//
// Connections: one writer connection behind a mutex (SQLite allows one writer at a time
// anyway) and a small pool of read-only connections, each behind its own mutex, so the edge's
// LinksChangedSince poll and API reads never wait for the tracker's Commit. WAL lets readers see
// the last committed state while a write is in progress. Prepared statements are cached per
// connection.
//
// Several processes may open the same file (e.g. `clicktrail account create` while the server
// runs): every write runs in BEGIN IMMEDIATE, migrations included, and waits up to
// busy_timeout for the other process's lock before failing with kUnavailable.
//
// Durability: synchronous=FULL, so a Commit that returned OK survives power loss (RELIABILITY).
// Thread safety: all methods may be called concurrently from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/sqlite/db.h"
#include "store/store.h"

namespace ct {

struct SqliteStoreOptions {
  std::string path;        // the database file; created (with its schema) if missing
  Clock* clock = nullptr;  // stamps created_at/updated_at; null = Clock::System()
  std::chrono::milliseconds busy_timeout{5000};  // wait for another writer before kUnavailable
  int read_connections = 4;                      // read-only pool size; at least 1
  // Probe(): how long its write waits for a lock held elsewhere before it fails. Short, so a
  // stuck writer is reported within the prober's deadline.
  std::chrono::milliseconds probe_timeout{2000};
};

// Opens (creating and migrating if needed) the store. Fails with kIoError if the file cannot be
// opened, kFailedPrecondition if it was written by a newer schema.
[[nodiscard]] Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options);

class SqliteStore : public Store {
 public:
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
      const std::vector<NewLink>& links, const std::function<void(size_t)>& progress) override;
  Result<std::vector<SlugUse>> FindSlugs(int64_t account_id, const std::string& domain,
                                         const std::vector<std::string>& slugs) override;
  Result<bool> AccountExists(int64_t account_id) override;
  Result<DomainRow> CreateDomain(int64_t account_id, const std::string& host) override;
  Result<std::vector<DomainRow>> ListDomains(int64_t account_id) override;
  Result<bool> DeleteDomain(int64_t account_id, int64_t domain_id) override;
  Result<std::optional<LinkRow>> UpdateLink(int64_t account_id, int64_t link_id,
                                            const LinkUpdate& update) override;
  Result<bool> DeleteLink(int64_t account_id, int64_t link_id) override;
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
  // store/sqlite/hit_scan.cc
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

  // store/sqlite/users.cc
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
  // store/sqlite/sessions.cc
  Status CreateSession(const NewSession& session, int64_t idle_ttl_us) override;
  Result<std::optional<SessionInfo>> FindSession(const std::string& token_hash,
                                                 int64_t idle_ttl_us) override;
  Status DeleteSession(const std::string& token_hash) override;
  // store/sqlite/invitations.cc
  Result<InvitationRow> CreateInvitation(const NewInvitation& invitation) override;
  Result<std::vector<InvitationRow>> ListInvitations(int64_t account_id) override;
  Result<bool> DeleteInvitation(int64_t account_id, int64_t invitation_id) override;
  Result<UserRow> AcceptInvitation(const std::string& token_hash,
                                   const std::string& password_hash) override;
  // store/sqlite/api_keys.cc
  Result<std::vector<ApiKeyRow>> ListApiKeys(int64_t account_id) override;
  Result<ApiKeyRow> CreateApiKey(const NewApiKeyRow& key) override;
  Result<bool> RevokeApiKey(int64_t account_id, int64_t key_id) override;

  // Writes the token on a connection of its own (busy timeout = probe_timeout, and never
  // queued behind the tracker's write mutex), then reads it back from the read pool.
  Status Probe() override;

 private:
  friend Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options);

  struct Reader {
    std::mutex mu;
    std::unique_ptr<sqlite::Db> db;
  };
  // A read-only connection, locked for the lifetime of the lease.
  class ReadLease {
   public:
    explicit ReadLease(Reader* r) : lock_(r->mu), db_(r->db.get()) {}
    sqlite::Db* db() const { return db_; }

   private:
    std::unique_lock<std::mutex> lock_;
    sqlite::Db* db_;
  };

  explicit SqliteStore(Clock* clock) : clock_(clock) {}
  ReadLease AcquireReader();
  // The next store-wide version of links, domains and goals; call inside a write transaction.
  [[nodiscard]] Result<int64_t> NextLinkVersion();
  // Validates the domain and inserts one link with its slug reservation and tags; call inside
  // a write transaction (the caller commits or rolls back).
  [[nodiscard]] Result<LinkRow> InsertLink(const NewLink& link, int64_t now);
  // Marks a live row of `table` (links or goals: tables the edge syncs by version) deleted,
  // with a new store-wide version so LinksChangedSince reports it. False if no such live row.
  [[nodiscard]] Result<bool> SoftDeleteVersioned(std::string_view table, int64_t account_id,
                                                 int64_t id);
  // Reads an account on `db`.
  [[nodiscard]] static Result<std::optional<AccountRow>> ReadAccount(sqlite::Db* db,
                                                                     int64_t account_id);
  // Reads a live link of the account on the writer connection (inside a write transaction).
  [[nodiscard]] Result<std::optional<LinkRow>> ReadLink(sqlite::Db* db, int64_t account_id,
                                                        int64_t link_id, bool live_only);

  // Inserts a user on the writer inside a write transaction (users.cc).
  [[nodiscard]] Result<UserRow> InsertUser(const NewUser& user, int64_t now);

  Clock* clock_;
  std::mutex write_mu_;  // guards writer_
  std::unique_ptr<sqlite::Db> writer_;
  std::vector<std::unique_ptr<Reader>> readers_;
  std::mutex probe_mu_;  // guards prober_
  std::unique_ptr<sqlite::Db> prober_;
  std::atomic<uint64_t> next_reader_{0};
};

}  // namespace ct
