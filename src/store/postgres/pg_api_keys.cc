// PostgresStore: listing, creating and revoking an account's API keys (store/store.h), as the
// SQLite store does (store/sqlite/api_keys.cc). Keys are never deleted: a revoked key stays
// listed with its revoked_at and its hash stays taken. FindApiKey (postgres_store.cc) reads
// revoked_at on every request, so a revocation refuses the key at once on every API process.
#include <utility>

#include "store/postgres/postgres_store.h"

namespace ct {

using pg::Params;
using pg::PgResult;

Result<std::vector<ApiKeyRow>> PostgresStore::ListApiKeys(int64_t account_id) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r = (*c)->Exec(
      "SELECT id, name, prefix, created_at, revoked_at FROM api_keys WHERE account_id = $1::int8 "
      "ORDER BY id",
      Params().Int(account_id));
  if (!r.ok()) return r.status();
  std::vector<ApiKeyRow> out;
  out.reserve(r->rows());
  for (int i = 0; i < r->rows(); ++i) {
    ApiKeyRow k;
    k.id = r->Int(i, 0);
    k.name = r->Str(i, 1);
    k.prefix = r->Str(i, 2);
    k.created_at_us = r->Int(i, 3);
    if (!r->IsNull(i, 4)) k.revoked_at_us = r->Int(i, 4);
    out.push_back(std::move(k));
  }
  return out;
}

Result<ApiKeyRow> PostgresStore::CreateApiKey(const NewApiKeyRow& key) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  const int64_t now = clock_->NowMicros();
  Result<PgResult> r = (*c)->Exec(
      "INSERT INTO api_keys (account_id, key_hash, prefix, created_at, name) "
      "VALUES ($1::int8, $2, $3, $4::int8, $5) RETURNING id",
      Params().Int(key.account_id).Text(key.key_hash).Text(key.prefix).Int(now).Text(key.name));
  if (!r.ok()) return r.status();
  ApiKeyRow row;
  row.id = r->Int(0, 0);
  row.name = key.name;
  row.prefix = key.prefix;
  row.created_at_us = now;
  return row;
}

Result<bool> PostgresStore::RevokeApiKey(int64_t account_id, int64_t key_id) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r = (*c)->Exec(
      "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1::int8) "
      "WHERE id = $2::int8 AND account_id = $3::int8",
      Params().Int(clock_->NowMicros()).Int(key_id).Int(account_id));
  if (!r.ok()) return r.status();
  return r->affected() > 0;
}

}  // namespace ct
