// The API's side of the outbox on PostgreSQL, as store/sqlite/outbox_admin.cc: listing an
// account's deliveries and their attempts, and replaying them. Every query is scoped by the
// account (store.h "Tenancy").
//
// Ids compare byte-wise (COLLATE "C"), as SQLite's BINARY does, whatever the database's
// collation: a page's order and its cursor are the same on both stores.
#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "store/delivery_query.h"
#include "store/postgres/pg_array.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/postgres_store.h"

namespace ct {

using pg::ArrayText;
using pg::Params;
using pg::PgConn;
using pg::PgResult;

Result<DeliveryPage> PostgresStore::ListDeliveries(int64_t account_id, const DeliveryFilter& filter,
                                                   const std::optional<std::string>& after_id,
                                                   int limit) {
  DeliveryPage page;
  if (limit <= 0) return page;
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  // Newest first is descending (created_at, id), a total order (ids are unique). A page ends
  // strictly before a bound: the cursor row, or (to_us, "") for the range's end, since every
  // id sorts after "" — whichever comes first. A row's created_at never changes, so the
  // cursor's lookup needs no snapshot shared with the page.
  std::pair<int64_t, std::string> bound{DeliveryToParam(filter), ""};
  if (after_id) {
    Result<PgResult> r =
        db->Exec("SELECT created_at FROM outbox WHERE id = $1 AND account_id = $2::int8",
                 Params().Text(*after_id).Int(account_id));
    if (!r.ok()) return r.status();
    if (r->rows() == 0) {
      return Status::InvalidArgument("no delivery " + *after_id + " to continue after");
    }
    // std::string compares bytes, as COLLATE "C" does.
    bound = std::min(bound, std::pair<int64_t, std::string>{r->Int(0, 0), *after_id});
  }
  // One row more than asked tells whether another page exists without a COUNT. The bound is
  // spelled out (not a row comparison with the C collation) so that created_at <= bound is an
  // index condition of outbox_by_account: a deep page starts at its cursor instead of
  // scanning every newer row.
  Result<PgResult> r = db->Exec("SELECT " CT_PG_DELIVERY_COLUMNS R"sql(
    FROM outbox
    WHERE account_id = $1::int8 AND created_at <= $2::int8
      AND (created_at < $2::int8 OR id COLLATE "C" < $3::text) AND created_at >= $4::int8
      AND ($5::int8 = 0 OR postback_id = $5::int8) AND ($6::int2 < 0 OR state = $6::int2)
    ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT $7::int8)sql",
                                Params()
                                    .Int(account_id)
                                    .Int(bound.first)
                                    .Text(bound.second)
                                    .Int(filter.from_us)
                                    .Int(filter.postback_id)
                                    .Int(DeliveryStateParam(filter))
                                    .Int(static_cast<int64_t>(limit) + 1));
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) page.deliveries.push_back(pg::ReadDeliveryRow(*r, i));
  if (page.deliveries.size() > static_cast<size_t>(limit)) {
    page.deliveries.resize(static_cast<size_t>(limit));
    page.next_after_id = page.deliveries.back().id;
  }
  return page;
}

Result<std::optional<DeliveryRow>> PostgresStore::GetDelivery(int64_t account_id,
                                                              const std::string& delivery_id) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r = (*c)->Exec("SELECT " CT_PG_DELIVERY_COLUMNS
                                  " FROM outbox WHERE id = $1 AND account_id = $2::int8",
                                  Params().Text(delivery_id).Int(account_id));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<DeliveryRow>();
  return std::optional<DeliveryRow>(pg::ReadDeliveryRow(*r, 0));
}

Result<std::optional<std::vector<DeliveryAttemptRow>>> PostgresStore::ListDeliveryAttempts(
    int64_t account_id, const std::string& delivery_id) {
  using Attempts = std::optional<std::vector<DeliveryAttemptRow>>;
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  // One statement, so one snapshot for the ownership check and the attempts: no row at all is
  // "no such delivery in the account"; one row of NULLs is a delivery never attempted.
  Result<PgResult> r = (*c)->Exec(R"sql(
    SELECT a.id, a.attempt, a.started_at, a.http_status, a.latency_us, a.error
    FROM outbox o LEFT JOIN delivery_attempts a ON a.delivery_id = o.id
    WHERE o.id = $1 AND o.account_id = $2::int8
    ORDER BY a.id)sql",
                                  Params().Text(delivery_id).Int(account_id));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return Attempts();
  std::vector<DeliveryAttemptRow> attempts;
  for (int i = 0; i < r->rows(); ++i) {
    if (r->IsNull(i, 0)) continue;
    attempts.push_back({delivery_id, static_cast<int>(r->Int(i, 1)), r->Int(i, 2),
                        static_cast<int>(r->Int(i, 3)), r->Int(i, 4), r->Str(i, 5)});
  }
  return Attempts(std::move(attempts));
}

// Safe against the notifier's claim (pg_outbox.cc) running at the same time:
//  - the rows are locked first (FOR UPDATE), and the claim skips locked rows (SKIP LOCKED), so
//    a claim never hands out a row half-way through a replay, and never waits on one;
//  - a row a claim leased just before waits for that claim's (one statement) transaction, then
//    is replayed on top of the lease: due now, replayed_at = now, so the attempt in flight, if
//    it began before, is stale (RecordDeliveryOutcome records it but lets only a success move
//    the row) and the replayed send goes out — the same as the SQLite store, where a replay
//    also makes a leased row due at once (the receiver drops repeats by the webhook-id);
//  - every replay locks its rows in one order, (created_at, id), so two replays at once (two
//    API processes, ids in any order, or ids and a filter) queue instead of deadlocking. The
//    ids are collected (and locked) whole before the update (ARRAY(...) runs first), which then
//    finds each by its primary key rather than joining the whole outbox.
Result<int64_t> PostgresStore::ReplayDeliveries(int64_t account_id, const ReplaySelector& selector,
                                                int64_t now_us) {
  if (static_cast<int64_t>(selector.ids.size()) > kMaxReplay) {
    return Status::InvalidArgument("at most " + std::to_string(kMaxReplay) +
                                   " deliveries per replay");
  }
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  // replayed_at marks attempts that began before now as stale (RecordDeliveryOutcome), so a
  // late failure of the pre-replay send cannot undo the replay. attempts restarts at 0: a
  // replayed (e.g. dead) delivery gets the whole retry schedule again, not one last try.
  // One statement each: autocommit is the transaction. An id listed twice counts once.
  auto replayed = [](Result<PgResult> r) -> Result<int64_t> {
    if (!r.ok()) return r.status();
    return r->affected();
  };
  if (!selector.ids.empty()) {
    ArrayText ids;
    for (const std::string& id : selector.ids) ids.Text(id);
    return replayed((*c)->Exec(R"sql(
      WITH sel AS (
        SELECT id FROM outbox WHERE id = ANY($1::text[]) AND account_id = $2::int8
        ORDER BY created_at, id COLLATE "C" FOR UPDATE)
      UPDATE outbox o SET state = 0, next_attempt_us = $3::int8, replayed_at = $3::int8,
                          attempts = 0
      WHERE o.id = ANY(ARRAY(SELECT id FROM sel)))sql",
                               Params().Raw(ids.Take()).Int(account_id).Int(now_us)));
  }
  // Oldest first, so repeating the call over "every dead delivery" walks forward in time.
  const DeliveryFilter& f = selector.filter;
  return replayed((*c)->Exec(R"sql(
      WITH sel AS (
        SELECT id FROM outbox
        WHERE account_id = $2::int8 AND created_at >= $3::int8 AND created_at < $4::int8
          AND ($5::int8 = 0 OR postback_id = $5::int8) AND ($6::int2 < 0 OR state = $6::int2)
        ORDER BY created_at, id COLLATE "C" LIMIT $7::int8 FOR UPDATE)
      UPDATE outbox o SET state = 0, next_attempt_us = $1::int8, replayed_at = $1::int8,
                          attempts = 0
      WHERE o.id = ANY(ARRAY(SELECT id FROM sel)))sql",
                             Params()
                                 .Int(now_us)
                                 .Int(account_id)
                                 .Int(f.from_us)
                                 .Int(DeliveryToParam(f))
                                 .Int(f.postback_id)
                                 .Int(DeliveryStateParam(f))
                                 .Int(kMaxReplay)));
}

}  // namespace ct
