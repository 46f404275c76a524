// The normalisation of ua-parser's families (uap-core's free-form names such as "Chrome Mobile
// WebView", "Mac OS X", "Generic Smartphone") into the short tokens the reports group by
// (store.h Enrichment). Internal to enrich/ (user_agent.cc); exposed for its tests.
#pragma once

#include <string_view>

namespace ct::enrich {

// What uap-core's three parsers said about one User-Agent (its families, after replacement).
struct UapFamilies {
  std::string_view browser;  // user_agent_parsers family, e.g. "Chrome Mobile"
  std::string_view os;       // os_parsers family, e.g. "Android"
  std::string_view device;   // device_parsers family, e.g. "Samsung SM-G991B", "Spider"
  std::string_view brand;    // device brand, e.g. "Samsung" ("" when none)
  std::string_view model;    // device model, e.g. "SM-G991B" ("" when none)
};

// windows|macos|ios|android|linux|chromeos|other ("" when the OS family is empty).
std::string_view OsToken(std::string_view os_family);
// chrome|safari|firefox|edge|opera|samsung|ie|other.
std::string_view BrowserToken(std::string_view browser_family);
// desktop|mobile|tablet|tv|console|bot|other; `user_agent` is the raw header, for the markers
// uap's device list does not name (Android phones say "Mobile", TVs say "SmartTV", ...).
std::string_view DeviceToken(const UapFamilies& f, std::string_view os_token,
                             std::string_view user_agent);

}  // namespace ct::enrich
