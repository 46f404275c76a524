#include "api/conversion_input.h"

#include <algorithm>

#include "api/money.h"
#include "api/request_fields.h"

namespace ct::api {
namespace {

namespace json = boost::json;

Status Bad(std::string msg) { return Status::InvalidArgument(std::move(msg)); }

bool IsBase62(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

// The goal named by `v`, if it is a live goal of the account. Another account's goal is
// reported exactly like a missing one (API1).
Result<GoalRow> FindGoal(const json::value& v, int64_t account_id, const GoalLookup& goals) {
  std::optional<GoalRow> g;
  if (v.is_int64() || v.is_uint64()) {
    auto id = IntField(v, "goal", 1, INT64_MAX);
    if (!id.ok()) return id.status();
    if (goals.by_id) g = goals.by_id(*id);
  } else if (v.is_string()) {
    std::string_view key = v.get_string();
    if (key.size() != kGoalKeyChars || !IsBase62(key)) {
      return Bad("goal must be a goal id (a number) or a goal key (16 letters and digits)");
    }
    if (goals.by_key) g = goals.by_key(key);
  } else {
    return Bad("goal must be a goal id (a number) or a goal key (16 letters and digits)");
  }
  if (!g || g->deleted || g->account_id != account_id) return Status::NotFound("goal not found");
  return *std::move(g);
}

}  // namespace

Status ReadConversion(const json::object& item, int64_t account_id, const GoalLookup& goals,
                      Event* out) {
  CT_RETURN_IF_ERROR(CheckFieldNames(item, {"goal", "click_id", "value", "currency", "order_id"},
                                     {"conversion_id", "account_id", "time", "link_id"}));
  const json::value* goal_v = item.if_contains("goal");
  if (!goal_v || goal_v->is_null()) return Bad("goal is required");
  // Fields first, goal last: a malformed request is a 400 whatever the goal.
  auto present = [&](std::string_view k) -> const json::value* {
    const json::value* v = item.if_contains(k);
    return v && !v->is_null() ? v : nullptr;
  };
  std::string click_ref, currency, order_id;
  std::optional<int64_t> value;
  if (const json::value* v = present("click_id")) {
    auto s = StringField(*v, "click_id");
    if (!s.ok()) return s.status();
    if (!ParseClickId(*s)) {
      return Bad(
          "click_id must be a click id as the {click_id} macro gives it (22 base64url "
          "characters)");
    }
    click_ref = std::move(*s);
  }
  if (const json::value* v = present("value")) {
    auto m = MicrosFromJson(*v, "value");
    if (!m.ok()) return m.status();
    value = *m;
  }
  if (const json::value* v = present("currency")) {
    auto s = StringField(*v, "currency");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(CheckCurrency(*s));
    currency = std::move(*s);
  }
  if (const json::value* v = present("order_id")) {
    auto s = TextField(*v, "order_id", kMaxOrderIdBytes);
    if (!s.ok()) return s.status();
    order_id = std::move(*s);
  }
  auto goal = FindGoal(*goal_v, account_id, goals);
  if (!goal.ok()) return goal.status();
  if (!currency.empty() && currency != goal->currency) {
    return Bad("currency " + currency + " is not the goal's currency (" + goal->currency + ")");
  }

  out->kind = EventKind::kConversion;
  out->account_id = account_id;
  out->link_id = 0;  // the tracker attributes it
  out->goal_id = goal->id;
  out->flags |= kFlagServerToServer;
  if (value) {
    out->value_micros = *value;
    out->flags |= kFlagHasValue;
  }
  out->currency = std::move(currency);
  out->order_id = std::move(order_id);
  out->click_ref = std::move(click_ref);
  return Status::Ok();
}

}  // namespace ct::api
