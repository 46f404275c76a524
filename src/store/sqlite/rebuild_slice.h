// One slice of `clicktrail rebuild` (store/sqlite/rebuilder.h): every derived row of one link
// in one UTC day, or of one account in one UTC day, recomputed from the raw rows (hits,
// conversions) inside the caller's write transaction.
//
// Why a link-day: a unique is the first human click of a visitor on a link in a UTC day, so a
// link-day is the smallest slice whose uniques (and visitor_days) depend on nothing outside it;
// a smaller slice would carry "visitors seen so far today" across transactions, state that a
// late event committed between them would silently invalidate. A link-day is also small: the
// clicks of one link in one day.
//
// Why deleting and recomputing in ONE transaction is safe while the tracker commits: SQLite has
// one writer at a time, so each tracker commit lands wholly before or wholly after the slice's
// transaction. A commit before it wrote its hits, which the slice reads and counts (its
// increments to the slice's rows are deleted with them, so nothing is counted twice); a commit
// after it adds its increments to the rebuilt rows and checks its visitor against the rebuilt
// visitor_days, exactly as it would have on the tracker's own rows (so nothing is lost).
//
// Thread safety: none; runs on the rebuild's own connection.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "common/status.h"
#include "store/sqlite/db.h"
#include "store/store.h"

namespace ct::sqlite {

// Re-derives a stored hit's enrichment from its raw fields (enrich::Enricher::Reenrich in the
// binary): `raw` has the stored kind, flags, ip, user agent, referrer, language and
// destination; `stored_country` is the country the hit has now. The result's `classifier` is
// stored with the hit.
using Reclassifier = std::function<Enrichment(const Event& raw, std::string_view stored_country)>;

struct SliceStats {
  int64_t hits = 0;          // raw hits read and counted
  int64_t changed_hits = 0;  // hits whose enrichment, unique flag or classifier was rewritten
  int64_t conversions = 0;   // counted conversions re-counted
};

// Hits of [range_from_us, range_to_us) are re-enriched; a conversion's click outside it (an
// earlier day the job does not cover) keeps its stored enrichment.
struct SliceContext {
  int64_t range_from_us = 0;
  int64_t range_to_us = 0;
  const Reclassifier* reclassify = nullptr;
};

// Re-enriches the link's hits of the day (ordered by time, then event id), re-decides their
// unique flags and the day's visitor_days, and rewrites the link's minute/hour/day rollups,
// hourly dim_rollups and combo_rollups, and goal_rollups of the day, counted conversions included;
// lists the combinations' destinations in account_destination_links.
// Account rows are left to RebuildAccountDay. Call inside a write transaction.
[[nodiscard]] Status RebuildLinkDay(Db* db, const SliceContext& ctx, int64_t link_id,
                                    int64_t day_us, SliceStats* stats);

// Rewrites the account's minute/hour/day account_rollups of the day as the sum of its links'
// rollups plus its unattributed counted conversions, and its hour and day account_dim_rollups
// as the sum of its links' dim_rollups, and its hour and day account_combo_rollups as the sum of
// its links' combo_rollups without the destination, and its hour and day account_pair_rollups
// from those combinations (unattributed conversions also make its goal_rollups with link_id 0).
// Call inside a write transaction, after the day's link slices.
[[nodiscard]] Status RebuildAccountDay(Db* db, int64_t account_id, int64_t day_us,
                                       SliceStats* stats);

}  // namespace ct::sqlite
