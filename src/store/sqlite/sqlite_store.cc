#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <string_view>
#include <thread>
#include <utility>

#include "common/random.h"
#include "store/edge_progress.h"
#include "store/sqlite/commit.h"
#include "store/sqlite/reconciliation.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/transaction.h"

namespace ct {

using sqlite::Db;
using sqlite::Statement;
using sqlite::Transaction;

namespace {

constexpr std::chrono::milliseconds kWalRetryInterval{5};  // short: only contended first opens

// WAL is persistent in the file; setting it on every open is a no-op after the first. It lets
// the read pool (and other processes) read while the tracker writes.
Status EnableWal(Db* db, std::chrono::milliseconds busy_timeout) {
  // Switching a fresh file to WAL needs an exclusive lock, and SQLite reports SQLITE_BUSY for it
  // without calling the busy handler when another process is opening the same file at the same
  // moment; so retry here for as long as busy_timeout allows. Real steady time, not the
  // injected Clock: this is a wait on another process, not a timestamp.
  const auto deadline = std::chrono::steady_clock::now() + busy_timeout;
  for (;;) {
    Result<Statement> wal = db->Prepare("PRAGMA journal_mode = WAL");
    if (!wal.ok()) return wal.status();
    Result<bool> row = wal->Step();
    if (row.ok()) {
      if (*row && wal->ColumnText(0) == "wal") return Status::Ok();
      return Status::FailedPrecondition("sqlite store: the file cannot use WAL");
    }
    if (row.status().code() != StatusCode::kUnavailable ||
        std::chrono::steady_clock::now() >= deadline) {
      return row.status();
    }
    std::this_thread::sleep_for(kWalRetryInterval);
  }  // the statement resets each turn: an unfinished one would block the migration's COMMIT
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options) {
  if (options.read_connections < 1) {
    return Status::InvalidArgument("sqlite store: read_connections must be >= 1");
  }
  sqlite::DbOptions db_options;
  db_options.busy_timeout_ms = static_cast<int>(options.busy_timeout.count());
  std::unique_ptr<SqliteStore> store(
      new SqliteStore(options.clock ? options.clock : Clock::System()));

  Result<std::unique_ptr<Db>> writer = Db::Open(options.path, db_options);
  if (!writer.ok()) return writer.status();
  store->writer_ = std::move(writer).value();
  CT_RETURN_IF_ERROR(EnableWal(store->writer_.get(), options.busy_timeout));
  CT_RETURN_IF_ERROR(sqlite::Migrate(store->writer_.get()).Annotate("migrating " + options.path));

  // The probe's connection: its own short busy timeout, so a lock held elsewhere fails the
  // probe within the prober's deadline instead of after the full busy_timeout.
  sqlite::DbOptions probe_options = db_options;
  probe_options.busy_timeout_ms = static_cast<int>(options.probe_timeout.count());
  Result<std::unique_ptr<Db>> prober = Db::Open(options.path, probe_options);
  if (!prober.ok()) return prober.status();
  store->prober_ = std::move(prober).value();

  // Readers open after the migration: the file, its schema and its -shm now exist.
  db_options.read_only = true;
  for (int i = 0; i < options.read_connections; ++i) {
    Result<std::unique_ptr<Db>> db = Db::Open(options.path, db_options);
    if (!db.ok()) return db.status();
    auto reader = std::make_unique<SqliteStore::Reader>();
    reader->db = std::move(db).value();
    store->readers_.push_back(std::move(reader));
  }
  return std::unique_ptr<Store>(std::move(store));
}

SqliteStore::ReadLease SqliteStore::AcquireReader() {
  // Prefer a free connection; block on the round-robin choice only when all are busy.
  const size_t n = readers_.size();
  const size_t start = next_reader_.fetch_add(1, std::memory_order_relaxed) % n;
  for (size_t i = 0; i < n; ++i) {
    Reader* r = readers_[(start + i) % n].get();
    if (r->mu.try_lock()) {
      r->mu.unlock();  // the lease re-locks; a lost race only means a short wait
      return ReadLease(r);
    }
  }
  return ReadLease(readers_[start].get());
}

// ---- accounts -------------------------------------------------------------------------------

Result<int64_t> SqliteStore::CreateAccount(const NewAccount& account) {
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  const int64_t now = clock_->NowMicros();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  {
    Result<Statement> s = db->Prepare("INSERT INTO accounts (name, created_at) VALUES (?, ?)");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(std::string_view(account.name), now));
    CT_RETURN_IF_ERROR(s->Run());
  }
  const int64_t account_id = db->LastInsertRowId();
  Result<Statement> s = db->Prepare(R"sql(
    INSERT INTO api_keys (account_id, key_hash, prefix, created_at) VALUES (?, ?, ?, ?))sql");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(account_id, std::string_view(account.key_hash),
                                std::string_view(account.key_prefix), now));
  CT_RETURN_IF_ERROR(s->Run());
  CT_RETURN_IF_ERROR(txn.Commit());
  return account_id;
}

Result<std::optional<ApiKeyInfo>> SqliteStore::FindApiKey(const std::string& key_hash) {
  ReadLease lease = AcquireReader();
  Result<Statement> s = lease.db()->Prepare(
      "SELECT id, account_id, revoked_at IS NOT NULL FROM api_keys WHERE key_hash = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(std::string_view(key_hash)));
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<ApiKeyInfo>();
  ApiKeyInfo info;
  info.key_id = s->ColumnInt(0);
  info.account_id = s->ColumnInt(1);
  info.revoked = s->ColumnInt(2) != 0;
  return std::optional<ApiKeyInfo>(info);
}

Result<bool> SqliteStore::AccountExists(int64_t account_id) {
  ReadLease lease = AcquireReader();
  Result<Statement> s = lease.db()->Prepare("SELECT 1 FROM accounts WHERE id = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(account_id));
  return s->Step();
}

Result<std::optional<AccountRow>> SqliteStore::ReadAccount(Db* db, int64_t account_id) {
  Result<Statement> s =
      db->Prepare("SELECT id, name, unique_definition, created_at FROM accounts WHERE id = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(account_id));
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<AccountRow>();
  AccountRow a;
  a.id = s->ColumnInt(0);
  a.name = s->ColumnText(1);
  // A value this build does not know (written by a newer one) reads as the default.
  a.unique_definition = s->ColumnInt(2) == static_cast<int64_t>(UniqueDefinition::kIp30Min)
                            ? UniqueDefinition::kIp30Min
                            : UniqueDefinition::kPerVisitorDay;
  a.created_at_us = s->ColumnInt(3);
  return std::optional<AccountRow>(std::move(a));
}

Result<std::optional<AccountRow>> SqliteStore::GetAccount(int64_t account_id) {
  ReadLease lease = AcquireReader();
  return ReadAccount(lease.db(), account_id);
}

Result<std::optional<AccountRow>> SqliteStore::UpdateAccount(int64_t account_id,
                                                             const AccountUpdate& update) {
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  if (update.unique_definition) {
    Result<Statement> s = db->Prepare("UPDATE accounts SET unique_definition = ? WHERE id = ?");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(static_cast<int64_t>(*update.unique_definition), account_id));
    CT_RETURN_IF_ERROR(s->Run());
  }
  Result<std::optional<AccountRow>> a = ReadAccount(db, account_id);
  if (!a.ok()) return a.status();
  CT_RETURN_IF_ERROR(txn.Commit());
  return a;
}

// ---- tracking -------------------------------------------------------------------------------

Result<CommitResult> SqliteStore::Commit(const CommitBatch& batch) {
  std::lock_guard lock(write_mu_);
  return sqlite::ApplyCommit(writer_.get(), batch, clock_->NowMicros());
}

Result<uint64_t> SqliteStore::ConsumedPosition(const std::string& consumer) {
  ReadLease lease = AcquireReader();
  Result<Statement> s =
      lease.db()->Prepare("SELECT position FROM consumer_offsets WHERE consumer = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(std::string_view(consumer)));
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status();
  return *row ? static_cast<uint64_t>(s->ColumnInt(0)) : uint64_t{0};
}

Result<uint64_t> SqliteStore::EdgeWatermark(const std::string& edge) {
  ReadLease lease = AcquireReader();
  Result<Statement> s =
      lease.db()->Prepare("SELECT committed_below FROM edge_watermarks WHERE edge = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(std::string_view(edge)));
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status();
  return *row ? static_cast<uint64_t>(s->ColumnInt(0)) : uint64_t{0};
}

Result<std::vector<EdgeProgress>> SqliteStore::ListEdgeProgress() {
  ReadLease lease = AcquireReader();
  Result<Statement> s = lease.db()->Prepare(kListEdgeProgressSql);
  if (!s.ok()) return s.status();
  std::vector<EdgeProgress> out;
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back({s->ColumnText(0), static_cast<uint64_t>(s->ColumnInt(1)), s->ColumnInt(2),
                   s->ColumnInt(3), s->ColumnInt(4) != 0});
  }
}

Result<ReconciliationData> SqliteStore::GetReconciliation(int64_t from_us, int64_t to_us) {
  ReadLease lease = AcquireReader();
  return sqlite::QueryReconciliation(lease.db(), from_us, to_us);
}

Result<int64_t> SqliteStore::ExpireIpSightings(int64_t before_us, int64_t max_rows) {
  if (max_rows <= 0) return int64_t{0};
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  // The oldest first through ip_sightings_by_time, at most max_rows: one short write.
  Result<Statement> s = db->Prepare(R"sql(
    DELETE FROM ip_sightings WHERE (link_id, ip, time_us, event_id) IN (
      SELECT link_id, ip, time_us, event_id FROM ip_sightings
      WHERE time_us < ? ORDER BY time_us LIMIT ?))sql");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(before_us, max_rows));
  CT_RETURN_IF_ERROR(s->Run());
  const int64_t deleted = s->Changes();
  CT_RETURN_IF_ERROR(txn.Commit());
  return deleted;
}

// ---- health ---------------------------------------------------------------------------------

Status SqliteStore::Probe() {
  std::string token(16, '\0');
  RandomBytes(token.data(), token.size());
  // Held through the read-back too: two probes of this store never overwrite each other's token.
  std::lock_guard probe_lock(probe_mu_);
  {
    Db* db = prober_.get();
    // IMMEDIATE: take the write lock like a real commit does, so a writer stuck elsewhere (or
    // a full disk, a read-only directory) fails the probe.
    Transaction txn(db);
    CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate).Annotate("probe write"));
    Result<Statement> s = db->Prepare(R"sql(
      INSERT INTO probe (id, token, at) VALUES (1, ?, ?)
      ON CONFLICT (id) DO UPDATE SET token = excluded.token, at = excluded.at)sql");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(sqlite::Blob{token.data(), token.size()}, clock_->NowMicros()));
    CT_RETURN_IF_ERROR(s->Run().Annotate("probe write"));
    CT_RETURN_IF_ERROR(txn.Commit().Annotate("probe commit"));
  }
  // Read back through the pool the API and the edge use: the write must be visible there.
  ReadLease lease = AcquireReader();
  Result<Statement> s = lease.db()->Prepare("SELECT token FROM probe WHERE id = 1");
  if (!s.ok()) return s.status();
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status().Annotate("probe read");
  if (!*row) return Status::Internal("probe read: the probe row is missing");
  if (s->ColumnText(0) != token) {
    // Only another client probing the same file in between (another process) gets here; rare
    // and harmless, but reported as a failed round trip all the same: the next probe settles it.
    return Status::Unavailable("probe read: the token read back differs from the one written");
  }
  return Status::Ok();
}

}  // namespace ct
