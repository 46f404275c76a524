// SqliteStore: the live click stream's reads (store.h LastHitSeq, ListLiveHits).
#include "store/sqlite/live_hits.h"

#include "store/sqlite/sqlite_store.h"

namespace ct {

Result<int64_t> SqliteStore::LastHitSeq() {
  ReadLease lease = AcquireReader();
  return lease.db()->QueryInt("SELECT last FROM hit_commit_seq WHERE id = 1");
}

Result<LiveHitPage> SqliteStore::ListLiveHits(int64_t account_id, int64_t link_id,
                                              int64_t after_seq, int limit) {
  LiveHitPage page;
  page.scanned_to = after_seq;
  if (limit <= 0) return page;
  ReadLease lease = AcquireReader();
  Result<sqlite::Statement> s = lease.db()->Prepare(sqlite::kLiveHitsSql);
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(account_id, after_seq, static_cast<int64_t>(limit)));
  constexpr int k = sqlite::kHitRowColumns;  // the columns selected after the row's
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    page.scanned_to = s->ColumnInt(k);
    ++page.examined;
    // The link filter is applied here, not in SQL, so that the examined window (and with it
    // scanned_to) is bounded by `limit` whatever the link's share of the account's traffic.
    if (link_id > 0 && s->ColumnInt(3) != link_id) continue;
    LiveHit& h = page.hits.emplace_back();
    h.seq = page.scanned_to;
    h.row = sqlite::ReadHitRow(*s);
    h.slug = s->ColumnText(k + 1);
    h.domain = s->ColumnText(k + 2);
  }
  return page;
}

}  // namespace ct
