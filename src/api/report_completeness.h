// How a report says what it may not know yet (README "Honest reports while data is late"):
//   "complete_until": ISO 8601, every event stamped before it is committed (monitor/
//                     completeness.h);
//   "incomplete":     true when the report's range ends after complete_until;
//   "lagging_stage", "lagging_reason": only while the reports lag (the banner's text);
// and each series bucket "complete": false when it ends after complete_until (true otherwise).
// A bucket's end is the next bucket's start, the last one's the report's `to`.
//
// Take the snapshot (ReportCompleteness) BEFORE reading the store, so a bucket marked
// complete holds everything its events could contribute.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <vector>

#include "api/api_context.h"
#include "monitor/completeness.h"

namespace ct::api {

// The context's source; without one (a process with no pipeline), complete up to now.
Completeness ReportCompleteness(const ApiContext& ctx);

// Whether each bucket [starts[i], starts[i+1] or to_us) ends at or before complete_until.
std::vector<bool> CompleteBuckets(const std::vector<int64_t>& starts, int64_t to_us,
                                  int64_t complete_until_us);

// Adds complete_until, incomplete and the lagging fields to a report covering events up to
// `data_end_us` (exclusive).
void AddCompleteness(boost::json::object* body, const Completeness& c, int64_t data_end_us);

}  // namespace ct::api
