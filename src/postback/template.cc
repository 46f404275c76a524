#include "postback/template.h"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url.hpp>
#include <optional>
#include <vector>

namespace ct::postback {
namespace {

// Sorted; the meaning of each is in template.h.
constexpr std::string_view kMacroNames[] = {
    "account_id",      "attributed", "browser",         "click_id", "conversion_id", "country",
    "currency",        "device",     "domain",          "event",    "event_id",      "event_time",
    "event_time_unix", "goal",       "goal_id",         "language", "link",          "link_id",
    "order_id",        "os",         "referrer_domain", "status",   "value"};

// One piece of a template: literal text, or a macro (name without the braces).
struct Piece {
  bool macro = false;
  std::string_view text;
  size_t offset = 0;  // where it starts in the template
};

// Splits `tmpl` into literal and macro pieces; an error for unbalanced braces or a bad name.
Result<std::vector<Piece>> Split(std::string_view tmpl) {
  std::vector<Piece> pieces;
  size_t i = 0;
  while (i < tmpl.size()) {
    size_t open = tmpl.find_first_of("{}", i);
    if (open == std::string_view::npos) {
      pieces.push_back({false, tmpl.substr(i), i});
      break;
    }
    if (tmpl[open] == '}') return Status::InvalidArgument("unbalanced '}' in the template");
    if (open > i) pieces.push_back({false, tmpl.substr(i, open - i), i});
    size_t close = tmpl.find_first_of("{}", open + 1);
    if (close == std::string_view::npos || tmpl[close] == '{') {
      return Status::InvalidArgument("unbalanced '{' in the template");
    }
    std::string_view name = tmpl.substr(open + 1, close - open - 1);
    if (!IsKnownMacro(name)) {
      // The name is echoed to the API caller: keep it printable and short.
      bool printable = name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
                         return c > 0x20 && c < 0x7f;
                       });
      return Status::InvalidArgument(printable ? "unknown macro {" + std::string(name) + "}"
                                               : std::string("unknown macro"));
    }
    pieces.push_back({true, name, open});
    i = close + 1;
  }
  return pieces;
}

// The end of the authority (the first '/', '?' or '#' after "scheme://"), or npos when the
// template has no "://" at all.
size_t AuthorityEnd(std::string_view tmpl) {
  size_t sep = tmpl.find("://");
  if (sep == std::string_view::npos) return std::string_view::npos;
  size_t end = tmpl.find_first_of("/?#", sep + 3);
  return end == std::string_view::npos ? tmpl.size() : end;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Caps a value at kMaxMacroValueBytes without cutting a UTF-8 sequence in two (a receiver that
// decodes the value should not see a broken last character just because of our cap).
std::string_view Cap(std::string_view v) {
  if (v.size() <= kMaxMacroValueBytes) return v;
  size_t n = kMaxMacroValueBytes;
  for (size_t back = 0; back < 3 && n > 0 && (static_cast<unsigned char>(v[n]) & 0xC0) == 0x80;
       ++back) {
    --n;
  }
  return v.substr(0, n);
}

// Valid UTF-8 is kept; every invalid byte becomes U+FFFD, so the JSON body is valid JSON.
std::string ToValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    bool ok = len > 0 && i + len <= s.size();
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; ok && k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid too.
    if (ok && ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
               (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))) {
      ok = false;
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

}  // namespace

std::span<const std::string_view> MacroNames() { return kMacroNames; }

bool IsKnownMacro(std::string_view name) {
  auto names = MacroNames();
  return std::find(names.begin(), names.end(), name) != names.end();
}

Status ValidateTemplate(std::string_view tmpl) {
  if (tmpl.empty()) return Status::InvalidArgument("the URL is empty");
  if (tmpl.size() > kMaxTemplateBytes) {
    return Status::InvalidArgument("the URL is longer than " + std::to_string(kMaxTemplateBytes) +
                                   " bytes");
  }
  for (unsigned char c : tmpl) {
    if (c <= 0x20 || c >= 0x7f) {
      return Status::InvalidArgument(
          "the URL may not hold spaces, control characters or raw non-ASCII bytes "
          "(percent-encode them)");
    }
  }
  auto pieces = Split(tmpl);
  if (!pieces.ok()) return pieces.status();

  // A macro in the scheme, userinfo, host or port could point the request anywhere: the value
  // comes from a click, i.e. from anyone on the internet.
  size_t authority_end = AuthorityEnd(tmpl);
  if (authority_end == std::string_view::npos) {
    return Status::InvalidArgument("must be an absolute http(s) URL");
  }
  for (const Piece& p : *pieces) {
    if (p.macro && p.offset < authority_end) {
      return Status::InvalidArgument("a macro may not be in the scheme, userinfo, host or port");
    }
  }

  // Parse the structure with each macro replaced by a harmless placeholder ("x" is valid in a
  // path segment, a query and a fragment), so Boost.URL judges exactly what will be sent.
  std::string probe;
  probe.reserve(tmpl.size());
  for (const Piece& p : *pieces) probe.append(p.macro ? std::string_view("x") : p.text);
  auto parsed = boost::urls::parse_uri(probe);
  if (!parsed) return Status::InvalidArgument("must be an absolute http(s) URL");
  boost::urls::url_view u = *parsed;
  if (u.scheme_id() != boost::urls::scheme::http && u.scheme_id() != boost::urls::scheme::https) {
    return Status::InvalidArgument("must be an absolute http(s) URL");
  }
  if (!u.has_authority() || u.encoded_host().empty()) {
    return Status::InvalidArgument("must be an absolute http(s) URL with a host");
  }
  if (u.has_userinfo()) return Status::InvalidArgument("the URL may not carry a user or password");
  return Status::Ok();
}

std::string ExpandTemplate(std::string_view tmpl, const MacroValues& values) {
  auto pieces = Split(tmpl);
  if (!pieces.ok()) return std::string(tmpl);  // not a validated template: sent as saved
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(tmpl.size() + 64);
  // Every component (path segment, query, fragment) gets the same strict escaping: only the
  // unreserved set stays literal, so a value can never add a '/', '?', '&', '=' or '#'. The
  // structure is the template's alone.
  for (const Piece& p : *pieces) {
    if (!p.macro) {
      out.append(p.text);
      continue;
    }
    auto it = values.find(p.text);
    if (it == values.end()) continue;
    for (unsigned char c : Cap(it->second)) {
      if (IsUnreserved(c)) {
        out.push_back(static_cast<char>(c));
      } else {
        out.push_back('%');
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
      }
    }
  }
  return out;
}

std::string JsonBody(const MacroValues& values) {
  // The map is sorted by name and boost::json::object keeps insertion order: sorted output.
  boost::json::object obj;
  obj.reserve(values.size());
  for (const auto& [name, value] : values) obj[name] = ToValidUtf8(Cap(value));
  return boost::json::serialize(obj);
}

}  // namespace ct::postback
