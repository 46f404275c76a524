// What both engines' delivery-log queries (store.h ListDeliveries, ReplayDeliveries) take from a
// DeliveryFilter, so the two read the filter the same way.
#pragma once

#include <cstdint>
#include <limits>

#include "store/store.h"

namespace ct {

// store.h ReplayDeliveries: one call's bound, so a replay of "every dead delivery" is a short
// write transaction (SQLite: the tracker's commits wait behind it; PostgreSQL: its row locks are
// held briefly); the caller repeats for more.
inline constexpr int64_t kMaxReplay = 10'000;

// DeliveryFilter.state as a bound parameter: -1 = any.
inline int64_t DeliveryStateParam(const DeliveryFilter& f) {
  return f.state ? static_cast<int64_t>(*f.state) : -1;
}

// DeliveryFilter.to_us as an exclusive bound: 0 = none.
inline int64_t DeliveryToParam(const DeliveryFilter& f) {
  return f.to_us != 0 ? f.to_us : std::numeric_limits<int64_t>::max();
}

}  // namespace ct
