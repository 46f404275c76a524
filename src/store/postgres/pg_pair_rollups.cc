#include "store/postgres/pg_pair_rollups.h"

#include <algorithm>

#include "store/postgres/pg_array.h"

namespace ct::pg {

void PairRollups::AddCombo(int64_t account_id, int64_t granularity, int64_t start_us,
                           const std::array<std::string, 7>& values, const PairCounts& counts) {
  // Pairs of known values among the six dimensions before the destination (index 6), as
  // SQLite's BatchDeltas::AddDimensions.
  for (int a = 0; a < 6; ++a) {
    if (values[a].empty()) continue;
    for (int b = a + 1; b < 6; ++b) {
      if (values[b].empty()) continue;
      PairCounts& row = rows_[{account_id, a, b, granularity, start_us, values[a], values[b]}];
      row.total += counts.total;
      row.unique += counts.unique;
      row.bots += counts.bots;
      row.conversions += counts.conversions;
      row.value_micros += counts.value_micros;
    }
  }
}

Status PairRollups::Write(PgConn* c) const {
  if (rows_.empty()) return Status::Ok();
  ArrayText account, dim_a, dim_b, width, start, value_a, value_b, total, uniq, bots, conv, value;
  for (const auto& [k, n] : rows_) {
    account.Int(std::get<0>(k));
    dim_a.Int(std::get<1>(k));
    dim_b.Int(std::get<2>(k));
    width.Int(std::get<3>(k));
    start.Int(std::get<4>(k));
    value_a.Text(std::get<5>(k));
    value_b.Text(std::get<6>(k));
    total.Int(n.total);
    uniq.Int(n.unique);
    bots.Int(n.bots);
    conv.Int(n.conversions);
    value.Int(n.value_micros);
  }
  return c
      ->Exec(R"sql(
    INSERT INTO account_pair_rollups AS t (account_id, dim_a, dim_b, granularity, bucket_start_us,
                                           value_a, value_b, total, unique_count, bots,
                                           conversions, value_micros)
    SELECT * FROM unnest($1::int8[], $2::int2[], $3::int2[], $4::int4[], $5::int8[], $6::text[],
                         $7::text[], $8::int8[], $9::int8[], $10::int8[], $11::int8[],
                         $12::int8[])
    ON CONFLICT (account_id, dim_a, dim_b, granularity, bucket_start_us, value_a, value_b)
    DO UPDATE SET total = t.total + excluded.total,
                  unique_count = t.unique_count + excluded.unique_count,
                  bots = t.bots + excluded.bots, conversions = t.conversions + excluded.conversions,
                  value_micros = t.value_micros + excluded.value_micros)sql",
             Params()
                 .Raw(account.Take())
                 .Raw(dim_a.Take())
                 .Raw(dim_b.Take())
                 .Raw(width.Take())
                 .Raw(start.Take())
                 .Raw(value_a.Take())
                 .Raw(value_b.Take())
                 .Raw(total.Take())
                 .Raw(uniq.Take())
                 .Raw(bots.Take())
                 .Raw(conv.Take())
                 .Raw(value.Take()))
      .status();
}

Status WriteDestinationLinks(PgConn* c,
                             const std::set<std::pair<int64_t, std::string>>& links_destinations) {
  if (links_destinations.empty()) return Status::Ok();
  ArrayText link, destination;
  for (const auto& [l, d] : links_destinations) {
    link.Int(l);
    destination.Text(d);
  }
  // Mostly rows that exist already: DO NOTHING costs an index probe each and takes no lock.
  // Sorted by the key, as every other upsert of the commit.
  return c
      ->Exec(R"sql(
    INSERT INTO account_destination_links (account_id, destination, link_id)
    SELECT l.account_id, u.d, u.l
    FROM unnest($1::int8[], $2::text[]) AS u(l, d) JOIN links l ON l.id = u.l
    ORDER BY 1, 2, 3
    ON CONFLICT DO NOTHING)sql",
             Params().Raw(link.Take()).Raw(destination.Take()))
      .status();
}

Status AssignCommitSeqs(PgConn* c, const std::vector<HitRecord>& hits,
                        const std::vector<bool>& is_new) {
  ArrayText account, time, id;
  int64_t n = 0;
  for (size_t i = 0; i < hits.size(); ++i) {
    const Event& e = hits[i].event;
    if (!is_new[i] || e.kind == EventKind::kConversion) continue;  // conversions: no hits row
    account.Int(e.account_id);
    time.Int(e.time_us);
    id.Bytes(std::string_view(reinterpret_cast<const char*>(e.id.data()), e.id.size()));
    ++n;
  }
  if (n == 0) return Status::Ok();
  // One statement: the counter moves by n (its row lock held to COMMIT), and the hits take
  // base+1..base+n in batch order (WITH ORDINALITY).
  return c
      ->Exec(R"sql(
    WITH s AS (UPDATE hit_commit_seq SET last = last + $4::int8 WHERE id = 1
               RETURNING last - $4::int8 AS base)
    INSERT INTO hit_seqs (account_id, seq, time_us, event_id)
    SELECT u.a, s.base + u.n, u.t, u.id
    FROM s, unnest($1::int8[], $2::int8[], $3::bytea[]) WITH ORDINALITY AS u(a, t, id, n))sql",
             Params().Raw(account.Take()).Raw(time.Take()).Raw(id.Take()).Int(n))
      .status();
}

}  // namespace ct::pg
