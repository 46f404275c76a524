// What the reconciliation rows mean together (README "Reconciliation"): for each (edge, hour),
// whether answered = journaled = committed, is still in flight, or is a mismatch, and why.
// Shared by GET /api/v1/reconciliation (and so the status page) and `clicktrail reconcile`.
//
// The journal order makes the arithmetic simple: an edge's tally follows the events it counts,
// and the tracker commits in journal order, so once a tally is committed every event it counted
// has been committed (C), dead-lettered (DL) or lost to corruption (X). Hence for an hour:
//   gap = journaled - (committed + dead_lettered + corrupted)
// is 0 once the hour is closed; before that it is negative by the events the tracker has
// committed whose tally is still to come.
//
// An hour is CLOSED for an edge when the tracker has committed a tally the edge wrote at least
// kSettle after the hour ended (events are stamped, then appended within microseconds; the
// settle time covers a stalled thread), or the edge's newest tally is its clean-stop (final)
// one. An edge is CAUGHT UP when its newest committed tally is final or at most kFresh old (it
// tallies every second while busy and every 5 s while idle; an older one means the tracker is
// behind, or the edge is down).
//
// Status: "mismatch" as soon as a loss is known (not journaled, dead-lettered, journal
// corruption), or when a closed hour has a gap ("unaccounted"); else "in_flight" when the hour
// is open and has a gap or its edge is not caught up; else "ok".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace ct {

inline constexpr int64_t kReconcileSettleUs = 10'000'000;
inline constexpr int64_t kReconcileFreshUs = 15'000'000;

enum class ReconcileStatus { kOk, kInFlight, kMismatch };
std::string_view ReconcileStatusName(ReconcileStatus s);  // "ok", "in_flight", "mismatch"

struct ReconcileReason {
  // "not_journaled" (answered, the journal refused: failure or disk full), "dead_lettered",
  // "journal_corruption" (records the journal reader lost), "unaccounted" (the rest of a closed
  // hour's gap; negative: committed more than the edge's tallies say it journaled).
  std::string reason;
  int64_t count = 0;
};

struct ReconciledHour {
  ReconciliationRow row;
  int64_t read = 0;       // records the tracker read: committed + duplicates + dead_lettered
  int64_t in_flight = 0;  // open hours: |gap|
  ReconcileStatus status = ReconcileStatus::kOk;
  std::vector<ReconcileReason> reasons;  // mismatch only
};

struct ReconcileReport {
  std::vector<ReconciledHour> hours;  // by hour, then edge
  int ok = 0, in_flight = 0, mismatch = 0;
};

ReconcileReport Reconcile(const ReconciliationData& data, int64_t now_us);

}  // namespace ct
