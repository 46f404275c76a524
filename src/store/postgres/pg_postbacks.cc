// PostgresStore: postbacks, with the SQLite store's semantics (store/sqlite/postbacks.cc).
// Deleted ones stay as rows (deleted_at) so their deliveries and attempts still read; disabled
// ones (a 410, or the API) keep their pending deliveries, which wait until the postback is
// enabled again (the claim skips them: pg_outbox.cc).
#include <string_view>
#include <utility>

#include "store/goal_postback_row.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/goal_postback_rows.h"

namespace ct {

using pg::Params;
using pg::PgConn;
using pg::PgResult;

namespace {

// Scoped by account: another account's postback reads exactly like a missing one.
// `for_update` locks the row to the end of the caller's transaction.
Result<std::optional<PostbackRow>> ReadPostback(PgConn* c, int64_t account_id, int64_t postback_id,
                                                bool live_only, bool for_update = false) {
  std::string sql = "SELECT " CT_PG_POSTBACK_COLUMNS
                    " FROM postbacks WHERE id = $1::int8 AND account_id = $2::int8";
  if (live_only) sql += " AND deleted_at IS NULL";
  if (for_update) sql += " FOR UPDATE";
  Result<PgResult> r = c->Exec(sql, Params().Int(postback_id).Int(account_id));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<PostbackRow>();
  Result<PostbackRow> row = pg::ReadPostbackRow(*r, 0);
  if (!row.ok()) return row.status();
  return std::optional<PostbackRow>(std::move(*row));
}

}  // namespace

Result<PostbackRow> PostgresStore::CreatePostback(const NewPostback& pb) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  PostbackRow row = NewPostbackRow(pb, clock_->NowMicros());
  // One statement: autocommit is its transaction.
  Result<PgResult> r = (*c)->Exec(R"sql(
    INSERT INTO postbacks (account_id, name, url_template, method, events, goal_ids,
                           attributed_only, secret, created_at, updated_at)
    VALUES ($1::int8, $2, $3, $4, $5::int4, $6, $7::bool, $8, $9::int8, $9::int8) RETURNING id)sql",
                                  Params()
                                      .Int(row.account_id)
                                      .Text(row.name)
                                      .Text(row.url_template)
                                      .Text(row.method)
                                      .Int(row.events)
                                      .Text(sqlite::EncodeIdList(row.goal_ids))
                                      .Bool(row.attributed_only)
                                      .Text(row.secret)
                                      .Int(row.created_at_us));
  if (!r.ok()) return r.status();
  row.id = r->Int(0, 0);
  return row;
}

Result<std::optional<PostbackRow>> PostgresStore::GetPostback(int64_t account_id,
                                                              int64_t postback_id) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  // Deleted postbacks still read, marked (as GetLink): their deliveries remain listable.
  return ReadPostback(c->get(), account_id, postback_id, /*live_only=*/false);
}

Result<std::vector<PostbackRow>> PostgresStore::ListPostbacks(int64_t account_id) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r =
      (*c)->Exec("SELECT " CT_PG_POSTBACK_COLUMNS
                 " FROM postbacks WHERE account_id = $1::int8 AND deleted_at IS NULL ORDER BY id",
                 Params().Int(account_id));
  if (!r.ok()) return r.status();
  std::vector<PostbackRow> out;
  for (int i = 0; i < r->rows(); ++i) {
    Result<PostbackRow> row = pg::ReadPostbackRow(*r, i);
    if (!row.ok()) return row.status();
    out.push_back(std::move(*row));
  }
  return out;
}

Result<std::optional<PostbackRow>> PostgresStore::UpdatePostback(int64_t account_id,
                                                                 int64_t postback_id,
                                                                 const PostbackUpdate& update) {
  Result<pg::Lease> c = pool_.Begin();
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  // Locked: a notifier's 410 (RecordDeliveryOutcome disables the postback) lands before or
  // after this update, never in between, so writing back the disabled state read here cannot
  // undo it.
  Result<std::optional<PostbackRow>> current =
      ReadPostback(db, account_id, postback_id, /*live_only=*/true, /*for_update=*/true);
  if (!current.ok() || !current->has_value()) return current;
  PostbackRow row = std::move(**current);
  ApplyPostbackUpdate(update, clock_->NowMicros(), &row);
  Params p;
  p.Text(row.name)
      .Text(row.url_template)
      .Text(row.method)
      .Int(row.events)
      .Text(sqlite::EncodeIdList(row.goal_ids))
      .Bool(row.attributed_only)
      .Text(row.secret);
  if (row.disabled) {
    p.Int(row.disabled_at_us);
  } else {
    p.Null();  // NULL: enabled (ClaimDeliveries reads it so)
  }
  p.Text(row.disabled_reason).Int(row.updated_at_us).Int(postback_id).Int(account_id);
  Result<PgResult> r = db->Exec(R"sql(
    UPDATE postbacks SET name = $1, url_template = $2, method = $3, events = $4::int4,
                         goal_ids = $5, attributed_only = $6::bool, secret = $7,
                         disabled_at = $8::int8, disabled_reason = $9, updated_at = $10::int8
    WHERE id = $11::int8 AND account_id = $12::int8)sql",
                                p);
  if (!r.ok()) return r.status();
  CT_RETURN_IF_ERROR(db->Run("COMMIT"));
  return std::optional<PostbackRow>(std::move(row));
}

Result<bool> PostgresStore::DeletePostback(int64_t account_id, int64_t postback_id) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r =
      (*c)->Exec(R"sql(
    UPDATE postbacks SET deleted_at = $1::int8, updated_at = $1::int8
    WHERE id = $2::int8 AND account_id = $3::int8 AND deleted_at IS NULL)sql",
                 Params().Int(clock_->NowMicros()).Int(postback_id).Int(account_id));
  if (!r.ok()) return r.status();
  return r->affected() > 0;
}

}  // namespace ct
