#include "store/sqlite/goal_postback_rows.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <system_error>
#include <utility>

namespace ct::sqlite {
namespace {

namespace json = boost::json;

Status Corrupt(std::string_view column, std::string_view text) {
  return Status::Corruption(std::string(column) +
                            " is not what the store writes: " + std::string(text.substr(0, 64)));
}

// Parsed without exceptions (the store's errors are values); an empty column reads as [].
Result<json::array> ParseArray(std::string_view column, std::string_view text) {
  if (text.empty()) return json::array();
  std::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return Corrupt(column, text);
  return std::move(v.get_array());
}

}  // namespace

std::string EncodeStringList(const std::vector<std::string>& list) {
  json::array a;
  for (const std::string& s : list) a.emplace_back(s);
  return json::serialize(a);
}

Result<std::vector<std::string>> DecodeStringList(std::string_view text) {
  Result<json::array> a = ParseArray("piggyback_json", text);
  if (!a.ok()) return a.status();
  std::vector<std::string> out;
  for (const json::value& e : *a) {
    if (!e.is_string()) return Corrupt("piggyback_json", text);
    out.emplace_back(e.get_string());
  }
  return out;
}

std::string EncodeIdList(const std::vector<int64_t>& ids) {
  json::array a;
  for (int64_t id : ids) a.emplace_back(id);
  return json::serialize(a);
}

Result<std::vector<int64_t>> DecodeIdList(std::string_view text) {
  Result<json::array> a = ParseArray("goal_ids", text);
  if (!a.ok()) return a.status();
  std::vector<int64_t> out;
  for (const json::value& e : *a) {
    if (!e.is_int64()) return Corrupt("goal_ids", text);
    out.push_back(e.get_int64());
  }
  return out;
}

Result<GoalRow> ReadGoalRow(const Statement& s) {
  GoalRow row;
  row.id = s.ColumnInt(0);
  row.account_id = s.ColumnInt(1);
  row.key = s.ColumnText(2);
  row.name = s.ColumnText(3);
  row.default_value_micros = s.ColumnInt(4);
  row.currency = s.ColumnText(5);
  row.window_seconds = s.ColumnInt(6);
  row.counting = static_cast<ConversionCounting>(s.ColumnInt(7));
  row.attribution = static_cast<AttributionModel>(s.ColumnInt(8));
  Result<std::vector<std::string>> piggyback = DecodeStringList(s.ColumnText(9));
  if (!piggyback.ok()) return piggyback.status().Annotate("goal " + std::to_string(row.id));
  row.piggyback_urls = std::move(*piggyback);
  row.created_at_us = s.ColumnInt(10);
  row.updated_at_us = s.ColumnInt(11);
  row.version = s.ColumnInt(12);
  row.deleted = !s.ColumnIsNull(13);
  return row;
}

Result<PostbackRow> ReadPostbackRow(const Statement& s) {
  PostbackRow row;
  row.id = s.ColumnInt(0);
  row.account_id = s.ColumnInt(1);
  row.name = s.ColumnText(2);
  row.url_template = s.ColumnText(3);
  row.method = s.ColumnText(4);
  row.events = static_cast<uint32_t>(s.ColumnInt(5));
  Result<std::vector<int64_t>> goal_ids = DecodeIdList(s.ColumnText(6));
  if (!goal_ids.ok()) return goal_ids.status().Annotate("postback " + std::to_string(row.id));
  row.goal_ids = std::move(*goal_ids);
  row.attributed_only = s.ColumnInt(7) != 0;
  row.secret = s.ColumnText(8);
  row.disabled = !s.ColumnIsNull(9);
  row.disabled_at_us = row.disabled ? s.ColumnInt(9) : 0;
  row.disabled_reason = s.ColumnText(10);
  row.created_at_us = s.ColumnInt(11);
  row.updated_at_us = s.ColumnInt(12);
  row.deleted = !s.ColumnIsNull(13);
  return row;
}

}  // namespace ct::sqlite
