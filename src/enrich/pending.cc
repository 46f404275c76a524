// TEMPORARY (edge branch only, until the `enrich` branch lands): minimal stand-ins for the
// enrich/ functions the edge calls, so the edge links and its tests run. No database: GeoDb and
// UserAgentParser fail to open. Delete this file when merging `enrich` (it defines the same
// symbols).
#include <algorithm>
#include <cctype>

#include "enrich/geo_db.h"
#include "enrich/request_facts.h"
#include "enrich/user_agent.h"

namespace ct::enrich {

struct GeoDb::Impl {};
GeoDb::GeoDb() = default;
GeoDb::~GeoDb() = default;
Result<std::unique_ptr<GeoDb>> GeoDb::Open(const std::string& path) {
  return Status::NotFound("GeoDb not in this build: " + path);
}
std::string_view GeoDb::Country(std::string_view) const { return {}; }
std::string GeoDb::Description() const { return "none"; }
std::string DefaultGeoDbPath() { return ""; }

struct UserAgentParser::Impl {};
UserAgentParser::UserAgentParser() = default;
UserAgentParser::~UserAgentParser() = default;
Result<std::unique_ptr<UserAgentParser>> UserAgentParser::Load(const std::string& path) {
  return Status::NotFound("UserAgentParser not in this build: " + path);
}
UserAgentInfo UserAgentParser::Parse(std::string_view) const { return {"other", "other", "other"}; }
std::string DefaultUapRegexesPath() { return ""; }

std::string AnonymizeIp(std::string_view ip) {
  std::string s(ip);
  if (s.find(':') == s.npos) {
    size_t dot = s.rfind('.');
    if (dot != s.npos) s = s.substr(0, dot) + ".0";
  }
  return s;
}

std::string ReferrerDomain(std::string_view) { return ""; }

std::string PrimaryLanguage(std::string_view al) {
  std::string out;
  for (char c : al) {
    if (!std::isalpha(static_cast<unsigned char>(c))) break;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out.size() >= 2 && out.size() <= 3 ? out : "";
}

bool IsPrefetchHeader(std::string_view name, std::string_view value) {
  auto lower = [](std::string_view s) {
    std::string r(s);
    std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return std::tolower(c); });
    return r;
  };
  std::string n = lower(name), v = lower(value);
  if (n == "purpose" || n == "sec-purpose" || n == "x-purpose" || n == "x-moz") {
    return v.find("prefetch") != v.npos || v.find("preview") != v.npos;
  }
  return false;
}

}  // namespace ct::enrich
