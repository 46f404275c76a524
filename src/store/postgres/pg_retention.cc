// Raw-hit retention on PostgreSQL: whole day partitions below the cutoff are dropped (no row
// by row DELETE, no vacuum debt); the day the cutoff falls in stays until it is wholly older.
// IP sightings (not partitioned: 48 h of rows) are deleted in bounded batches as on SQLite.
#include "store/postgres/pg_schema.h"
#include "store/postgres/postgres_store.h"

namespace ct {

using pg::Params;
using pg::PgResult;

Result<int64_t> PostgresStore::ExpireHits(int64_t before_us, int64_t max_rows) {
  (void)max_rows;  // dropping a partition costs the same whatever its size
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<std::vector<int64_t>> days = pg::ListPartitions(c->get());
  if (!days.ok()) return days.status();
  int64_t dropped_rows = 0;
  for (int64_t day : *days) {
    const int64_t end = (day + 1) * pg::kPartitionDayUs;
    if (end > before_us) break;  // ascending: the rest are newer
    const std::string name = pg::PartitionName(day);
    // Counted, then dropped, in one transaction with the retention marker, so a report that
    // asks "since when are raw hits complete" never sees the drop without the marker.
    CT_RETURN_IF_ERROR((*c)->Run("BEGIN"));
    Result<PgResult> n = (*c)->Exec("SELECT COUNT(*) FROM " + name);
    if (!n.ok()) return n.status();
    CT_RETURN_IF_ERROR((*c)->Run("DROP TABLE " + name));
    // The live stream's numbers of the dropped hits go with them (pg_schema.cc hit_seqs).
    Result<PgResult> seqs =
        (*c)->Exec("DELETE FROM hit_seqs WHERE time_us >= $1::int8 AND time_us < $2::int8",
                   Params().Int(day * pg::kPartitionDayUs).Int(end));
    if (!seqs.ok()) return seqs.status();
    Result<PgResult> mark = (*c)->Exec(R"sql(
      INSERT INTO hits_retained (id, since_us) VALUES (1, $1::int8)
      ON CONFLICT (id) DO UPDATE SET since_us = GREATEST(hits_retained.since_us, excluded.since_us))sql",
                                       Params().Int(end));
    if (!mark.ok()) return mark.status();
    CT_RETURN_IF_ERROR((*c)->Run("COMMIT"));
    {
      std::lock_guard lock(days_mu_);
      days_.erase(day);
    }
    dropped_rows += n->Int(0, 0);
  }
  return dropped_rows;
}

Result<int64_t> PostgresStore::ExpireIpSightings(int64_t before_us, int64_t max_rows) {
  if (max_rows <= 0) return int64_t{0};
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r = (*c)->Exec(R"sql(
    DELETE FROM ip_sightings WHERE ctid IN (
      SELECT ctid FROM ip_sightings WHERE time_us < $1::int8 LIMIT $2::int8))sql",
                                  Params().Int(before_us).Int(max_rows));
  if (!r.ok()) return r.status();
  return r->affected();
}

}  // namespace ct
