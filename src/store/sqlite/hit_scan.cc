// Store-wide scans of the raw hits, for exports (tracker/hit_export.h): every column, oldest
// first, and a delete of exactly the hits an export wrote.
#include <algorithm>
#include <limits>

#include "store/sqlite/hit_row.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/transaction.h"

namespace ct {

using sqlite::Db;
using sqlite::Statement;
using sqlite::Transaction;

namespace {

ExportedHit ReadExportedHit(const Statement& s) {
  ExportedHit e;
  e.row = sqlite::ReadHitRow(s);
  constexpr int k = sqlite::kHitRowColumns;  // the columns selected after the row's
  e.account_id = s.ColumnInt(k);
  e.visitor_id = s.ColumnText(k + 1);
  e.visitor_key = s.ColumnText(k + 2);
  e.flags = static_cast<uint8_t>(s.ColumnInt(k + 3));
  return e;
}

}  // namespace

Result<std::vector<ExportedHit>> SqliteStore::ScanHits(int64_t from_us, int64_t to_us,
                                                       const std::optional<HitCursor>& after,
                                                       int limit) {
  std::vector<ExportedHit> out;
  if (limit <= 0 || from_us >= to_us) return out;
  ReadLease lease = AcquireReader();
  Db* db = lease.db();
  // hits_by_time holds (time_us, event_id): the range and the order come from the index, and
  // (time_us, event_id) is a total order, so pages neither skip nor repeat a hit.
  Result<Statement> s = db->Prepare(R"sql(
      SELECT )sql" CT_HIT_ROW_COLUMNS R"sql(, account_id, visitor_id, visitor_key, flags
      FROM hits
      WHERE time_us >= ? AND time_us < ? AND (time_us > ? OR (time_us = ? AND event_id > ?))
      ORDER BY time_us, event_id LIMIT ?)sql");
  if (!s.ok()) return s.status();
  HitCursor cursor = after ? *after : HitCursor{std::numeric_limits<int64_t>::min(), {}};
  CT_RETURN_IF_ERROR(s->BindAll(from_us, to_us, cursor.time_us, cursor.time_us,
                                sqlite::Blob{cursor.event_id.data(), cursor.event_id.size()},
                                static_cast<int64_t>(limit)));
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(ReadExportedHit(*s));
  }
  return out;
}

Result<int64_t> SqliteStore::DeleteHits(const std::vector<EventId>& ids) {
  if (ids.empty()) return int64_t{0};
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  Result<Statement> s = db->Prepare("DELETE FROM hits WHERE event_id = ?");
  if (!s.ok()) return s.status();
  int64_t deleted = 0;
  for (const EventId& id : ids) {
    CT_RETURN_IF_ERROR(s->BindAll(sqlite::Blob{id.data(), id.size()}));
    CT_RETURN_IF_ERROR(s->Run());
    deleted += s->Changes();
  }
  CT_RETURN_IF_ERROR(txn.Commit());
  return deleted;
}

}  // namespace ct
