#include "store/postgres/pg_rows.h"

#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/goal_postback_rows.h"

namespace ct::pg {

Result<GoalRow> ReadGoalRow(const PgResult& r, int i) {
  GoalRow row;
  row.id = r.Int(i, 0);
  row.account_id = r.Int(i, 1);
  row.key = r.Str(i, 2);
  row.name = r.Str(i, 3);
  row.default_value_micros = r.Int(i, 4);
  row.currency = r.Str(i, 5);
  row.window_seconds = r.Int(i, 6);
  row.counting = static_cast<ConversionCounting>(r.Int(i, 7));
  row.attribution = static_cast<AttributionModel>(r.Int(i, 8));
  Result<std::vector<std::string>> piggyback = sqlite::DecodeStringList(r.Text(i, 9));
  if (!piggyback.ok()) return piggyback.status().Annotate("goal " + std::to_string(row.id));
  row.piggyback_urls = std::move(*piggyback);
  row.created_at_us = r.Int(i, 10);
  row.updated_at_us = r.Int(i, 11);
  row.version = r.Int(i, 12);
  row.deleted = !r.IsNull(i, 13);
  return row;
}

Result<PostbackRow> ReadPostbackRow(const PgResult& r, int i) {
  PostbackRow row;
  row.id = r.Int(i, 0);
  row.account_id = r.Int(i, 1);
  row.name = r.Str(i, 2);
  row.url_template = r.Str(i, 3);
  row.method = r.Str(i, 4);
  row.events = static_cast<uint32_t>(r.Int(i, 5));
  Result<std::vector<int64_t>> goal_ids = sqlite::DecodeIdList(r.Text(i, 6));
  if (!goal_ids.ok()) return goal_ids.status().Annotate("postback " + std::to_string(row.id));
  row.goal_ids = std::move(*goal_ids);
  row.attributed_only = r.Bool(i, 7);
  row.secret = r.Str(i, 8);
  row.disabled = !r.IsNull(i, 9);
  row.disabled_at_us = r.Int(i, 9);
  row.disabled_reason = r.Str(i, 10);
  row.created_at_us = r.Int(i, 11);
  row.updated_at_us = r.Int(i, 12);
  return row;
}

}  // namespace ct::pg
