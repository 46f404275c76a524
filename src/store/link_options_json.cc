#include "store/link_options_json.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace ct {
namespace {

namespace json = boost::json;

Status Bad(std::string_view what) { return Status::InvalidArgument(std::string(what)); }

Result<std::string> String(const json::value& v, std::string_view name) {
  if (v.is_null()) return std::string();
  if (!v.is_string()) return Bad(std::string(name) + " must be a string");
  return std::string(v.get_string());
}

Result<std::vector<std::string>> Strings(const json::value& v, std::string_view name) {
  std::vector<std::string> out;
  if (v.is_null()) return out;
  if (!v.is_array()) return Bad(std::string(name) + " must be an array of strings");
  for (const json::value& e : v.get_array()) {
    if (!e.is_string()) return Bad(std::string(name) + " must be an array of strings");
    out.emplace_back(e.get_string());
  }
  return out;
}

Result<int64_t> Int(const json::value& v, std::string_view name) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(v.get_uint64());
  }
  return Bad(std::string(name) + " must be an integer");
}

json::array StringsToJson(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

}  // namespace

json::array RotationToJson(const std::vector<WeightedDestination>& rotation) {
  json::array a;
  for (const auto& d : rotation) {
    json::object o{{"url", d.url}, {"weight", d.weight}};
    if (d.cap != 0) o["cap"] = d.cap;
    a.emplace_back(std::move(o));
  }
  return a;
}

Result<RotationMode> RotationModeFromJson(const json::value& v, std::string_view name) {
  std::optional<RotationMode> mode;
  if (v.is_string()) mode = ParseRotationMode(std::string(v.get_string()));
  if (!mode) {
    return Bad(std::string(name) + " must be one of weighted, sequential, random, spillover");
  }
  return *mode;
}

Result<std::vector<WeightedDestination>> RotationFromJson(const json::value& v,
                                                          std::string_view name) {
  std::vector<WeightedDestination> out;
  if (v.is_null()) return out;
  if (!v.is_array()) return Bad(std::string(name) + " must be an array");
  for (size_t i = 0; i < v.get_array().size(); ++i) {
    const json::value& e = v.get_array()[i];
    const std::string at = std::string(name) + "[" + std::to_string(i) + "]";
    if (!e.is_object()) return Bad(at + " must be an object");
    WeightedDestination d;
    bool have_url = false;
    for (const auto& [key, val] : e.get_object()) {
      if (key == "url") {
        if (!val.is_string()) return Bad(at + ".url must be a string");
        d.url = val.get_string();
        have_url = true;
      } else if (key == "weight") {
        Result<int64_t> w = Int(val, at + ".weight");
        if (!w.ok()) return w.status();
        // Out-of-range weights are kept out of int here; the API refuses them by range.
        if (*w < INT32_MIN || *w > INT32_MAX) return Bad(at + ".weight is out of range");
        d.weight = static_cast<int>(*w);
      } else if (key == "cap") {
        Result<int64_t> c = Int(val, at + ".cap");
        if (!c.ok()) return c.status();
        d.cap = *c;  // the API checks the range
      } else {
        return Bad(at + ": unknown field '" + std::string(key) + "'");
      }
    }
    if (!have_url) return Bad(at + ".url is required");
    out.push_back(std::move(d));
  }
  return out;
}

json::array RulesToJson(const std::vector<TargetingRule>& rules) {
  json::array a;
  for (const auto& r : rules) {
    json::object o;
    if (!r.countries.empty()) o["countries"] = StringsToJson(r.countries);
    if (!r.devices.empty()) o["devices"] = StringsToJson(r.devices);
    if (!r.os.empty()) o["os"] = StringsToJson(r.os);
    if (!r.languages.empty()) o["languages"] = StringsToJson(r.languages);
    if (r.rotation.empty()) {
      o["destination"] = r.destination;
    } else {
      // The nested rotator in place of the destination (which is its first entry).
      o["rotation"] = RotationToJson(r.rotation);
      o["rotation_mode"] = std::string(RotationModeName(r.rotation_mode));
    }
    a.emplace_back(std::move(o));
  }
  return a;
}

Result<std::vector<TargetingRule>> RulesFromJson(const json::value& v) {
  std::vector<TargetingRule> out;
  if (v.is_null()) return out;
  if (!v.is_array()) return Bad("rules must be an array");
  for (size_t i = 0; i < v.get_array().size(); ++i) {
    const json::value& e = v.get_array()[i];
    const std::string at = "rules[" + std::to_string(i) + "]";
    if (!e.is_object()) return Bad(at + " must be an object");
    TargetingRule r;
    for (const auto& [key, val] : e.get_object()) {
      std::vector<std::string>* list = key == "countries"   ? &r.countries
                                       : key == "devices"   ? &r.devices
                                       : key == "os"        ? &r.os
                                       : key == "languages" ? &r.languages
                                                            : nullptr;
      if (list) {
        Result<std::vector<std::string>> s = Strings(val, at + "." + std::string(key));
        if (!s.ok()) return s.status();
        *list = std::move(*s);
      } else if (key == "destination") {
        Result<std::string> s = String(val, at + ".destination");
        if (!s.ok()) return s.status();
        r.destination = std::move(*s);
      } else if (key == "rotation") {
        auto rot = RotationFromJson(val, at + ".rotation");
        if (!rot.ok()) return rot.status();
        r.rotation = std::move(*rot);
      } else if (key == "rotation_mode") {
        auto mode = RotationModeFromJson(val, at + ".rotation_mode");
        if (!mode.ok()) return mode.status();
        r.rotation_mode = *mode;
      } else {
        return Bad(at + ": unknown field '" + std::string(key) + "'");
      }
    }
    // Stored rules keep destination = rotation[0].url (the API sets it); the storage form omits
    // it, so restore it here.
    if (r.destination.empty() && !r.rotation.empty()) r.destination = r.rotation[0].url;
    out.push_back(std::move(r));
  }
  return out;
}

json::object UtmToJson(const Utm& utm) {
  json::object o;
  if (!utm.source.empty()) o["source"] = utm.source;
  if (!utm.medium.empty()) o["medium"] = utm.medium;
  if (!utm.campaign.empty()) o["campaign"] = utm.campaign;
  if (!utm.term.empty()) o["term"] = utm.term;
  if (!utm.content.empty()) o["content"] = utm.content;
  return o;
}

Result<Utm> UtmFromJson(const json::value& v) {
  Utm utm;
  if (v.is_null()) return utm;
  if (!v.is_object()) return Bad("utm must be an object");
  for (const auto& [key, val] : v.get_object()) {
    std::string* field = key == "source"     ? &utm.source
                         : key == "medium"   ? &utm.medium
                         : key == "campaign" ? &utm.campaign
                         : key == "term"     ? &utm.term
                         : key == "content"  ? &utm.content
                                             : nullptr;
    if (!field) return Bad("utm: unknown field '" + std::string(key) + "'");
    Result<std::string> s = String(val, "utm." + std::string(key));
    if (!s.ok()) return s.status();
    *field = std::move(*s);
  }
  return utm;
}

json::object LinkOptionsToJson(const LinkOptions& o) {
  json::object j;
  if (!o.rotation.empty()) j["destinations"] = RotationToJson(o.rotation);
  if (o.rotation_mode != RotationMode::kWeighted) {
    j["rotation_mode"] = std::string(RotationModeName(o.rotation_mode));
  }
  if (!o.rules.empty()) j["rules"] = RulesToJson(o.rules);
  if (o.expires_at_us != 0) j["expires_at_us"] = o.expires_at_us;
  if (o.max_clicks != 0) j["max_clicks"] = o.max_clicks;
  if (!o.fallback_url.empty()) j["fallback_url"] = o.fallback_url;
  if (!o.password_hash.empty()) j["password_hash"] = o.password_hash;
  if (o.forward_query) j["forward_query"] = true;
  if (!o.utm.empty()) j["utm"] = UtmToJson(o.utm);
  return j;
}

Result<LinkOptions> LinkOptionsFromJson(const json::value& v) {
  LinkOptions o;
  if (!v.is_object()) return Bad("link options must be an object");
  for (const auto& [key, val] : v.get_object()) {
    if (key == "destinations") {
      auto r = RotationFromJson(val);
      if (!r.ok()) return r.status();
      o.rotation = std::move(*r);
    } else if (key == "rotation_mode") {
      auto m = RotationModeFromJson(val, "rotation_mode");
      if (!m.ok()) return m.status();
      o.rotation_mode = *m;
    } else if (key == "rules") {
      auto r = RulesFromJson(val);
      if (!r.ok()) return r.status();
      o.rules = std::move(*r);
    } else if (key == "expires_at_us" || key == "max_clicks") {
      auto r = Int(val, key);
      if (!r.ok()) return r.status();
      (key == "max_clicks" ? o.max_clicks : o.expires_at_us) = *r;
    } else if (key == "fallback_url" || key == "password_hash") {
      auto r = String(val, key);
      if (!r.ok()) return r.status();
      (key == "fallback_url" ? o.fallback_url : o.password_hash) = std::move(*r);
    } else if (key == "forward_query") {
      if (!val.is_bool()) return Bad("forward_query must be true or false");
      o.forward_query = val.get_bool();
    } else if (key == "utm") {
      auto r = UtmFromJson(val);
      if (!r.ok()) return r.status();
      o.utm = std::move(*r);
    } else {
      return Bad("unknown link option '" + std::string(key) + "'");
    }
  }
  return o;
}

std::string EncodeLinkOptions(const LinkOptions& options) {
  return json::serialize(LinkOptionsToJson(options));
}

Result<LinkOptions> DecodeLinkOptions(std::string_view text) {
  if (text.empty()) return LinkOptions{};
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return Status::Corruption("link options: " + ec.message());
  Result<LinkOptions> o = LinkOptionsFromJson(v);
  if (!o.ok()) return Status::Corruption("link options: " + o.status().message());
  return o;
}

}  // namespace ct
