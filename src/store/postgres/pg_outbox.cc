// The notifier's side of the outbox on PostgreSQL, as store/sqlite/outbox.cc: claiming due
// deliveries under a lease, recording each attempt's outcome, and the figures the monitor
// polls. Listing and replaying for the API: pg_outbox_admin.cc. Several notifiers (processes,
// machines) claim at once: FOR UPDATE SKIP LOCKED makes each skip the rows another is leasing
// right now, and the lease (next_attempt_us moved to the lease end, in the same statement)
// keeps them skipped after that transaction commits, until the lease runs out.
#include <algorithm>
#include <tuple>
#include <utility>

#include "store/postgres/pg_rows.h"
#include "store/postgres/postgres_store.h"

namespace ct {

using pg::Params;
using pg::PgConn;
using pg::PgResult;

Result<std::vector<ClaimedDelivery>> PostgresStore::ClaimDeliveries(int64_t now_us,
                                                                    int64_t lease_until_us,
                                                                    int limit) {
  std::vector<ClaimedDelivery> claimed;
  if (limit <= 0) return claimed;
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  // One statement (autocommit): pick and lock the due rows of live, enabled postbacks (and
  // piggyback pixels, postback 0), skipping rows locked by another claimer, and lease them.
  Result<PgResult> r = (*c)->Exec(R"sql(
    WITH due AS (
      SELECT o.id, o.next_attempt_us AS due_at FROM outbox o
        LEFT JOIN postbacks p ON p.id = o.postback_id AND p.account_id = o.account_id
      WHERE o.state = 0 AND o.next_attempt_us <= $1::int8
        AND (o.postback_id = 0
             OR (p.id IS NOT NULL AND p.deleted_at IS NULL AND p.disabled_at IS NULL))
      ORDER BY o.next_attempt_us LIMIT $2::int8
      FOR UPDATE OF o SKIP LOCKED)
    UPDATE outbox o SET next_attempt_us = $3::int8 FROM due WHERE o.id = due.id
    RETURNING o.id, o.account_id, o.postback_id, o.event_id, o.event_kind, o.event_time_us,
              o.method, o.url, o.body, o.state, o.attempts, o.created_at, o.next_attempt_us,
              o.last_status, o.last_error, o.delivered_at,
              COALESCE((SELECT secret FROM postbacks p WHERE p.id = o.postback_id), ''),
              due.due_at)sql",
                                  Params().Int(now_us).Int(limit).Int(lease_until_us));
  if (!r.ok()) return r.status();
  // RETURNING comes in no set order: oldest due first (by the due time before the lease), as
  // the SQLite store hands them out; ties by creation, then id.
  std::vector<std::pair<int64_t, ClaimedDelivery>> due;
  due.reserve(static_cast<size_t>(r->rows()));
  for (int i = 0; i < r->rows(); ++i) {
    due.emplace_back(r->Int(i, 17), ClaimedDelivery{pg::ReadDeliveryRow(*r, i), r->Str(i, 16)});
  }
  std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first, a.second.row.created_at_us, a.second.row.id) <
           std::tie(b.first, b.second.row.created_at_us, b.second.row.id);
  });
  claimed.reserve(due.size());
  for (auto& d : due) claimed.push_back(std::move(d.second));
  return claimed;
}

Status PostgresStore::RecordDeliveryOutcome(const DeliveryOutcome& outcome) {
  const DeliveryAttemptRow& a = outcome.attempt;
  Result<pg::Lease> c = pool_.Begin();
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  // No wait for the WAL flush: an outcome lost in a server crash only means that delivery is
  // sent again (postbacks are at least once; receivers dedup on webhook-id), while waiting for
  // an fsync per outcome capped a notifier at ~185 deliveries/s (tests/distributed's outage
  // drain). The commit that created the row is synchronous as ever: nothing is lost.
  CT_RETURN_IF_ERROR(db->Run("SET LOCAL synchronous_commit TO OFF"));
  // The row locked first: two outcomes of one delivery number their attempts one after the
  // other.
  Result<PgResult> cur = db->Exec(R"sql(
    SELECT (SELECT COUNT(*) FROM delivery_attempts WHERE delivery_id = o.id), o.state,
           o.replayed_at, o.postback_id
    FROM outbox o WHERE o.id = $1 FOR UPDATE)sql",
                                  Params().Text(a.delivery_id));
  if (!cur.ok()) return cur.status();
  if (cur->rows() == 0) return Status::NotFound("no delivery " + a.delivery_id);
  const int64_t attempts = cur->Int(0, 0);
  // Stale: finished by another notifier after our lease ran out, or replayed after this attempt
  // began: recorded, but only a success moves the row.
  const bool stale = cur->Int(0, 1) != static_cast<int64_t>(DeliveryState::kPending) ||
                     cur->Int(0, 2) > a.started_at_us;
  const int64_t postback_id = cur->Int(0, 3);
  Result<PgResult> ins = db->Exec(R"sql(
    INSERT INTO delivery_attempts (delivery_id, attempt, started_at, http_status, latency_us,
                                   error)
    VALUES ($1, $2::int4, $3::int8, $4::int4, $5::int8, $6))sql",
                                  Params()
                                      .Text(a.delivery_id)
                                      .Int(attempts + 1)
                                      .Int(a.started_at_us)
                                      .Int(a.http_status)
                                      .Int(a.latency_us)
                                      .Text(a.error));
  if (!ins.ok()) return ins.status();
  const bool delivered = outcome.state == DeliveryState::kDelivered;
  if (stale && !delivered) {
    Result<PgResult> u = db->Exec(
        "UPDATE outbox SET attempts = attempts + 1, last_status = $1::int4, last_error = $2 "
        "WHERE id = $3",
        Params().Int(a.http_status).Text(a.error).Text(a.delivery_id));
    if (!u.ok()) return u.status();
  } else {
    const auto state = static_cast<int64_t>(outcome.state);
    Result<PgResult> u = db->Exec(R"sql(
      UPDATE outbox SET attempts = attempts + 1, last_status = $1::int4, last_error = $2,
                        state = $3::int2,
                        next_attempt_us = CASE WHEN $3::int2 = 0 THEN $4::int8
                                               ELSE next_attempt_us END,
                        delivered_at = CASE WHEN $3::int2 = 1 THEN $5::int8 ELSE delivered_at END
      WHERE id = $6)sql",
                                  Params()
                                      .Int(a.http_status)
                                      .Text(a.error)
                                      .Int(state)
                                      .Int(outcome.next_attempt_us)
                                      .Int(a.started_at_us + a.latency_us)
                                      .Text(a.delivery_id));
    if (!u.ok()) return u.status();
  }
  if (outcome.disable_postback && postback_id != 0) {
    Result<PgResult> u = db->Exec(
        "UPDATE postbacks SET disabled_at = $1::int8, disabled_reason = $2 "
        "WHERE id = $3::int8 AND disabled_at IS NULL",
        Params().Int(a.started_at_us).Text(outcome.disable_reason).Int(postback_id));
    if (!u.ok()) return u.status();
  }
  return db->Run("COMMIT");
}

Result<OutboxStats> PostgresStore::GetOutboxStats() {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  // One statement: one snapshot for the four figures. Pending = what the notifier owes: rows
  // of a disabled or deleted postback wait on a person, not on the notifier, and have their own
  // alarm (disabled_postbacks). postbacks is small (a handful per account): scanned.
  Result<PgResult> r = (*c)->Exec(R"sql(
    WITH owed AS (
      SELECT COUNT(*) AS n, MIN(o.created_at) AS oldest
      FROM outbox o LEFT JOIN postbacks p ON p.id = o.postback_id
      WHERE o.state = 0
        AND (o.postback_id = 0
             OR (p.id IS NOT NULL AND p.deleted_at IS NULL AND p.disabled_at IS NULL)))
    SELECT owed.n, owed.oldest,
           (SELECT COUNT(*) FROM outbox WHERE state = 2),
           (SELECT COUNT(*) FROM postbacks WHERE disabled_at IS NOT NULL AND deleted_at IS NULL)
    FROM owed)sql");
  if (!r.ok()) return r.status();
  OutboxStats stats;
  stats.pending = r->Int(0, 0);
  stats.oldest_pending_created_us = r->Int(0, 1);  // NULL (nothing pending) reads 0
  stats.dead = r->Int(0, 2);
  stats.disabled_postbacks = r->Int(0, 3);
  return stats;
}

}  // namespace ct
