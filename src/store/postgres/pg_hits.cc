// Raw hits on PostgreSQL: the click stream (ListHits), the live stream (LastHitSeq,
// ListLiveHits), the export scan and its delete (ScanHits, DeleteHits), and top links (from the
// rollups), with the SQLite store's semantics (store/sqlite/reports.cc, live_hits.cc,
// hit_scan.cc).
//
// hits is partitioned by day on time_us: every query here bounds time_us where it can, so the
// executor prunes the partitions it cannot need; ListHits walks the link's index newest first
// partition by partition (ordered append) and stops at the page's end. The live stream reads
// its numbers from hit_seqs (commit order is not time order) and each hit by its key.
#include <algorithm>
#include <limits>

#include "store/postgres/pg_array.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/hit_row.h"
#include "store/sqlite/report_ranges.h"

namespace ct {

using pg::ArrayText;
using pg::Params;
using pg::PgConn;
using pg::PgResult;

namespace {

constexpr int kHitCols = sqlite::kHitRowColumns;

std::string_view IdView(const EventId& id) {
  return {reinterpret_cast<const char*>(id.data()), id.size()};
}

// Columns col..col+kHitCols-1 of row i, selected as CT_HIT_ROW_COLUMNS.
HitRow ReadHitRow(const PgResult& r, int i) {
  HitRow h;
  h.event_id = sqlite::ToEventId(r.Bytes(i, 0));
  h.kind = static_cast<EventKind>(r.Int(i, 1));
  h.time_us = r.Int(i, 2);
  h.link_id = r.Int(i, 3);
  h.ip = r.Str(i, 4);
  h.user_agent = r.Str(i, 5);
  h.referrer = r.Str(i, 6);
  h.accept_language = r.Str(i, 7);
  h.destination = r.Str(i, 8);
  h.enrichment.country = r.Str(i, 9);
  h.enrichment.device = r.Str(i, 10);
  h.enrichment.os = r.Str(i, 11);
  h.enrichment.browser = r.Str(i, 12);
  h.enrichment.referrer_domain = r.Str(i, 13);
  h.enrichment.language = r.Str(i, 14);
  h.enrichment.bot = r.Bool(i, 15);
  h.unique = r.Bool(i, 16);
  return h;
}

// The milliseconds an event id carries (common/event.h: UUIDv7-like, 6 bytes big endian).
int64_t IdMillis(const EventId& id) {
  int64_t ms = 0;
  for (int i = 0; i < 6; ++i) ms = (ms << 8) | id[static_cast<size_t>(i)];
  return ms;
}

}  // namespace

Result<std::vector<TopLink>> PostgresStore::GetTopLinks(int64_t account_id, int64_t from_us,
                                                        int64_t to_us, int limit) {
  std::vector<TopLink> top;
  if (limit <= 0 || from_us >= to_us) return top;
  const sqlite::DayHourRanges r = sqlite::SplitDaysAndHours(from_us, to_us);
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  // Whole days from the day rollups, the ends from the hour rollups (report_ranges.h). A link
  // whose clicks came before the range still lists when it converted in it.
  Result<PgResult> res =
      (*c)->Exec(R"sql(
    SELECT r.link_id, SUM(r.total), SUM(r.unique_count), SUM(r.bots), SUM(r.conversions),
           SUM(r.value_micros)
    FROM links l JOIN rollups r ON r.link_id = l.id
    WHERE l.account_id = $1::int8
      AND ((r.granularity = 86400 AND r.bucket_start_us >= $2::int8 AND r.bucket_start_us < $3::int8)
        OR (r.granularity = 3600 AND r.bucket_start_us >= $4::int8 AND r.bucket_start_us < $2::int8)
        OR (r.granularity = 3600 AND r.bucket_start_us >= $3::int8 AND r.bucket_start_us < $5::int8))
    GROUP BY r.link_id
    HAVING SUM(r.total) > 0 OR SUM(r.bots) > 0 OR SUM(r.conversions) > 0
    ORDER BY 2 DESC, 4 DESC, 1 LIMIT $6::int8)sql",
                 Params().Int(account_id).Int(r.d1).Int(r.d2).Int(r.h0).Int(r.to).Int(limit));
  if (!res.ok()) return res.status();
  for (int i = 0; i < res->rows(); ++i) {
    top.push_back({res->Int(i, 0), res->Int(i, 1), res->Int(i, 2), res->Int(i, 3), res->Int(i, 4),
                   res->Int(i, 5)});
  }
  return top;
}

Result<std::optional<HitPage>> PostgresStore::ListHits(int64_t account_id, int64_t link_id,
                                                       const std::optional<HitCursor>& after,
                                                       int limit) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> owns =
      (*c)->Exec("SELECT 1 FROM links WHERE id = $1::int8 AND account_id = $2::int8",
                 Params().Int(link_id).Int(account_id));
  if (!owns.ok()) return owns.status();
  if (owns->rows() == 0) return std::optional<HitPage>();
  HitPage page;
  if (limit <= 0) return std::optional<HitPage>(std::move(page));
  // (time_us, event_id) descending is a total order, so a page starts strictly after the
  // previous one's last hit: no gaps, no repeats, even between hits sharing a microsecond.
  HitCursor cursor = after ? *after : HitCursor{std::numeric_limits<int64_t>::max(), {}};
  if (!after) cursor.event_id.fill(0xff);
  // One row more than asked tells whether another page exists without a COUNT.
  Result<PgResult> r = (*c)->Exec("SELECT " CT_HIT_ROW_COLUMNS R"sql(
      FROM hits
      WHERE link_id = $1::int8 AND time_us <= $2::int8
        AND (time_us, event_id) < ($2::int8, $3::bytea)
      ORDER BY time_us DESC, event_id DESC LIMIT $4::int8)sql",
                                  Params()
                                      .Int(link_id)
                                      .Int(cursor.time_us)
                                      .Bytes(IdView(cursor.event_id))
                                      .Int(static_cast<int64_t>(limit) + 1));
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows() && i < limit; ++i) page.hits.push_back(ReadHitRow(*r, i));
  if (r->rows() > limit) page.next = HitCursor{page.hits.back().time_us, page.hits.back().event_id};
  return std::optional<HitPage>(std::move(page));
}

Result<int64_t> PostgresStore::LastHitSeq() {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r = (*c)->Exec("SELECT last FROM hit_commit_seq WHERE id = 1");
  if (!r.ok()) return r.status();
  return r->rows() > 0 ? r->Int(0, 0) : int64_t{0};
}

Result<LiveHitPage> PostgresStore::ListLiveHits(int64_t account_id, int64_t link_id,
                                                int64_t after_seq, int limit) {
  LiveHitPage page;
  page.scanned_to = after_seq;
  if (limit <= 0) return page;
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  // The account's next `limit` numbers (hit_seqs), then each one's hit, found by its key with
  // only its own day partition read (LATERAL: one parameterized probe per number), and its
  // link's slug and domain. Numbers become visible in order (pg_pair_rollups.h
  // AssignCommitSeqs), so after_seq never skips one. A hit deleted since (retention) is
  // examined and passed over.
  Result<PgResult> r = (*c)->Exec(R"sql(
      SELECT h.*, x.seq, (SELECT slug FROM links WHERE links.id = h.link_id),
             (SELECT domain FROM links WHERE links.id = h.link_id)
      FROM (SELECT seq, time_us, event_id FROM hit_seqs
            WHERE account_id = $1::int8 AND seq > $2::int8 ORDER BY seq LIMIT $3::int8) x
      LEFT JOIN LATERAL (SELECT )sql" CT_HIT_ROW_COLUMNS R"sql( FROM hits
                         WHERE hits.time_us = x.time_us AND hits.event_id = x.event_id) h ON true
      ORDER BY x.seq)sql",
                                  Params().Int(account_id).Int(after_seq).Int(limit));
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    page.scanned_to = r->Int(i, kHitCols);
    ++page.examined;
    // The link filter here, not in SQL, so the examined window (and scanned_to) is bounded by
    // `limit` whatever the link's share of the account's traffic (as SQLite's).
    if (r->IsNull(i, 0) || (link_id > 0 && r->Int(i, 3) != link_id)) continue;
    LiveHit& h = page.hits.emplace_back();
    h.seq = page.scanned_to;
    h.row = ReadHitRow(*r, i);
    h.slug = r->Str(i, kHitCols + 1);
    h.domain = r->Str(i, kHitCols + 2);
  }
  return page;
}

Result<std::vector<ExportedHit>> PostgresStore::ScanHits(int64_t from_us, int64_t to_us,
                                                         const std::optional<HitCursor>& after,
                                                         int limit) {
  std::vector<ExportedHit> out;
  if (limit <= 0 || from_us >= to_us) return out;
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  const HitCursor cursor = after ? *after : HitCursor{std::numeric_limits<int64_t>::min(), {}};
  // The primary key (time_us, event_id) gives the range and the order in each partition;
  // partitions before the cursor's day are pruned (GREATEST bounds time_us from below).
  Result<PgResult> r = (*c)->Exec("SELECT " CT_HIT_ROW_COLUMNS R"sql(,
             account_id, visitor_id, visitor_key, flags
      FROM hits
      WHERE time_us >= GREATEST($1::int8, $3::int8) AND time_us < $2::int8
        AND (time_us, event_id) > ($3::int8, $4::bytea)
      ORDER BY time_us, event_id LIMIT $5::int8)sql",
                                  Params()
                                      .Int(from_us)
                                      .Int(to_us)
                                      .Int(cursor.time_us)
                                      .Bytes(IdView(cursor.event_id))
                                      .Int(limit));
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    ExportedHit& e = out.emplace_back();
    e.row = ReadHitRow(*r, i);
    e.account_id = r->Int(i, kHitCols);
    e.visitor_id = r->Str(i, kHitCols + 1);
    e.visitor_key = r->Bytes(i, kHitCols + 2);
    e.flags = static_cast<uint8_t>(r->Int(i, kHitCols + 3));
  }
  return out;
}

Result<int64_t> PostgresStore::DeleteHits(const std::vector<EventId>& ids) {
  if (ids.empty()) return int64_t{0};
  ArrayText all;
  int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min();
  for (const EventId& id : ids) {
    all.Bytes(IdView(id));
    lo = std::min(lo, IdMillis(id));
    hi = std::max(hi, IdMillis(id));
  }
  const std::string id_array = all.Take();
  Result<pg::Lease> c = pool_.Begin();
  if (!c.ok()) return c.status();
  // The key is (time_us, event_id): without a time, every partition is read. An id carries the
  // millisecond the edge drew it, which is its hit's time_us in practice, so the days around
  // the ids' times are tried first; only ids not found there cost the scan of every partition.
  constexpr int64_t kSlackUs = 86'400'000'000;
  const int64_t max_ms = std::numeric_limits<int64_t>::max() / 1000 - kSlackUs;
  Result<PgResult> near = (*c)->Exec(R"sql(
      DELETE FROM hits WHERE time_us >= $2::int8 AND time_us <= $3::int8
        AND event_id = ANY($1::bytea[]))sql",
                                     Params()
                                         .Raw(id_array)
                                         .Int(std::min(lo, max_ms) * 1000 - kSlackUs)
                                         .Int(std::min(hi, max_ms) * 1000 + kSlackUs));
  if (!near.ok()) return near.status();
  int64_t deleted = near->affected();
  if (deleted < static_cast<int64_t>(ids.size())) {
    Result<PgResult> rest =
        (*c)->Exec("DELETE FROM hits WHERE event_id = ANY($1::bytea[])", Params().Raw(id_array));
    if (!rest.ok()) return rest.status();
    deleted += rest->affected();
  }
  CT_RETURN_IF_ERROR((*c)->Run("COMMIT"));
  return deleted;
}

}  // namespace ct
