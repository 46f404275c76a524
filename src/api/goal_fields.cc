#include "api/goal_fields.h"

#include "api/money.h"
#include "api/request_fields.h"
#include "common/time_format.h"

namespace ct::api {
namespace {

namespace json = boost::json;

Status Bad(std::string msg) { return Status::InvalidArgument(std::move(msg)); }

}  // namespace

std::string_view CountingName(ConversionCounting c) {
  switch (c) {
    case ConversionCounting::kEvery:
      return "every";
    case ConversionCounting::kOncePerClick:
      return "once_per_click";
    case ConversionCounting::kOncePerOrder:
      return "once_per_order";
  }
  return "every";
}

std::string_view AttributionName(AttributionModel a) {
  return a == AttributionModel::kFirstClick ? "first_click" : "last_click";
}

Result<GoalInput> ParseGoalInput(const json::object& body, const postback::SsrfPolicy& policy,
                                 TargetCheck* refused) {
  *refused = {};
  auto fail = [&](Status s) -> Result<GoalInput> {
    refused->status = s;
    return s;
  };
  Status names = CheckFieldNames(
      body, {"name", "value", "currency", "window", "counting", "attribution", "piggyback_urls"},
      {"id", "account_id", "key", "pixel_url", "html_url", "created_at", "updated_at"});
  if (!names.ok()) return fail(names);
  GoalInput in;
  for (const auto& kv : body) {
    const std::string_view k = kv.key();
    const json::value& v = kv.value();
    if (k == "name") {
      auto s = TextField(v, "name", kMaxGoalNameBytes);
      if (!s.ok()) return fail(s.status());
      in.name = std::move(*s);
    } else if (k == "value") {
      auto m = MicrosFromJson(v, "value");
      if (!m.ok()) return fail(m.status());
      in.default_value_micros = *m;
    } else if (k == "currency") {
      auto s = StringField(v, k);
      if (!s.ok()) return fail(s.status());
      if (Status c = CheckCurrency(*s); !c.ok()) return fail(c);
      in.currency = std::move(*s);
    } else if (k == "window") {
      auto n = IntField(v, "window (seconds)", kMinWindowSeconds, kMaxWindowSeconds);
      if (!n.ok()) return fail(n.status());
      in.window_seconds = *n;
    } else if (k == "counting") {
      auto s = StringField(v, k);
      if (!s.ok()) return fail(s.status());
      if (*s == "every")
        in.counting = ConversionCounting::kEvery;
      else if (*s == "once_per_click")
        in.counting = ConversionCounting::kOncePerClick;
      else if (*s == "once_per_order")
        in.counting = ConversionCounting::kOncePerOrder;
      else
        return fail(Bad("counting must be every, once_per_click or once_per_order"));
    } else if (k == "attribution") {
      auto s = StringField(v, k);
      if (!s.ok()) return fail(s.status());
      if (*s == "last_click")
        in.attribution = AttributionModel::kLastClick;
      else if (*s == "first_click")
        in.attribution = AttributionModel::kFirstClick;
      else
        return fail(Bad("attribution must be last_click or first_click"));
    } else if (k == "piggyback_urls") {
      if (!v.is_array()) return fail(Bad("piggyback_urls must be an array of URLs"));
      const json::array& a = v.get_array();
      if (a.size() > kMaxPiggybackUrls) {
        return fail(
            Bad("piggyback_urls has more than " + std::to_string(kMaxPiggybackUrls) + " entries"));
      }
      std::vector<std::string> urls;
      for (size_t i = 0; i < a.size(); ++i) {
        const std::string at = "piggyback_urls[" + std::to_string(i) + "]";
        auto s = StringField(a[i], at);
        if (!s.ok()) return fail(s.status());
        TargetCheck c = CheckTarget(*s, policy, at);
        if (!c.ok()) {
          *refused = c;
          return c.status;
        }
        urls.push_back(std::move(*s));
      }
      in.piggyback_urls = std::move(urls);
    }
  }
  return in;
}

Result<NewGoal> MakeNewGoal(int64_t account_id, std::string key, GoalInput in) {
  if (!in.name) return Bad("name is required");
  NewGoal g;
  g.account_id = account_id;
  g.key = std::move(key);
  g.name = std::move(*in.name);
  if (in.default_value_micros) g.default_value_micros = *in.default_value_micros;
  if (in.currency) g.currency = std::move(*in.currency);
  if (in.window_seconds) g.window_seconds = *in.window_seconds;
  if (in.counting) g.counting = *in.counting;
  if (in.attribution) g.attribution = *in.attribution;
  if (in.piggyback_urls) g.piggyback_urls = std::move(*in.piggyback_urls);
  return g;
}

GoalUpdate MakeGoalUpdate(GoalInput in) {
  GoalUpdate u;
  u.name = std::move(in.name);
  u.default_value_micros = in.default_value_micros;
  u.currency = std::move(in.currency);
  u.window_seconds = in.window_seconds;
  u.counting = in.counting;
  u.attribution = in.attribution;
  u.piggyback_urls = std::move(in.piggyback_urls);
  return u;
}

json::object GoalToJson(const GoalRow& g, std::string_view public_url) {
  json::object o;
  o["id"] = g.id;
  o["key"] = g.key;
  o["name"] = g.name;
  o["value"] = FormatMicros(g.default_value_micros);
  o["currency"] = g.currency;
  o["window"] = g.window_seconds;
  o["counting"] = CountingName(g.counting);
  o["attribution"] = AttributionName(g.attribution);
  json::array urls;
  for (const auto& u : g.piggyback_urls) urls.emplace_back(u);
  o["piggyback_urls"] = std::move(urls);
  const std::string base = std::string(public_url) + "/c/" + g.key;
  o["pixel_url"] = base + ".gif";
  o["html_url"] = base + "?format=html";
  o["created_at"] = FormatIso8601(g.created_at_us);
  o["updated_at"] = FormatIso8601(g.updated_at_us);
  return o;
}

}  // namespace ct::api
