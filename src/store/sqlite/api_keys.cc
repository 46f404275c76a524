// SqliteStore: listing, creating and revoking an account's API keys (store/store.h). Keys are
// never deleted: a revoked key stays listed with its revoked_at, and its hash stays taken.
#include <utility>

#include "store/sqlite/sqlite_store.h"

namespace ct {

using sqlite::Statement;

Result<std::vector<ApiKeyRow>> SqliteStore::ListApiKeys(int64_t account_id) {
  ReadLease lease = AcquireReader();
  Result<Statement> s = lease.db()->Prepare(
      "SELECT id, name, prefix, created_at, revoked_at FROM api_keys WHERE account_id = ? "
      "ORDER BY id");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(account_id));
  std::vector<ApiKeyRow> out;
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    ApiKeyRow k;
    k.id = s->ColumnInt(0);
    k.name = s->ColumnText(1);
    k.prefix = s->ColumnText(2);
    k.created_at_us = s->ColumnInt(3);
    if (!s->ColumnIsNull(4)) k.revoked_at_us = s->ColumnInt(4);
    out.push_back(std::move(k));
  }
  return out;
}

Result<ApiKeyRow> SqliteStore::CreateApiKey(const NewApiKeyRow& key) {
  std::lock_guard lock(write_mu_);
  const int64_t now = clock_->NowMicros();
  Result<Statement> s = writer_->Prepare(
      "INSERT INTO api_keys (account_id, key_hash, prefix, created_at, name) "
      "VALUES (?, ?, ?, ?, ?)");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(key.account_id, std::string_view(key.key_hash),
                                std::string_view(key.prefix), now, std::string_view(key.name)));
  CT_RETURN_IF_ERROR(s->Run());
  ApiKeyRow row;
  row.id = writer_->LastInsertRowId();
  row.name = key.name;
  row.prefix = key.prefix;
  row.created_at_us = now;
  return row;
}

Result<bool> SqliteStore::RevokeApiKey(int64_t account_id, int64_t key_id) {
  std::lock_guard lock(write_mu_);
  Result<Statement> s = writer_->Prepare(
      "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND account_id = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(clock_->NowMicros(), key_id, account_id));
  CT_RETURN_IF_ERROR(s->Run());
  return s->Changes() > 0;
}

}  // namespace ct
