#include "store/reconciliation.h"

#include <map>

namespace ct {

std::string_view ReconcileStatusName(ReconcileStatus s) {
  switch (s) {
    case ReconcileStatus::kOk:
      return "ok";
    case ReconcileStatus::kInFlight:
      return "in_flight";
    case ReconcileStatus::kMismatch:
      return "mismatch";
  }
  return "mismatch";
}

ReconcileReport Reconcile(const ReconciliationData& data, int64_t now_us) {
  std::map<std::string, const EdgeTallyState*> edges;
  for (const EdgeTallyState& e : data.edges) edges[e.edge] = &e;
  ReconcileReport report;
  for (const ReconciliationRow& r : data.rows) {
    ReconciledHour h;
    h.row = r;
    h.read = r.committed + r.duplicates + r.dead_lettered;
    auto it = edges.find(r.edge);
    const EdgeTallyState* edge = it == edges.end() ? nullptr : it->second;
    const bool final = edge != nullptr && edge->final;
    const int64_t as_of = edge == nullptr ? 0 : edge->as_of_us;
    const bool closed = final || as_of >= r.hour_us + kMicrosPerHour + kReconcileSettleUs;
    const bool caught_up = final || as_of >= now_us - kReconcileFreshUs;
    const int64_t gap = r.journaled - (r.committed + r.dead_lettered + r.corrupted);

    if (r.answered != r.journaled) h.reasons.push_back({"not_journaled", r.answered - r.journaled});
    if (r.dead_lettered != 0) h.reasons.push_back({"dead_lettered", r.dead_lettered});
    if (r.corrupted != 0) h.reasons.push_back({"journal_corruption", r.corrupted});
    if (closed && gap != 0) h.reasons.push_back({"unaccounted", gap});
    if (!closed) h.in_flight = gap < 0 ? -gap : gap;

    if (!h.reasons.empty()) {
      h.status = ReconcileStatus::kMismatch;
      ++report.mismatch;
    } else if (!closed && (gap != 0 || !caught_up)) {
      h.status = ReconcileStatus::kInFlight;
      ++report.in_flight;
    } else {
      h.status = ReconcileStatus::kOk;
      ++report.ok;
    }
    report.hours.push_back(std::move(h));
  }
  return report;
}

}  // namespace ct
