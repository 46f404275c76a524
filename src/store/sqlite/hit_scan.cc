// Store-wide scans of the raw hits, for exports (tracker/hit_export.h): every column, oldest
// first, and a delete of exactly the hits an export wrote.
#include <algorithm>
#include <limits>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/transaction.h"

namespace ct {

using sqlite::Db;
using sqlite::Statement;
using sqlite::Transaction;

namespace {

EventId ToEventId(const std::string& bytes) {
  EventId id{};
  std::copy_n(bytes.begin(), std::min(bytes.size(), id.size()), id.begin());
  return id;
}

ExportedHit ReadExportedHit(const Statement& s) {
  ExportedHit e;
  HitRow& h = e.row;
  h.event_id = ToEventId(s.ColumnText(0));
  h.kind = static_cast<EventKind>(s.ColumnInt(1));
  h.time_us = s.ColumnInt(2);
  h.link_id = s.ColumnInt(3);
  h.ip = s.ColumnText(4);
  h.user_agent = s.ColumnText(5);
  h.referrer = s.ColumnText(6);
  h.accept_language = s.ColumnText(7);
  h.destination = s.ColumnText(8);
  h.enrichment.country = s.ColumnText(9);
  h.enrichment.device = s.ColumnText(10);
  h.enrichment.os = s.ColumnText(11);
  h.enrichment.browser = s.ColumnText(12);
  h.enrichment.referrer_domain = s.ColumnText(13);
  h.enrichment.language = s.ColumnText(14);
  h.enrichment.bot = s.ColumnInt(15) != 0;
  h.unique = s.ColumnInt(16) != 0;
  e.account_id = s.ColumnInt(17);
  e.visitor_id = s.ColumnText(18);
  e.visitor_key = s.ColumnText(19);
  e.flags = static_cast<uint8_t>(s.ColumnInt(20));
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
      SELECT event_id, kind, time_us, link_id, ip, user_agent, referrer, accept_language,
             destination, country, device, os, browser, referrer_domain, language, bot,
             is_unique, account_id, visitor_id, visitor_key, flags
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
