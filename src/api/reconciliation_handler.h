// GET /api/v1/reconciliation?from=&to= (operator scope): per edge and UTC hour, what the edge
// answered and journaled and what the tracker committed, and whether they agree
// (store/reconciliation.h; README "Reconciliation"):
//   {"from": ISO, "to": ISO, "summary": {"ok": N, "in_flight": N, "mismatch": N},
//    "hours": [{"edge", "hour": ISO, "answered", "journaled", "read", "committed", "duplicates",
//               "dead_lettered", "corrupted", "in_flight", "status": "ok|in_flight|mismatch",
//               "reasons": [{"reason", "count"}]}],
//    "edges": [{"edge", "tallied_until": ISO, "final": bool}]}
// from/to: ISO 8601, the hours starting in [from, to); from is rounded down to its hour;
// defaults: to = the end of the current hour, from = 48 hours before it; at most 10 000 hours.
//
// Operator scope: the figures are system-wide (every tenant's traffic), so only keys of the
// accounts in api.operator_accounts (default: account 1, the first one created) may read them;
// any other valid key gets 403 forbidden.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/api_context.h"
#include "api/auth.h"
#include "common/status.h"
#include "edge/api_handler.h"

namespace ct::api {

struct ReconciliationRange {
  int64_t from_us = 0;
  int64_t to_us = 0;
};
// The range from the from/to values (ISO 8601, either may be absent: the defaults above);
// kInvalidArgument with the 400's message. Shared with `clicktrail reconcile`.
Result<ReconciliationRange> ReconciliationRangeFrom(std::optional<std::string> from,
                                                    std::optional<std::string> to, int64_t now_us);
// Parses from/to of `target`; any other parameter, or one given twice, is an error.
Result<ReconciliationRange> ParseReconciliationRange(std::string_view target, int64_t now_us);

class ReconciliationHandler {
 public:
  explicit ReconciliationHandler(const ApiContext* ctx) : ctx_(ctx) {}
  ApiResponse Get(const Principal& who, const ApiRequest& req) const;

 private:
  const ApiContext* ctx_;
};

}  // namespace ct::api
