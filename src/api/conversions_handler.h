// /api/v1/conversions:
//   POST  server-to-server conversions (api/conversion_input.h for one item; a batch is
//         {"conversions": [item, ...]}, at most kMaxBatchConversions). Each accepted item is
//         journaled as a kConversion event, exactly like the conversion pixel's, and the answer
//         is 202 {"conversion_id", "status": "accepted"} without waiting on the store: the
//         tracker attributes and counts it later (its status then shows in GET). A batch always
//         answers 202 with one result per item, in order; items with an error are not journaled
//         and the others are, in ONE journal append. With journal.durability strict the answer
//         waits (at most kDurableWait) for the fsync; a journal that cannot keep that promise
//         answers 503, and the client retries (the retry is a new conversion: send order_id to
//         let the goal drop the repeat).
//   GET   the stored conversions, every status, newest first (?from&to&goal_id&link_id&cursor&
//         limit; from/to ISO 8601, default the last 30 days).
// Thread-safe: no state beyond the context.
#pragma once

#include <chrono>

#include "api/api_context.h"
#include "api/auth.h"
#include "edge/api_handler.h"

namespace ct::api {

inline constexpr size_t kMaxBatchConversions = 1000;
inline constexpr auto kDurableWait = std::chrono::seconds(5);

class ConversionsHandler {
 public:
  explicit ConversionsHandler(const ApiContext* ctx) : ctx_(ctx) {}
  ApiResponse Ingest(const Principal& who, const ApiRequest& req);
  ApiResponse List(const Principal& who, const ApiRequest& req);

 private:
  // Appends `framed` (>= 1 record) and, in strict mode, waits for its fsync.
  Status Journal(const std::string& framed);

  const ApiContext* ctx_;
};

}  // namespace ct::api
