// Where a page of store.h ListConversions ends, the same on both engines.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "store/store.h"

namespace ct {

// Newest first is descending (time_us, event_id), a total order. A page ends strictly before a
// bound: the cursor, or (to_us, empty id) for the range's end (every 16-byte id sorts after the
// empty one), whichever comes first. to_us 0: no end. The id as its raw bytes.
inline std::pair<int64_t, std::string> ConversionPageBound(
    const ConversionFilter& filter, const std::optional<ConversionCursor>& after) {
  const int64_t to = filter.to_us != 0 ? filter.to_us : std::numeric_limits<int64_t>::max();
  std::pair<int64_t, std::string> bound{to, ""};
  if (after) {
    bound = std::min(
        bound, std::pair<int64_t, std::string>{
                   after->time_us, std::string(after->event_id.begin(), after->event_id.end())});
  }
  return bound;
}

}  // namespace ct
