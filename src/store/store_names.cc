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

std::string_view RotationModeName(RotationMode mode) {
  switch (mode) {
    case RotationMode::kWeighted:
      return "weighted";
    case RotationMode::kSequential:
      return "sequential";
    case RotationMode::kRandom:
      return "random";
    case RotationMode::kSpillover:
      return "spillover";
  }
  return "weighted";
}

std::optional<RotationMode> ParseRotationMode(std::string_view name) {
  for (RotationMode m : {RotationMode::kWeighted, RotationMode::kSequential, RotationMode::kRandom,
                         RotationMode::kSpillover}) {
    if (RotationModeName(m) == name) return m;
  }
  return std::nullopt;
}

std::string_view UniqueDefinitionName(UniqueDefinition d) {
  switch (d) {
    case UniqueDefinition::kPerVisitorDay:
      return "per_visitor_day";
    case UniqueDefinition::kIp30Min:
      return "ip_30min";
  }
  return "per_visitor_day";
}

std::optional<UniqueDefinition> ParseUniqueDefinition(std::string_view name) {
  for (UniqueDefinition d : {UniqueDefinition::kPerVisitorDay, UniqueDefinition::kIp30Min}) {
    if (UniqueDefinitionName(d) == name) return d;
  }
  return std::nullopt;
}

}  // namespace ct
