// The goal object of the REST API: reading a create/update body into checked values and writing
// a GoalRow back out (docs/design/conversions.md "Goals").
//
//   name            required on create; 1..128 bytes, no control characters
//   value           default value of a conversion that carries none (api/money.h), "0" default
//   currency        3 upper-case letters, default "USD"
//   window          attribution window in SECONDS (an integer, 60 .. 31536000 = 365 days;
//                   default 2592000 = 30 days). One spelling only, so there is nothing to parse.
//   counting        every | once_per_click | once_per_order (default every)
//   attribution     last_click | first_click (default last_click)
//   piggyback_urls  <= kMaxPiggybackUrls partner pixel URLs (postback macros allowed in path,
//                   query, fragment), each checked as a postback target (api/target_check.h)
// Read-only (400 if sent): id, account_id, key, pixel_url, html_url, created_at, updated_at.
// The key is drawn by the API (RandomBase62) and never changes: it is printed on pages.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/target_check.h"
#include "store/store.h"

namespace ct::api {

inline constexpr size_t kMaxGoalNameBytes = 128;
inline constexpr size_t kMaxPiggybackUrls = 10;
inline constexpr int64_t kMinWindowSeconds = 60;
inline constexpr int64_t kMaxWindowSeconds = 365 * 86400;

struct GoalInput {
  std::optional<std::string> name, currency;
  std::optional<int64_t> default_value_micros, window_seconds;
  std::optional<ConversionCounting> counting;
  std::optional<AttributionModel> attribution;
  std::optional<std::vector<std::string>> piggyback_urls;
};

// A refused body: the check says why (and whether it was the SSRF policy).
Result<GoalInput> ParseGoalInput(const boost::json::object& body,
                                 const postback::SsrfPolicy& policy, TargetCheck* refused);

Result<NewGoal> MakeNewGoal(int64_t account_id, std::string key, GoalInput in);
GoalUpdate MakeGoalUpdate(GoalInput in);

boost::json::object GoalToJson(const GoalRow& g, std::string_view public_url);
std::string_view CountingName(ConversionCounting c);
std::string_view AttributionName(AttributionModel a);

}  // namespace ct::api
