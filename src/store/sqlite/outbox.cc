// The notifier's side of the outbox on SQLite: claiming due deliveries under a lease, recording
// each attempt's outcome, and the figures the monitor polls. The rows themselves are written by
// Commit (commit.cc), in the transaction of the event that fires them. Listing and replaying for
// the API: outbox_admin.cc.
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/outbox_rows.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/transaction.h"

namespace ct {

using sqlite::Db;
using sqlite::Statement;
using sqlite::Transaction;

Result<std::vector<ClaimedDelivery>> SqliteStore::ClaimDeliveries(int64_t now_us,
                                                                  int64_t lease_until_us,
                                                                  int limit) {
  std::vector<ClaimedDelivery> claimed;
  if (limit <= 0) return claimed;
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  // IMMEDIATE: the select and the lease are one step under SQLite's write lock, so two
  // notifiers (threads, or processes on the same file) never lease the same row.
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  {
    // INDEXED BY: the partial index of pending rows, walked in due order; if the planner could
    // not use it this fails loudly at prepare instead of scanning the whole outbox. Rows of a
    // disabled or deleted postback stay pending (a re-enable resumes them) and are skipped here;
    // postback 0 is a goal's piggyback pixel, sent unsigned (secret "").
    Result<Statement> s = db->Prepare(R"sql(
      SELECT o.id, o.account_id, o.postback_id, o.event_id, o.event_kind, o.event_time_us,
             o.method, o.url, o.body, o.state, o.attempts, o.created_at, o.next_attempt_us,
             o.last_status, o.last_error, o.delivered_at, COALESCE(p.secret, '')
      FROM outbox o INDEXED BY outbox_due
        LEFT JOIN postbacks p ON p.id = o.postback_id AND p.account_id = o.account_id
      WHERE o.state = 0 AND o.next_attempt_us <= ?
        AND (o.postback_id = 0
             OR (p.id IS NOT NULL AND p.deleted_at IS NULL AND p.disabled_at IS NULL))
      ORDER BY o.next_attempt_us LIMIT ?)sql");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(now_us, static_cast<int64_t>(limit)));
    for (;;) {
      Result<bool> row = s->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      claimed.push_back({sqlite::ReadDeliveryRow(*s), s->ColumnText(16)});
    }
  }  // the scan ends before the updates: they move rows within the index it walks
  Result<Statement> lease =
      db->Prepare("UPDATE outbox SET next_attempt_us = ? WHERE id = ? AND state = 0");
  if (!lease.ok()) return lease.status();
  for (ClaimedDelivery& c : claimed) {
    CT_RETURN_IF_ERROR(lease->BindAll(lease_until_us, std::string_view(c.row.id)));
    CT_RETURN_IF_ERROR(lease->Run());
    c.row.next_attempt_us = lease_until_us;
  }
  CT_RETURN_IF_ERROR(txn.Commit());
  return claimed;
}

Status SqliteStore::RecordDeliveryOutcome(const DeliveryOutcome& outcome) {
  const DeliveryAttemptRow& a = outcome.attempt;
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  int64_t attempts = 0, postback_id = 0;
  bool stale = false;
  {
    Result<Statement> s =
        // The attempt's number counts every attempt ever made (outbox.attempts restarts at 0
        // on a replay, so the retry schedule restarts; the log's numbering does not).
        db->Prepare(R"sql(SELECT (SELECT COUNT(*) FROM delivery_attempts WHERE delivery_id = o.id),
                               o.state, o.replayed_at, o.postback_id
                        FROM outbox o WHERE o.id = ?)sql");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(std::string_view(a.delivery_id)));
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("no delivery " + a.delivery_id);
    attempts = s->ColumnInt(0);
    // Stale: the row left pending meanwhile (another notifier finished it after our lease ran
    // out), or was replayed after this attempt began. The attempt still happened, so it is
    // recorded; only a success moves such a row (the receiver did get it).
    stale = s->ColumnInt(1) != static_cast<int64_t>(DeliveryState::kPending) ||
            s->ColumnInt(2) > a.started_at_us;
    postback_id = s->ColumnInt(3);
  }
  {
    Result<Statement> s = db->Prepare(R"sql(
      INSERT INTO delivery_attempts (delivery_id, attempt, started_at, http_status, latency_us,
                                     error)
      VALUES (?, ?, ?, ?, ?, ?))sql");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(std::string_view(a.delivery_id), attempts + 1, a.started_at_us,
                                  static_cast<int64_t>(a.http_status), a.latency_us,
                                  std::string_view(a.error)));
    CT_RETURN_IF_ERROR(s->Run());
  }
  const bool delivered = outcome.state == DeliveryState::kDelivered;
  if (stale && !delivered) {
    Result<Statement> s = db->Prepare(R"sql(
      UPDATE outbox SET attempts = attempts + 1, last_status = ?, last_error = ?
      WHERE id = ?)sql");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(static_cast<int64_t>(a.http_status), std::string_view(a.error),
                                  std::string_view(a.delivery_id)));
    CT_RETURN_IF_ERROR(s->Run());
  } else {
    // A pending row's next_attempt_us is its due time; a finished row keeps the time it had
    // (it is not in outbox_due, so nothing reads it).
    Result<Statement> s = db->Prepare(R"sql(
      UPDATE outbox SET attempts = attempts + 1, last_status = ?, last_error = ?, state = ?,
                        next_attempt_us = CASE WHEN ? = 0 THEN ? ELSE next_attempt_us END,
                        delivered_at = CASE WHEN ? = 1 THEN ? ELSE delivered_at END
      WHERE id = ?)sql");
    if (!s.ok()) return s.status();
    const auto state = static_cast<int64_t>(outcome.state);
    CT_RETURN_IF_ERROR(s->BindAll(static_cast<int64_t>(a.http_status), std::string_view(a.error),
                                  state, state, outcome.next_attempt_us, state,
                                  a.started_at_us + a.latency_us, std::string_view(a.delivery_id)));
    CT_RETURN_IF_ERROR(s->Run());
  }
  // A 410 disables the postback even when the attempt was stale: the receiver said "gone".
  // The first disable's time and reason stay. Piggyback pixels (postback 0) have no row.
  if (outcome.disable_postback && postback_id != 0) {
    Result<Statement> s = db->Prepare(R"sql(
      UPDATE postbacks SET disabled_at = ?, disabled_reason = ?
      WHERE id = ? AND disabled_at IS NULL)sql");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(
        s->BindAll(a.started_at_us, std::string_view(outcome.disable_reason), postback_id));
    CT_RETURN_IF_ERROR(s->Run());
  }
  return txn.Commit();
}

Result<OutboxStats> SqliteStore::GetOutboxStats() {
  ReadLease lease = AcquireReader();
  Db* db = lease.db();
  Transaction txn(db);  // one snapshot for the four figures
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred));
  OutboxStats stats;
  {
    // Pending = what the notifier owes: rows of a disabled or deleted postback wait on a person,
    // not on the notifier, and have their own alarm (disabled_postbacks); counting them would
    // keep the backlog alarm on for as long as a postback stays disabled.
    Result<Statement> s = db->Prepare(R"sql(
      SELECT COUNT(*), MIN(o.created_at)
      FROM outbox o INDEXED BY outbox_pending_by_created
        LEFT JOIN postbacks p ON p.id = o.postback_id
      WHERE o.state = 0
        AND (o.postback_id = 0
             OR (p.id IS NOT NULL AND p.deleted_at IS NULL AND p.disabled_at IS NULL)))sql");
    if (!s.ok()) return s.status();
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    stats.pending = s->ColumnInt(0);
    stats.oldest_pending_created_us = s->ColumnIsNull(1) ? 0 : s->ColumnInt(1);
  }
  Result<int64_t> dead = db->QueryInt(
      "SELECT COUNT(*) FROM outbox INDEXED BY outbox_dead "
      "WHERE state = 2");
  if (!dead.ok()) return dead.status();
  stats.dead = *dead;
  // postbacks is small (a handful per account): a scan is cheaper than another index to keep.
  Result<int64_t> disabled = db->QueryInt(
      "SELECT COUNT(*) FROM postbacks WHERE disabled_at IS NOT NULL AND deleted_at IS NULL");
  if (!disabled.ok()) return disabled.status();
  stats.disabled_postbacks = *disabled;
  CT_RETURN_IF_ERROR(txn.Commit());
  return stats;
}

}  // namespace ct
