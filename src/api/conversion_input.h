// One server-to-server conversion of POST /api/v1/conversions, read from its JSON object into
// the Event the edge would have journaled for the conversion pixel (docs/design/conversions.md
// "Goals and the conversion pixel"). Pure: the goal comes from a lookup function (the edge's
// in-memory goal table), never from the store.
//
//   {"goal": <id number> | "<16-char key>",   required
//    "click_id": "<22 base64url chars>",       optional: the click to attribute to
//    "value": 12.5 | "12.5",                   optional: >= 0, <= 1e12, at most 6 fraction digits
//    "currency": "EUR",                        optional: must be the goal's currency
//    "order_id": "A-1001"}                     optional: 1..128 bytes, no control characters
// null stands for an absent optional field.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string_view>

#include "common/event.h"
#include "common/status.h"
#include "store/store.h"

namespace ct::api {

inline constexpr size_t kGoalKeyChars = 16;  // base62

struct GoalLookup {
  std::function<std::optional<GoalRow>(int64_t)> by_id;
  std::function<std::optional<GoalRow>(std::string_view)> by_key;
};

// Fills the conversion fields of `out` (kind, account_id, goal_id, value_micros, currency,
// order_id, click_ref, flags kFlagHasValue/kFlagServerToServer). kInvalidArgument for a bad
// field; kNotFound ("goal not found") for a goal that is not a live goal of `account_id`.
Status ReadConversion(const boost::json::object& item, int64_t account_id, const GoalLookup& goals,
                      Event* out);

}  // namespace ct::api
