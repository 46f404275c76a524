// What a PostgreSQL commit adds beyond its per-link and per-account rollups (pg_commit.cc):
// account_pair_rollups and account_destination_links (the filtered reports' shortcuts,
// pg_filtered_reports.cc), and the live stream's commit sequence numbers (hit_seqs).
//
// The pair rows are derived from the batch's account_combo_rollups deltas, not from the hits:
// a pair row is the sum of the combinations holding both values, so whatever the commit adds
// to the combinations (clicks now, credited conversions later) reaches the pairs too.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "common/status.h"
#include "store/postgres/pg_conn.h"
#include "store/store.h"

namespace ct::pg {

struct PairCounts {
  int64_t total = 0, unique = 0, bots = 0, conversions = 0, value_micros = 0;
};

// Sums the pair rows of a batch in key order (two trackers then lock shared rows in the same
// order) and writes them in one upsert.
class PairRollups {
 public:
  // One account_combo_rollups delta: (account, granularity, bucket start) and the values of
  // the six dimensions before the destination, in Dimension order ("" = unknown).
  void AddCombo(int64_t account_id, int64_t granularity, int64_t start_us,
                const std::array<std::string, 7>& values, const PairCounts& counts);
  [[nodiscard]] Status Write(PgConn* c) const;

 private:
  // account, dim_a, dim_b, granularity, start, value_a, value_b
  using Key = std::tuple<int64_t, int, int, int64_t, int64_t, std::string, std::string>;
  std::map<Key, PairCounts> rows_;
};

// pg_commit.cc's account combination deltas (map of (account, granularity, start, values) to a
// delta with total / unique / bots, and conversions / value_micros when it has them).
template <typename ComboMap>
[[nodiscard]] Status WritePairRollups(PgConn* c, const ComboMap& account_combos) {
  PairRollups pairs;
  for (const auto& [k, d] : account_combos) {
    PairCounts n{d.total, d.unique, d.bots};
    if constexpr (requires { d.conversions; }) n.conversions = d.conversions;
    if constexpr (requires { d.value_micros; }) n.value_micros = d.value_micros;
    pairs.AddCombo(std::get<0>(k), std::get<1>(k), std::get<2>(k), std::get<3>(k), n);
  }
  return pairs.Write(c);
}

// Lists (account, destination, link) for the links of `links_destinations` (link id,
// destination), the account taken from the link's row.
[[nodiscard]] Status WriteDestinationLinks(
    PgConn* c, const std::set<std::pair<int64_t, std::string>>& links_destinations);

// pg_commit.cc's link combination deltas (map of (link, granularity, start, values)).
template <typename ComboMap>
[[nodiscard]] Status WriteDestinationLinksOf(PgConn* c, const ComboMap& combos) {
  std::set<std::pair<int64_t, std::string>> seen;
  for (const auto& [k, d] : combos) seen.emplace(std::get<0>(k), std::get<3>(k)[6]);
  return WriteDestinationLinks(c, seen);
}

// Numbers the batch's new hits (is_new[i]; conversions aside) in batch order after the store's
// last number, in hit_seqs (the live stream). Takes the hit_commit_seq row lock, held to
// COMMIT, so numbers become visible in increasing order: a live reader past N never misses a
// hit numbered below N that commits later. Call it LAST before COMMIT: every committer takes
// this lock after all its others, so it adds no deadlock cycle, and holds it briefly.
[[nodiscard]] Status AssignCommitSeqs(PgConn* c, const std::vector<HitRecord>& hits,
                                      const std::vector<bool>& is_new);

}  // namespace ct::pg
