// The API's side of the outbox on SQLite: listing an account's deliveries and their attempts,
// and replaying them. Every query is scoped by the account (store.h "Tenancy").
#include <algorithm>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/delivery_query.h"
#include "store/sqlite/outbox_rows.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/transaction.h"

namespace ct {

using sqlite::Db;
using sqlite::Statement;
using sqlite::Transaction;

Result<DeliveryPage> SqliteStore::ListDeliveries(int64_t account_id, const DeliveryFilter& filter,
                                                 const std::optional<std::string>& after_id,
                                                 int limit) {
  DeliveryPage page;
  if (limit <= 0) return page;
  ReadLease lease = AcquireReader();
  Db* db = lease.db();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred));
  // Newest first is descending (created_at, id), a total order (ids are unique). A page ends
  // strictly before a bound: the cursor row, or (to_us, "") for the range's end, since every
  // id sorts after "" — whichever comes first.
  std::pair<int64_t, std::string> bound{DeliveryToParam(filter), ""};
  if (after_id) {
    Result<Statement> s =
        db->Prepare("SELECT created_at FROM outbox WHERE id = ? AND account_id = ?");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(std::string_view(*after_id), account_id));
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::InvalidArgument("no delivery " + *after_id + " to continue after");
    bound = std::min(bound, std::pair<int64_t, std::string>{s->ColumnInt(0), *after_id});
  }
  static const std::string kSql = "SELECT " + std::string(sqlite::kDeliveryColumns) + R"sql(
      FROM outbox INDEXED BY outbox_by_account
      WHERE account_id = ?1 AND (created_at, id) < (?2, ?3) AND created_at >= ?4
        AND (?5 = 0 OR postback_id = ?5) AND (?6 < 0 OR state = ?6)
      ORDER BY created_at DESC, id DESC LIMIT ?7)sql";
  Result<Statement> s = db->Prepare(kSql);
  if (!s.ok()) return s.status();
  // One row more than asked tells whether another page exists without a COUNT.
  CT_RETURN_IF_ERROR(s->BindAll(account_id, bound.first, std::string_view(bound.second),
                                filter.from_us, filter.postback_id, DeliveryStateParam(filter),
                                static_cast<int64_t>(limit) + 1));
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    page.deliveries.push_back(sqlite::ReadDeliveryRow(*s));
  }
  if (page.deliveries.size() > static_cast<size_t>(limit)) {
    page.deliveries.resize(static_cast<size_t>(limit));
    page.next_after_id = page.deliveries.back().id;
  }
  CT_RETURN_IF_ERROR(txn.Commit());
  return page;
}

Result<std::optional<DeliveryRow>> SqliteStore::GetDelivery(int64_t account_id,
                                                            const std::string& delivery_id) {
  ReadLease lease = AcquireReader();
  static const std::string kSql = "SELECT " + std::string(sqlite::kDeliveryColumns) +
                                  " FROM outbox WHERE id = ? AND account_id = ?";
  Result<Statement> s = lease.db()->Prepare(kSql);
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(std::string_view(delivery_id), account_id));
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<DeliveryRow>();
  return std::optional<DeliveryRow>(sqlite::ReadDeliveryRow(*s));
}

Result<std::optional<std::vector<DeliveryAttemptRow>>> SqliteStore::ListDeliveryAttempts(
    int64_t account_id, const std::string& delivery_id) {
  using Attempts = std::optional<std::vector<DeliveryAttemptRow>>;
  ReadLease lease = AcquireReader();
  Db* db = lease.db();
  Transaction txn(db);  // one snapshot for the ownership check and the attempts
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred));
  {
    Result<Statement> s = db->Prepare("SELECT 1 FROM outbox WHERE id = ? AND account_id = ?");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(std::string_view(delivery_id), account_id));
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Attempts();
  }
  Result<Statement> s = db->Prepare(R"sql(
      SELECT attempt, started_at, http_status, latency_us, error FROM delivery_attempts
      WHERE delivery_id = ? ORDER BY id)sql");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(std::string_view(delivery_id)));
  std::vector<DeliveryAttemptRow> attempts;
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    attempts.push_back({delivery_id, static_cast<int>(s->ColumnInt(0)), s->ColumnInt(1),
                        static_cast<int>(s->ColumnInt(2)), s->ColumnInt(3), s->ColumnText(4)});
  }
  CT_RETURN_IF_ERROR(txn.Commit());
  return Attempts(std::move(attempts));
}

Result<int64_t> SqliteStore::ReplayDeliveries(int64_t account_id, const ReplaySelector& selector,
                                              int64_t now_us) {
  if (static_cast<int64_t>(selector.ids.size()) > kMaxReplay) {
    return Status::InvalidArgument("at most " + std::to_string(kMaxReplay) +
                                   " deliveries per replay");
  }
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  // replayed_at marks attempts that began before now as stale (RecordDeliveryOutcome), so a
  // late failure of the pre-replay send cannot undo the replay. attempts restarts at 0: a
  // replayed (e.g. dead) delivery gets the whole retry schedule again, not one last try.
  int64_t replayed = 0;
  if (!selector.ids.empty()) {
    Result<Statement> s = db->Prepare(R"sql(
        UPDATE outbox SET state = 0, next_attempt_us = ?, replayed_at = ?, attempts = 0
        WHERE id = ? AND account_id = ?)sql");
    if (!s.ok()) return s.status();
    for (const std::string& id : selector.ids) {
      CT_RETURN_IF_ERROR(s->BindAll(now_us, now_us, std::string_view(id), account_id));
      CT_RETURN_IF_ERROR(s->Run());
      replayed += s->Changes();
    }
  } else {
    // Oldest first, so repeating the call over "every dead delivery" walks forward in time.
    const DeliveryFilter& f = selector.filter;
    Result<Statement> s = db->Prepare(R"sql(
        UPDATE outbox SET state = 0, next_attempt_us = ?1, replayed_at = ?1, attempts = 0
        WHERE id IN (SELECT id FROM outbox INDEXED BY outbox_by_account
                     WHERE account_id = ?2 AND created_at >= ?3 AND created_at < ?4
                       AND (?5 = 0 OR postback_id = ?5) AND (?6 < 0 OR state = ?6)
                     ORDER BY created_at, id LIMIT ?7))sql");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(now_us, account_id, f.from_us, DeliveryToParam(f), f.postback_id,
                                  DeliveryStateParam(f), kMaxReplay));
    CT_RETURN_IF_ERROR(s->Run());
    replayed = s->Changes();
  }
  CT_RETURN_IF_ERROR(txn.Commit());
  return replayed;
}

}  // namespace ct
