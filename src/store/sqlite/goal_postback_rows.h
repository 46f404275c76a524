// The goals and postbacks tables <-> GoalRow / PostbackRow: the column lists every query of
// them selects, the row readers, and the JSON of their list columns (Boost.JSON, as the links'
// options_json). Shared by the CRUD (goals.cc, postbacks.cc), the edge's change feed
// (links.cc) and the commit's per-batch caches (conversions.cc), so a column is read one way.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/sqlite/statement.h"
#include "store/store.h"

namespace ct::sqlite {

// Select exactly these, in this order, for ReadGoalRow / ReadPostbackRow.
#define CT_GOAL_COLUMNS                                                                   \
  "id, account_id, key, name, default_value_micros, currency, window_seconds, counting, " \
  "attribution, piggyback_json, created_at, updated_at, version, deleted_at"
#define CT_POSTBACK_COLUMNS                                                                 \
  "id, account_id, name, url_template, method, events, goal_ids, attributed_only, secret, " \
  "disabled_at, disabled_reason, created_at, updated_at, deleted_at"

// kCorruption when a JSON column holds text these functions did not write.
[[nodiscard]] Result<GoalRow> ReadGoalRow(const Statement& s);
[[nodiscard]] Result<PostbackRow> ReadPostbackRow(const Statement& s);

// goals.piggyback_json: a JSON array of strings.
std::string EncodeStringList(const std::vector<std::string>& list);
[[nodiscard]] Result<std::vector<std::string>> DecodeStringList(std::string_view text);
// postbacks.goal_ids: a JSON array of integers.
std::string EncodeIdList(const std::vector<int64_t>& ids);
[[nodiscard]] Result<std::vector<int64_t>> DecodeIdList(std::string_view text);

}  // namespace ct::sqlite
