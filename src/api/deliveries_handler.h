// /api/v1/deliveries: the account's postback outbox (docs/design/conversions.md "Outbox").
//   GET  /deliveries?postback_id&state&from&to&cursor&limit   newest first; state is pending |
//        delivered | dead; from/to bound created_at (ISO 8601)
//   GET  /deliveries/{id}                  one delivery with its attempts, oldest first
//   POST /deliveries/{id}/replay           makes it pending again, due now -> {"replayed": 1}
//   POST /deliveries/replay                {"ids": [...]} or a filter {postback_id?, state?,
//        from?, to?} (at least one field: replaying everything is never implied)
//        -> {"replayed": N}; at most 10 000 per call (the store's cap)
// A replay keeps the delivery id, which is the receiver's idempotency key (webhook-id), so a
// receiver that already processed it can drop the repeat.
#pragma once

#include "api/api_context.h"
#include "api/auth.h"
#include "edge/api_handler.h"

namespace ct::api {

inline constexpr size_t kMaxDeliveryIdBytes = 96;
inline constexpr size_t kMaxReplayIds = 1000;

class DeliveriesHandler {
 public:
  explicit DeliveriesHandler(const ApiContext* ctx) : ctx_(ctx) {}
  ApiResponse List(const Principal& who, const ApiRequest& req);
  ApiResponse Get(const Principal& who, std::string_view id);
  ApiResponse ReplayOne(const Principal& who, std::string_view id);
  ApiResponse Replay(const Principal& who, const ApiRequest& req);

 private:
  const ApiContext* ctx_;
};

// "msg_" followed by [A-Za-z0-9_-], at most kMaxDeliveryIdBytes: the shape of every delivery
// id (store.h DeliveryRow::id). Anything else cannot name a delivery (a 404).
bool LooksLikeDeliveryId(std::string_view id);

}  // namespace ct::api
