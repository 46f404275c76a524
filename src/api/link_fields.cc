#include "api/link_fields.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "api/destination.h"
#include "api/slug.h"
#include "common/password.h"
#include "common/time_format.h"
#include "store/link_options_json.h"

namespace ct::api {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 7> kDevices = {"desktop", "mobile", "tablet", "tv",
                                                      "console", "bot",    "other"};
constexpr std::array<std::string_view, 7> kOs = {"windows", "macos",    "ios",  "android",
                                                 "linux",   "chromeos", "other"};

Status Bad(std::string msg) { return Status::InvalidArgument(std::move(msg)); }

// Valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF) without C0/C1 controls
// or DEL; the number of code points through `chars`.
bool IsCleanUtf8(std::string_view s, size_t* chars = nullptr) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); ++count) {
    unsigned char c = s[i];
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return false;
      ++i;
      continue;
    }
    int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (len == 0 || c > 0xF4 || i + len > s.size()) return false;
    uint32_t cp = c & (0x7F >> len);
    for (int k = 1; k < len; ++k) {
      unsigned char d = s[i + k];
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp <= 0x9F)) {
      return false;
    }
    i += len;
  }
  if (chars) *chars = count;
  return true;
}

Result<std::string> GetString(const json::value& v, std::string_view name) {
  if (!v.is_string()) return Bad("field '" + std::string(name) + "' must be a string");
  return std::string(v.get_string());
}

Status CheckText(std::string_view v, std::string_view name, size_t max) {
  if (v.size() > max) {
    return Bad(std::string(name) + " is longer than " + std::to_string(max) + " bytes");
  }
  if (!IsCleanUtf8(v)) return Bad(std::string(name) + " must be UTF-8 without control characters");
  return Status::Ok();
}

template <size_t N>
Status CheckTokens(std::vector<std::string>* list, const std::array<std::string_view, N>& allowed,
                   const std::string& at) {
  if (list->size() > kMaxRuleValues) return Bad(at + " has too many entries");
  for (auto& v : *list) {
    std::transform(v.begin(), v.end(), v.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
      std::string list_text;
      for (auto a : allowed) list_text += (list_text.empty() ? "" : ", ") + std::string(a);
      return Bad(at + ": '" + v + "' is not one of " + list_text);
    }
  }
  return Status::Ok();
}

// Letters only, `min`..`max` of them, case-folded by `upper`.
Status CheckCodes(std::vector<std::string>* list, size_t min, size_t max, bool upper,
                  const std::string& at, std::string_view kind) {
  if (list->size() > kMaxRuleValues) return Bad(at + " has too many entries");
  for (auto& v : *list) {
    bool ok = v.size() >= min && v.size() <= max &&
              std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isalpha(c); });
    if (!ok) return Bad(at + ": '" + v + "' is not " + std::string(kind));
    std::transform(v.begin(), v.end(), v.begin(), [upper](unsigned char c) {
      return static_cast<char>(upper ? std::toupper(c) : std::tolower(c));
    });
  }
  return Status::Ok();
}

// Checks a rotation's entries (count, weights, caps' range, URLs); `name` prefixes errors.
Status CheckRotation(std::vector<WeightedDestination>* r, const std::vector<std::string>& blocked,
                     const std::string& name) {
  if (r->size() == 1) return Bad(name + " needs at least 2 entries (or [] for none)");
  if (r->size() > kMaxRotation) {
    return Bad(name + " has more than " + std::to_string(kMaxRotation) + " entries");
  }
  for (size_t i = 0; i < r->size(); ++i) {
    auto& d = (*r)[i];
    const std::string at = name + "[" + std::to_string(i) + "]";
    if (d.weight < 1 || d.weight > kMaxWeight) {
      return Bad(at + ".weight must be 1.." + std::to_string(kMaxWeight));
    }
    if (d.cap < 0 || d.cap > kMaxCap) return Bad(at + ".cap must be 1.." + std::to_string(kMaxCap));
    auto url = ValidateDestination(d.url, blocked, at + ".url");
    if (!url.ok()) return url.status();
    d.url = std::move(*url);
  }
  return Status::Ok();
}

Result<std::vector<WeightedDestination>> ParseRotation(const json::value& v,
                                                       const std::vector<std::string>& blocked) {
  auto r = RotationFromJson(v);
  if (!r.ok()) return r.status();
  CT_RETURN_IF_ERROR(CheckRotation(&*r, blocked, "destinations"));
  return r;
}

// The mode and the caps agree: spillover needs a cap on every entry, the other modes take
// none. A rotation's caps that no longer apply are dropped when `caps_given` is false (a PATCH
// that changed only the mode), refused when the client sent them.
Status CheckModeAndCaps(std::vector<WeightedDestination>* r, RotationMode mode,
                        const std::string& name, const std::string& mode_name, bool caps_given) {
  if (r->empty()) {
    if (mode != RotationMode::kWeighted) return Bad(mode_name + " needs " + name);
    return Status::Ok();
  }
  for (size_t i = 0; i < r->size(); ++i) {
    auto& d = (*r)[i];
    const std::string at = name + "[" + std::to_string(i) + "].cap";
    if (mode == RotationMode::kSpillover && d.cap < 1) {
      return Bad(at + " is required (1.." + std::to_string(kMaxCap) + ") with " + mode_name +
                 " spillover");
    }
    for (size_t k = 0; mode == RotationMode::kSpillover && k < i; ++k) {
      // Spillover counts clicks per URL (the edge seeds its counters from the URL's committed
      // clicks), so one URL cannot hold two caps.
      if ((*r)[k].url == d.url) {
        return Bad(name + "[" + std::to_string(i) + "].url repeats " + name + "[" +
                   std::to_string(k) + "].url; spillover counts clicks per URL");
      }
    }
    if (mode != RotationMode::kSpillover && d.cap != 0) {
      if (caps_given) return Bad(at + " is only for " + mode_name + " spillover");
      d.cap = 0;
    }
  }
  return Status::Ok();
}

Result<std::vector<TargetingRule>> ParseRules(const json::value& v,
                                              const std::vector<std::string>& blocked) {
  auto r = RulesFromJson(v);
  if (!r.ok()) return r.status();
  if (r->size() > kMaxRules) return Bad("rules has more than " + std::to_string(kMaxRules));
  for (size_t i = 0; i < r->size(); ++i) {
    auto& rule = (*r)[i];
    const std::string at = "rules[" + std::to_string(i) + "]";
    CT_RETURN_IF_ERROR(CheckCodes(&rule.countries, 2, 2, true, at + ".countries",
                                  "an ISO 3166-1 alpha-2 country code"));
    CT_RETURN_IF_ERROR(CheckTokens(&rule.devices, kDevices, at + ".devices"));
    CT_RETURN_IF_ERROR(CheckTokens(&rule.os, kOs, at + ".os"));
    CT_RETURN_IF_ERROR(
        CheckCodes(&rule.languages, 2, 3, false, at + ".languages", "a language code"));
    if (rule.countries.empty() && rule.devices.empty() && rule.os.empty() &&
        rule.languages.empty()) {
      return Bad(at + " needs at least one of countries, devices, os, languages");
    }
    const json::object& raw = v.get_array()[i].get_object();  // RulesFromJson checked the shape
    if (raw.contains("destination") && raw.contains("rotation")) {
      return Bad(at + " has both destination and rotation; give one");
    }
    if (raw.contains("rotation_mode") && !raw.contains("rotation")) {
      return Bad(at + ".rotation_mode needs " + at + ".rotation");
    }
    if (raw.contains("rotation")) {
      // A nested rotator: one level (its entries are destinations, never rules).
      if (rule.rotation.empty()) return Bad(at + ".rotation needs at least 2 entries");
      CT_RETURN_IF_ERROR(CheckRotation(&rule.rotation, blocked, at + ".rotation"));
      CT_RETURN_IF_ERROR(CheckModeAndCaps(&rule.rotation, rule.rotation_mode, at + ".rotation",
                                          at + ".rotation_mode", /*caps_given=*/true));
      rule.destination = rule.rotation[0].url;
      continue;
    }
    if (rule.destination.empty()) return Bad(at + ".destination (or .rotation) is required");
    auto url = ValidateDestination(rule.destination, blocked, at + ".destination");
    if (!url.ok()) return url.status();
    rule.destination = std::move(*url);
  }
  return r;
}

Result<Utm> ParseUtm(const json::value& v) {
  auto utm = UtmFromJson(v);
  if (!utm.ok()) return utm.status();
  for (const std::string* s :
       {&utm->source, &utm->medium, &utm->campaign, &utm->term, &utm->content}) {
    CT_RETURN_IF_ERROR(CheckText(*s, "utm value", kMaxUtmBytes));
  }
  return utm;
}

}  // namespace

Status CheckTitle(std::string_view title) { return CheckText(title, "title", kMaxTitleBytes); }
Status CheckGroup(std::string_view group) { return CheckText(group, "group", kMaxGroupBytes); }

Status CheckTags(const std::vector<std::string>& tags) {
  if (tags.size() > kMaxTags) return Bad("at most " + std::to_string(kMaxTags) + " tags");
  for (const auto& t : tags) {
    bool ok = !t.empty() && t.size() <= kMaxTagBytes &&
              std::all_of(t.begin(), t.end(), [](unsigned char c) {
                return std::isalnum(c) || c == ' ' || c == '_' || c == '.' || c == ':' || c == '-';
              });
    if (!ok) {
      return Bad("tag '" + (IsCleanUtf8(t) ? t : std::string("?")) + "' must be 1.." +
                 std::to_string(kMaxTagBytes) + " of A-Z a-z 0-9 space _ . : -");
    }
  }
  return Status::Ok();
}

Result<std::string> NormalizeHost(std::string_view in) {
  std::string h(in);
  std::transform(h.begin(), h.end(), h.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!h.empty() && h.back() == '.') h.pop_back();
  if (h.empty() || h.size() > kMaxHostBytes) return Bad("host must be 1..253 characters");
  size_t label = 0;
  for (size_t i = 0; i <= h.size(); ++i) {
    if (i == h.size() || h[i] == '.') {
      if (label == 0 || label > 63) return Bad("host has an empty or overlong label");
      if (h[i - 1] == '-' || h[i - label] == '-') {
        return Bad("host labels must not start or end with '-'");
      }
      label = 0;
      continue;
    }
    char c = h[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return Bad("host may contain only letters, digits, '-' and '.' (punycode for IDNs)");
    }
    ++label;
  }
  if (h.find('.') == std::string::npos) return Bad("host must be a fully qualified name");
  return h;
}

Result<LinkInput> ParseLinkInput(const json::object& body,
                                 const std::vector<std::string>& blocked) {
  LinkInput in;
  // The password is hashed last: a body with another error costs no PBKDF2 work.
  std::optional<std::string> password;
  bool clear_password = false;
  for (const auto& [k, v] : body) {
    const std::string key(k);
    if (key == "destination") {
      auto s = GetString(v, key);
      if (!s.ok()) return s.status();
      auto url = ValidateDestination(*s, blocked);
      if (!url.ok()) return url.status();
      in.destination = std::move(*url);
    } else if (key == "slug") {
      auto s = GetString(v, key);
      if (!s.ok()) return s.status();
      CT_RETURN_IF_ERROR(ValidateSlug(*s));
      in.slug = std::move(*s);
    } else if (key == "domain") {
      if (v.is_null() || (v.is_string() && v.get_string().empty())) {
        in.domain = "";
        continue;
      }
      auto s = GetString(v, key);
      if (!s.ok()) return s.status();
      auto host = NormalizeHost(*s);
      if (!host.ok()) return Bad("domain: " + host.status().message());
      in.domain = std::move(*host);
    } else if (key == "title" || key == "group") {
      std::string s;
      if (!v.is_null()) {
        auto r = GetString(v, key);
        if (!r.ok()) return r.status();
        s = std::move(*r);
      }
      CT_RETURN_IF_ERROR(key == "title" ? CheckTitle(s) : CheckGroup(s));
      (key == "title" ? in.title : in.group) = std::move(s);
    } else if (key == "tags") {
      std::vector<std::string> tags;
      if (!v.is_null()) {
        if (!v.is_array()) return Bad("tags must be an array of strings");
        for (const auto& t : v.get_array()) {
          if (!t.is_string()) return Bad("tags must be an array of strings");
          tags.emplace_back(t.get_string());
        }
      }
      CT_RETURN_IF_ERROR(CheckTags(tags));
      in.tags = std::move(tags);
    } else if (key == "destinations") {
      auto r = ParseRotation(v, blocked);
      if (!r.ok()) return r.status();
      in.destinations = std::move(*r);
    } else if (key == "rotation_mode") {
      auto mode = RotationModeFromJson(v, "rotation_mode");
      if (!mode.ok()) return mode.status();
      in.rotation_mode = *mode;
    } else if (key == "rules") {
      auto r = ParseRules(v, blocked);
      if (!r.ok()) return r.status();
      in.rules = std::move(*r);
    } else if (key == "expires_at") {
      if (v.is_null()) {
        in.expires_at_us.emplace();  // null: clear
        continue;
      }
      auto s = GetString(v, key);
      if (!s.ok()) return s.status();
      auto t = ParseIso8601(*s);
      if (!t.ok()) return Bad("expires_at: " + t.status().message());
      if (*t <= 0) return Bad("expires_at must be after 1970");
      in.expires_at_us = std::optional<int64_t>(*t);
    } else if (key == "max_clicks") {
      if (v.is_null()) {
        in.max_clicks.emplace();  // null: clear
        continue;
      }
      if (!v.is_int64() || v.get_int64() < 1) return Bad("max_clicks must be an integer >= 1");
      in.max_clicks = std::optional<int64_t>(v.get_int64());
    } else if (key == "fallback_url") {
      if (v.is_null()) {
        in.fallback_url.emplace();  // null: clear
        continue;
      }
      auto s = GetString(v, key);
      if (!s.ok()) return s.status();
      auto url = ValidateDestination(*s, blocked, "fallback_url");
      if (!url.ok()) return url.status();
      in.fallback_url = std::optional<std::string>(std::move(*url));
    } else if (key == "password") {
      if (v.is_null()) {
        clear_password = true;
        continue;
      }
      auto s = GetString(v, key);
      if (!s.ok()) return s.status();
      size_t chars = 0;
      if (!IsCleanUtf8(*s, &chars) || chars < kMinPasswordChars || chars > kMaxPasswordChars) {
        return Bad("password must be " + std::to_string(kMinPasswordChars) + ".." +
                   std::to_string(kMaxPasswordChars) + " characters without control characters");
      }
      password = std::move(*s);
    } else if (key == "forward_query") {
      if (!v.is_bool()) return Bad("forward_query must be true or false");
      in.forward_query = v.get_bool();
    } else if (key == "utm") {
      auto r = ParseUtm(v);
      if (!r.ok()) return r.status();
      in.utm = std::move(*r);
    } else {
      return Bad("field '" + key + "' cannot be set");
    }
  }
  if (clear_password) in.password_hash.emplace();
  if (password) in.password_hash = std::optional<std::string>(HashPassword(*password));
  return in;
}

namespace {

// Applies the rotation and its mode, then checks that they agree.
Status ApplyRotation(LinkInput& in, LinkOptions* o) {
  const bool caps_given = in.destinations.has_value();
  if (in.destinations) o->rotation = std::move(*in.destinations);
  if (in.rotation_mode) {
    o->rotation_mode = *in.rotation_mode;
  } else if (o->rotation.empty()) {
    o->rotation_mode = RotationMode::kWeighted;  // "destinations": [] stops rotating, any mode
  }
  return CheckModeAndCaps(&o->rotation, o->rotation_mode, "destinations", "rotation_mode",
                          caps_given);
}

void ApplyOptions(LinkInput& in, LinkOptions* o) {
  if (in.rules) o->rules = std::move(*in.rules);
  if (in.expires_at_us) o->expires_at_us = in.expires_at_us->value_or(0);
  if (in.max_clicks) o->max_clicks = in.max_clicks->value_or(0);
  if (in.fallback_url) o->fallback_url = in.fallback_url->value_or("");
  if (in.password_hash) o->password_hash = in.password_hash->value_or("");
  if (in.forward_query) o->forward_query = *in.forward_query;
  if (in.utm) o->utm = std::move(*in.utm);
}

}  // namespace

Result<NewLink> MakeNewLink(int64_t account_id, LinkInput in) {
  NewLink nl;
  nl.account_id = account_id;
  const bool rotation = in.destinations && !in.destinations->empty();
  if (!in.destination && !rotation) {
    return Bad("destination is required (or destinations with at least 2 entries)");
  }
  nl.slug = in.slug.value_or("");
  nl.domain = in.domain.value_or("");
  nl.title = in.title.value_or("");
  nl.group = in.group.value_or("");
  nl.tags = in.tags.value_or(std::vector<std::string>{});
  // With a rotation the link's destination is its first entry (for listings and exports).
  nl.destination = rotation ? (*in.destinations)[0].url : *in.destination;
  CT_RETURN_IF_ERROR(ApplyRotation(in, &nl.options));
  ApplyOptions(in, &nl.options);
  return nl;
}

Result<LinkUpdate> MakeLinkUpdate(const LinkRow& current, LinkInput in) {
  if (in.domain && *in.domain != current.domain) {
    return Bad("domain cannot be changed; create a new link on the other domain");
  }
  LinkUpdate up;
  up.slug = std::move(in.slug);
  up.title = std::move(in.title);
  up.group = std::move(in.group);
  up.tags = std::move(in.tags);
  LinkOptions options = current.options;
  const bool had_rotation = !options.rotation.empty();
  const bool destinations_given = in.destinations.has_value();
  CT_RETURN_IF_ERROR(ApplyRotation(in, &options));
  ApplyOptions(in, &options);
  if (!options.rotation.empty()) {
    if (in.destination && !destinations_given) {
      return Bad(
          "destination follows destinations[0] while the link rotates; change "
          "destinations, or set \"destinations\": [] to stop rotating");
    }
    up.destination = options.rotation[0].url;
  } else if (in.destination) {
    up.destination = std::move(in.destination);
  } else if (had_rotation) {
    up.destination = current.destination;  // rotation removed: keep its first entry
  }
  up.options = std::move(options);
  return up;
}

std::string ShortUrl(const LinkRow& link, std::string_view public_url) {
  if (link.domain.empty()) return std::string(public_url) + "/" + link.slug;
  size_t colon = public_url.find("://");
  std::string scheme(colon == std::string_view::npos ? "https" : public_url.substr(0, colon));
  return scheme + "://" + link.domain + "/" + link.slug;
}

json::object LinkToJson(const LinkRow& l, std::string_view public_url) {
  const LinkOptions& o = l.options;
  json::object j;
  j["id"] = l.id;
  j["slug"] = l.slug;
  j["domain"] = l.domain;
  j["short_url"] = ShortUrl(l, public_url);
  j["destination"] = l.destination;
  j["title"] = l.title;
  json::array tags;
  for (const auto& t : l.tags) tags.emplace_back(t);
  j["tags"] = std::move(tags);
  j["group"] = l.group;
  if (!o.rotation.empty()) {
    j["destinations"] = RotationToJson(o.rotation);
    j["rotation_mode"] = std::string(RotationModeName(o.rotation_mode));
  }
  j["rules"] = RulesToJson(o.rules);
  if (o.expires_at_us != 0) {
    j["expires_at"] = FormatIso8601(o.expires_at_us);
  } else {
    j["expires_at"] = nullptr;
  }
  if (o.max_clicks != 0) {
    j["max_clicks"] = o.max_clicks;
  } else {
    j["max_clicks"] = nullptr;
  }
  if (!o.fallback_url.empty()) {
    j["fallback_url"] = o.fallback_url;
  } else {
    j["fallback_url"] = nullptr;
  }
  j["password_protected"] = !o.password_hash.empty();
  j["forward_query"] = o.forward_query;
  j["utm"] = UtmToJson(o.utm);
  j["created_at"] = FormatIso8601(l.created_at_us);
  j["updated_at"] = FormatIso8601(l.updated_at_us);
  // Links brought in by `clicktrail import`: the tool and the click total of its export.
  if (!l.imported_from.empty()) {
    j["imported_from"] = l.imported_from;
  } else {
    j["imported_from"] = nullptr;
  }
  if (l.imported_clicks) {
    j["imported_clicks"] = *l.imported_clicks;
  } else {
    j["imported_clicks"] = nullptr;
  }
  return j;
}

}  // namespace ct::api
