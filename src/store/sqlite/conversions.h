// ApplyConversion: one conversion event inside the tracker's commit, per
// docs/design/conversions.md "Attribution and counting": status checks, attribution to a click
// (last or first click, within the goal's window), value, dedup by order id / click, the
// conversions row (every status), and for counted ones the rollups, conversion keys, outbox
// rows for the postbacks it fires and the goal's server-side piggyback pixels.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "store/sqlite/batch_lookups.h"
#include "store/sqlite/db.h"
#include "store/sqlite/outbox_writer.h"
#include "store/sqlite/rollup_deltas.h"
#include "store/store.h"

namespace ct::sqlite {

// What the commit lends each conversion: its connection (inside the transaction) and the
// batch's caches, sums and outbox.
struct ConversionContext {
  Db* db;
  BatchLookups* lookups;
  BatchDeltas* deltas;
  OutboxWriter* outbox;
};

// How far a click may follow the conversion it is credited with: the edges' clocks differ.
inline constexpr int64_t kClickClockSlackUs = 5 * 60 * 1'000'000LL;

// Applies `hit` (kind kConversion). A conversion whose event id was committed before changes
// nothing (++duplicates); else ++applied, and ++conversions when counted.
[[nodiscard]] Status ApplyConversion(const ConversionContext& ctx, const HitRecord& hit,
                                     CommitResult* result);

}  // namespace ct::sqlite
