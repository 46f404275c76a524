#include "store/goal_postback_row.h"

#include <string>
#include <string_view>

namespace ct {
namespace {

constexpr std::string_view kDisabledByApi = "disabled by the API";

}  // namespace

GoalRow NewGoalRow(const NewGoal& goal, int64_t now_us, int64_t version) {
  GoalRow row;
  row.account_id = goal.account_id;
  row.key = goal.key;
  row.name = goal.name;
  row.default_value_micros = goal.default_value_micros;
  row.currency = goal.currency;
  row.window_seconds = goal.window_seconds;
  row.counting = goal.counting;
  row.attribution = goal.attribution;
  row.piggyback_urls = goal.piggyback_urls;
  row.created_at_us = row.updated_at_us = now_us;
  row.version = version;
  return row;
}

void ApplyGoalUpdate(const GoalUpdate& update, GoalRow* row) {
  if (update.name) row->name = *update.name;
  if (update.default_value_micros) row->default_value_micros = *update.default_value_micros;
  if (update.currency) row->currency = *update.currency;
  if (update.window_seconds) row->window_seconds = *update.window_seconds;
  if (update.counting) row->counting = *update.counting;
  if (update.attribution) row->attribution = *update.attribution;
  if (update.piggyback_urls) row->piggyback_urls = *update.piggyback_urls;
}

PostbackRow NewPostbackRow(const NewPostback& postback, int64_t now_us) {
  PostbackRow row;
  row.account_id = postback.account_id;
  row.name = postback.name;
  row.url_template = postback.url_template;
  row.method = postback.method;
  row.events = postback.events;
  row.goal_ids = postback.goal_ids;
  row.attributed_only = postback.attributed_only;
  row.secret = postback.secret;
  row.created_at_us = row.updated_at_us = now_us;
  return row;
}

void ApplyPostbackUpdate(const PostbackUpdate& update, int64_t now_us, PostbackRow* row) {
  if (update.name) row->name = *update.name;
  if (update.url_template) row->url_template = *update.url_template;
  if (update.method) row->method = *update.method;
  if (update.events) row->events = *update.events;
  if (update.goal_ids) row->goal_ids = *update.goal_ids;
  if (update.attributed_only) row->attributed_only = *update.attributed_only;
  if (update.secret) row->secret = *update.secret;
  if (update.disabled && *update.disabled != row->disabled) {
    row->disabled = *update.disabled;
    row->disabled_at_us = row->disabled ? now_us : 0;
    row->disabled_reason = row->disabled ? std::string(kDisabledByApi) : std::string();
  }
  row->updated_at_us = now_us;
}

}  // namespace ct
