// The parts of PostgresStore::Commit that live outside pg_commit.cc: ip_30min uniques
// (pg_ip_uniques.cc) and conversions (pg_commit_conversions.cc). Each runs on the commit's
// connection inside its transaction, after the batch's hits are inserted, and hands the rollup
// changes it decides back to the commit, which sums them with the hits' and writes every
// rollup table once per batch.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/postgres/pg_conn.h"
#include "store/store.h"

namespace ct::pg {

// One change to the rollups of a link (0: the account's buckets only) and its account.
struct RollupChange {
  int64_t link_id = 0;
  int64_t account_id = 0;
  int64_t time_us = 0;
  // Also the dim/combo rows of `values` (store.h Dimension order: country, device, os, browser,
  // referrer domain, language, destination; "" = unknown), as a click adds them.
  bool dimensions = false;
  std::array<std::string, 7> values;
  int64_t unique = 0, conversions = 0, value_micros = 0;
};

// ip_30min (store/sqlite/ip_uniques.h has the rule): decides the new human clicks
// batch.hits[i] for i in `clicks` (of ip_30min accounts, just inserted with is_unique false),
// in event-time order, ties in batch order. Adds the unique ones to *unique, marks their hits,
// and takes uniqueness away from a committed click a late one lands before (its -1 in
// *changes). Each (link, ip) is decided under a transaction-scoped advisory lock, taken in key
// order, so two trackers committing clicks of one IP on one link decide them one after the
// other, each seeing the other's sightings.
[[nodiscard]] Status DecideIpUniques(PgConn* c, const CommitBatch& batch,
                                     const std::vector<size_t>& clicks, std::set<size_t>* unique,
                                     std::vector<RollupChange>* changes);

// What a conversion did, for the commit's reconciliation counts.
using ConversionSeen = std::function<void(const HitRecord& conversion, bool is_new)>;

// Applies the batch's conversions (kind kConversion), in batch order, with
// store/sqlite/conversions.cc's semantics: `is_new[i]` says which of the batch's other hits
// this commit inserted (a conversion is credited to a click committed before it, or earlier in
// the same batch). Writes the conversions rows, conversion_keys, goal_rollups and the outbox
// rows of the postbacks and piggyback pixels they fire; counts into *result (applied,
// duplicates, conversions, deliveries) and *changes (link/account rollups).
[[nodiscard]] Status ApplyConversions(PgConn* c, const CommitBatch& batch,
                                      const std::vector<bool>& is_new, int64_t now_us,
                                      const ConversionSeen& seen, CommitResult* result,
                                      std::vector<RollupChange>* changes);

}  // namespace ct::pg
