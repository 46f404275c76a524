#include "api/postback_fields.h"

#include <algorithm>

#include "api/request_fields.h"
#include "common/time_format.h"

namespace ct::api {
namespace {

namespace json = boost::json;

Status Bad(std::string msg) { return Status::InvalidArgument(std::move(msg)); }

constexpr std::pair<std::string_view, uint32_t> kEventNames[] = {
    {"conversion", kPostbackOnConversion},
    {"click", kPostbackOnClick},
    {"impression", kPostbackOnImpression},
};

Result<uint32_t> ParseEvents(const json::value& v) {
  if (!v.is_array() || v.get_array().empty()) {
    return Bad("events must be a non-empty array of conversion, click, impression");
  }
  uint32_t bits = 0;
  for (const json::value& e : v.get_array()) {
    uint32_t bit = 0;
    for (const auto& [name, b] : kEventNames) {
      if (e.is_string() && e.get_string() == name) bit = b;
    }
    if (bit == 0) return Bad("events: each entry must be conversion, click or impression");
    if (bits & bit) return Bad("events: an event is listed twice");
    bits |= bit;
  }
  return bits;
}

Result<std::vector<int64_t>> ParseGoalIds(const json::value& v) {
  if (!v.is_array()) return Bad("goal_ids must be an array of goal ids");
  const json::array& a = v.get_array();
  if (a.size() > kMaxPostbackGoals) {
    return Bad("goal_ids has more than " + std::to_string(kMaxPostbackGoals) + " entries");
  }
  std::vector<int64_t> ids;
  for (size_t i = 0; i < a.size(); ++i) {
    auto id = IntField(a[i], "goal_ids[" + std::to_string(i) + "]", 1, INT64_MAX);
    if (!id.ok()) return id.status();
    ids.push_back(*id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace

Result<PostbackInput> ParsePostbackInput(const json::object& body, bool patch,
                                         const postback::SsrfPolicy& policy, TargetCheck* refused) {
  *refused = {};
  auto fail = [&](Status s) -> Result<PostbackInput> {
    refused->status = s;
    return s;
  };
  std::initializer_list<std::string_view> read_only = {
      "id",          "account_id", "secret",    "secret_prefix", "disabled_reason",
      "disabled_at", "created_at", "updated_at"};
  Status names =
      patch ? CheckFieldNames(body,
                              {"name", "url", "method", "events", "goal_ids", "attributed_only",
                               "disabled", "rotate_secret"},
                              read_only)
            : CheckFieldNames(
                  body,
                  {"name", "url", "method", "events", "goal_ids", "attributed_only", "disabled"},
                  {"id", "account_id", "secret", "secret_prefix", "disabled_reason", "disabled_at",
                   "created_at", "updated_at", "rotate_secret"});
  if (!names.ok()) return fail(names);
  PostbackInput in;
  for (const auto& kv : body) {
    const std::string_view k = kv.key();
    const json::value& v = kv.value();
    if (k == "name") {
      auto s = TextField(v, "name", kMaxPostbackNameBytes);
      if (!s.ok()) return fail(s.status());
      in.name = std::move(*s);
    } else if (k == "url") {
      auto s = StringField(v, k);
      if (!s.ok()) return fail(s.status());
      TargetCheck c = CheckTarget(*s, policy, "url");
      if (!c.ok()) {
        *refused = c;
        return c.status;
      }
      in.url = std::move(*s);
    } else if (k == "method") {
      auto s = StringField(v, k);
      if (!s.ok()) return fail(s.status());
      if (*s != "GET" && *s != "POST") return fail(Bad("method must be GET or POST"));
      in.method = std::move(*s);
    } else if (k == "events") {
      auto e = ParseEvents(v);
      if (!e.ok()) return fail(e.status());
      in.events = *e;
    } else if (k == "goal_ids") {
      auto ids = ParseGoalIds(v);
      if (!ids.ok()) return fail(ids.status());
      in.goal_ids = std::move(*ids);
    } else if (k == "attributed_only" || k == "disabled" || k == "rotate_secret") {
      auto b = BoolField(v, k);
      if (!b.ok()) return fail(b.status());
      if (k == "attributed_only")
        in.attributed_only = *b;
      else if (k == "disabled")
        in.disabled = *b;
      else
        in.rotate_secret = *b;
    }
  }
  return in;
}

json::object PostbackToJson(const PostbackRow& p, bool show_secret) {
  json::object o;
  o["id"] = p.id;
  o["name"] = p.name;
  o["url"] = p.url_template;
  o["method"] = p.method;
  json::array events;
  for (const auto& [name, bit] : kEventNames) {
    if (p.events & bit) events.emplace_back(name);
  }
  o["events"] = std::move(events);
  json::array goals;
  for (int64_t g : p.goal_ids) goals.emplace_back(g);
  o["goal_ids"] = std::move(goals);
  o["attributed_only"] = p.attributed_only;
  if (show_secret) o["secret"] = p.secret;
  o["secret_prefix"] = p.secret.substr(0, kSecretPrefixChars);
  o["disabled"] = p.disabled;
  o["disabled_reason"] = p.disabled_reason;
  o["disabled_at"] = p.disabled ? json::value(FormatIso8601(p.disabled_at_us)) : json::value();
  o["created_at"] = FormatIso8601(p.created_at_us);
  o["updated_at"] = FormatIso8601(p.updated_at_us);
  return o;
}

}  // namespace ct::api
