// Which rollups answer a filtered report: the choice both engines make the same way (SQLite's
// reports.cc, PostgreSQL's pg_filtered_reports.cc), so a query reads the same table, and gives
// the same answer, on either.
//   - account-wide, ONE known filter (not bot): account_dim_rollups (SingleKnownFilter);
//   - account-wide, TWO known pairable filters, no bot filter: account_pair_rollups
//     (TwoKnownFilters); a breakdown by a pairable dimension filtered on one other pairable one
//     too (PairBreakdownFilter);
//   - account-wide otherwise, no destination filter or group_by: account_combo_rollups
//     (UsesAccountCombos);
//   - else the per-link combo_rollups.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "store/sqlite/report_query.h"
#include "store/store.h"

namespace ct::sqlite {

// The filters the combination tables have columns for (all but bot), and what a bot filter
// keeps.
struct ComboFilters {
  FilterValues columns;
  std::optional<std::string> bot;  // "bot": only the bots; "human": only total/unique

  explicit ComboFilters(const FilterValues& all) : columns(all) {
    bot = std::move(columns[static_cast<int>(Dimension::kBot)]);
    columns[static_cast<int>(Dimension::kBot)].reset();
  }
  // Zeroes what the bot filter excludes (conversions are never credited to bots). Linear, so it
  // applies to sums as to rows. `C` has total, unique, bots, conversions and value.
  template <typename C>
  void Apply(C* c) const {
    if (!bot) return;
    if (*bot == "bot") {
      c->total = c->unique = c->conversions = c->value = 0;
    } else {
      c->bots = 0;
    }
  }
  const std::optional<std::string>& Of(Dimension d) const { return columns[static_cast<int>(d)]; }
};

// The dimensions account_pair_rollups pairs: the six before the destination.
bool Pairable(Dimension d);

// An account-wide report filtered on ONE dimension (not bot) by a known (non-empty) value:
// account_dim_rollups has a row per (bucket, value) with exactly those clicks' counts (each
// click adds to its value's row, conversions under the credited click's value), so the series is
// one row per bucket instead of every combination. This also serves a single destination
// filter, which account_combo_rollups lacks. The unknown value ('') has no row there (it is
// derived), so it stays on the combination rollups.
std::optional<Dimension> SingleKnownFilter(const StatsQuery& q, const ComboFilters& f);

// An account-wide report filtered on exactly TWO pairable dimensions, both by known values, no
// bot filter: account_pair_rollups has one row per bucket with exactly those clicks (each click
// adds to the row of each pair of its known values), so the series reads that row instead of
// every combination of the bucket. Returns the two dimensions, in Dimension order.
std::optional<std::pair<Dimension, Dimension>> TwoKnownFilters(const StatsQuery& q,
                                                               const ComboFilters& f);

// An account-wide breakdown by a pairable dimension, filtered on ONE other pairable dimension
// by a known value, no bot filter: served by account_pair_rollups (TwoKnownFilters). Returns the
// filtered dimension.
std::optional<Dimension> PairBreakdownFilter(const StatsQuery& q, const ComboFilters& f,
                                             Dimension dimension);

// An account-wide report without a destination filter or group_by reads account_combo_rollups
// (the combinations summed over the account's links, destination left out): rows per account
// and hour or day, not per link, so its cost no longer grows with the number of links.
bool UsesAccountCombos(const StatsQuery& q, const ComboFilters& f,
                       std::optional<Dimension> group_by);

}  // namespace ct::sqlite
