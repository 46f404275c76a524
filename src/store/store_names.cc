// The names of store enums as the API and reports spell them.
#include "store/store.h"

namespace ct {

std::string_view DeliveryStateName(DeliveryState s) {
  switch (s) {
    case DeliveryState::kPending:
      return "pending";
    case DeliveryState::kDelivered:
      return "delivered";
    case DeliveryState::kDead:
      return "dead";
  }
  return "unknown";
}

std::string_view ConversionStatusName(ConversionStatus s) {
  switch (s) {
    case ConversionStatus::kCounted:
      return "counted";
    case ConversionStatus::kDuplicateOrder:
      return "duplicate_order";
    case ConversionStatus::kDuplicateClick:
      return "duplicate_click";
    case ConversionStatus::kMissingOrderId:
      return "missing_order_id";
    case ConversionStatus::kBot:
      return "bot";
    case ConversionStatus::kUnknownGoal:
      return "unknown_goal";
    case ConversionStatus::kCurrencyMismatch:
      return "currency_mismatch";
  }
  return "unknown";
}

}  // namespace ct
