// PostgresStore: opening, accounts and keys, positions and watermarks, reconciliation reads,
// health. Links are in pg_links.cc, goals in pg_goals.cc, postbacks in pg_postbacks.cc, the
// commit in pg_commit.cc, the notifier's outbox calls in pg_outbox.cc and the API's in
// pg_outbox_admin.cc; dashboard users, sessions, invitations and named API keys in pg_users.cc,
// pg_sessions.cc, pg_invitations.cc and pg_api_keys.cc.
#include "store/postgres/postgres_store.h"

#include <openssl/rand.h>

#include "store/edge_progress.h"
#include "store/postgres/pg_schema.h"

namespace ct {

using pg::Params;
using pg::PgResult;

pg::ConnectSpec ConnectSpecOf(const PostgresOptions& o) {
  pg::ConnectSpec s;
  s.url = o.url;
  s.connect_timeout_s = o.connect_timeout_s;
  s.statement_timeout_ms = o.statement_timeout_ms;
  s.tcp_user_timeout_ms = o.tcp_user_timeout_ms;
  return s;
}

namespace {

// Days of partitions made at open, around now: yesterday (late events) to two days ahead.
constexpr int64_t kDaysBehind = 1;
constexpr int64_t kDaysAhead = 2;

AccountRow ReadAccount(const PgResult& r, int i) {
  AccountRow a;
  a.id = r.Int(i, 0);
  a.name = r.Str(i, 1);
  a.unique_definition = static_cast<UniqueDefinition>(r.Int(i, 2));
  a.created_at_us = r.Int(i, 3);
  return a;
}

}  // namespace

PostgresStore::PostgresStore(const PostgresOptions& options)
    : clock_(options.clock ? options.clock : Clock::System()),
      pool_(ConnectSpecOf(options), options.pool_size) {}

Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options) {
  auto store = std::make_unique<PostgresStore>(options);
  Result<pg::Lease> conn = store->pool_.Acquire();
  if (!conn.ok()) return conn.status();
  CT_RETURN_IF_ERROR(pg::Migrate(conn->get()));
  const int64_t today = pg::PartitionDay(store->clock_->NowMicros());
  std::vector<int64_t> days;
  for (int64_t d = today - kDaysBehind; d <= today + kDaysAhead; ++d) days.push_back(d);
  CT_RETURN_IF_ERROR(store->EnsureDays(conn->get(), days));
  return std::unique_ptr<Store>(std::move(store));
}

Status PostgresStore::EnsureDays(pg::PgConn* conn, const std::vector<int64_t>& days) {
  std::vector<int64_t> missing;
  {
    std::lock_guard lock(days_mu_);
    for (int64_t d : days) {
      if (!days_.count(d)) missing.push_back(d);
    }
  }
  if (missing.empty()) return Status::Ok();
  CT_RETURN_IF_ERROR(pg::EnsurePartitions(conn, missing).Annotate("creating hits partitions"));
  std::lock_guard lock(days_mu_);
  days_.insert(missing.begin(), missing.end());
  return Status::Ok();
}

// ---- accounts and keys ----------------------------------------------------------------------

Result<int64_t> PostgresStore::CreateAccount(const NewAccount& account) {
  Result<pg::Lease> c = pool_.Begin();
  if (!c.ok()) return c.status();
  const int64_t now = clock_->NowMicros();
  Result<PgResult> a =
      (*c)->Exec("INSERT INTO accounts (name, created_at) VALUES ($1, $2::int8) RETURNING id",
                 Params().Text(account.name).Int(now));
  if (!a.ok()) return a.status();
  const int64_t id = a->Int(0, 0);
  Result<PgResult> k = (*c)->Exec(
      "INSERT INTO api_keys (account_id, key_hash, prefix, created_at) "
      "VALUES ($1::int8, $2, $3, $4::int8)",
      Params().Int(id).Text(account.key_hash).Text(account.key_prefix).Int(now));
  if (!k.ok()) return k.status();
  CT_RETURN_IF_ERROR((*c)->Run("COMMIT"));
  return id;
}

Result<std::optional<ApiKeyInfo>> PostgresStore::FindApiKey(const std::string& key_hash) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r =
      (*c)->Exec("SELECT id, account_id, revoked_at IS NOT NULL FROM api_keys WHERE key_hash = $1",
                 Params().Text(key_hash));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<ApiKeyInfo>();
  return std::optional<ApiKeyInfo>(ApiKeyInfo{r->Int(0, 0), r->Int(0, 1), r->Bool(0, 2)});
}

Result<std::optional<AccountRow>> PostgresStore::GetAccount(int64_t account_id) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r =
      (*c)->Exec("SELECT id, name, unique_definition, created_at FROM accounts WHERE id = $1::int8",
                 Params().Int(account_id));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<AccountRow>();
  return std::optional<AccountRow>(ReadAccount(*r, 0));
}

Result<std::optional<AccountRow>> PostgresStore::UpdateAccount(int64_t account_id,
                                                               const AccountUpdate& update) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Params p;
  p.Int(account_id);
  if (update.unique_definition) {
    p.Int(static_cast<int64_t>(*update.unique_definition));
  } else {
    p.Null();
  }
  Result<PgResult> r = (*c)->Exec(R"sql(
    UPDATE accounts SET unique_definition = COALESCE($2::int2, unique_definition)
    WHERE id = $1::int8 RETURNING id, name, unique_definition, created_at)sql",
                                  p);
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<AccountRow>();
  return std::optional<AccountRow>(ReadAccount(*r, 0));
}

Result<bool> PostgresStore::AccountExists(int64_t account_id) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r =
      (*c)->Exec("SELECT 1 FROM accounts WHERE id = $1::int8", Params().Int(account_id));
  if (!r.ok()) return r.status();
  return r->rows() > 0;
}

// ---- positions, watermarks, reconciliation --------------------------------------------------

Result<uint64_t> PostgresStore::ConsumedPosition(const std::string& consumer) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r = (*c)->Exec("SELECT position FROM consumer_offsets WHERE consumer = $1",
                                  Params().Text(consumer));
  if (!r.ok()) return r.status();
  return r->rows() ? static_cast<uint64_t>(r->Int(0, 0)) : uint64_t{0};
}

Result<uint64_t> PostgresStore::EdgeWatermark(const std::string& edge) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r = (*c)->Exec("SELECT committed_below FROM edge_watermarks WHERE edge = $1",
                                  Params().Text(edge));
  if (!r.ok()) return r.status();
  return r->rows() ? static_cast<uint64_t>(r->Int(0, 0)) : uint64_t{0};
}

Result<std::vector<EdgeProgress>> PostgresStore::ListEdgeProgress() {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r = (*c)->Exec(std::string(kListEdgeProgressSql));
  if (!r.ok()) return r.status();
  std::vector<EdgeProgress> out;
  for (int i = 0; i < r->rows(); ++i) {
    out.push_back({r->Str(i, 0), static_cast<uint64_t>(r->Int(i, 1)), r->Int(i, 2), r->Int(i, 3),
                   r->Bool(i, 4)});
  }
  return out;
}

Result<ReconciliationData> PostgresStore::GetReconciliation(int64_t from_us, int64_t to_us) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  ReconciliationData out;
  Result<PgResult> r = (*c)->Exec(R"sql(
    SELECT edge, hour, answered, journaled, committed, duplicates, dead_lettered, corrupted
    FROM reconciliation WHERE hour >= $1::int8 AND hour < $2::int8 ORDER BY hour, edge)sql",
                                  Params().Int(from_us).Int(to_us));
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    out.rows.push_back({r->Str(i, 0), r->Int(i, 1), r->Int(i, 2), r->Int(i, 3), r->Int(i, 4),
                        r->Int(i, 5), r->Int(i, 6), r->Int(i, 7)});
  }
  Result<PgResult> e =
      (*c)->Exec("SELECT edge, as_of, final FROM reconciliation_edges ORDER BY edge");
  if (!e.ok()) return e.status();
  for (int i = 0; i < e->rows(); ++i) {
    out.edges.push_back({e->Str(i, 0), e->Int(i, 1), e->Bool(i, 2)});
  }
  return out;
}

// ---- health ---------------------------------------------------------------------------------

Status PostgresStore::Probe() {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  std::string token(16, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(token.data()), 16) != 1) {
    return Status::Internal("probe: no random bytes");
  }
  Result<PgResult> w = (*c)->Exec(R"sql(
    INSERT INTO probe (id, token, at) VALUES (1, $1::bytea, $2::int8)
    ON CONFLICT (id) DO UPDATE SET token = excluded.token, at = excluded.at)sql",
                                  Params().Bytes(token).Int(clock_->NowMicros()));
  if (!w.ok()) return w.status().Annotate("probe write");
  Result<PgResult> r = (*c)->Exec("SELECT token FROM probe WHERE id = 1");
  if (!r.ok()) return r.status().Annotate("probe read");
  if (r->rows() != 1 || r->Bytes(0, 0) != token) {
    return Status::Corruption("probe: read back a different token");
  }
  return Status::Ok();
}

}  // namespace ct
