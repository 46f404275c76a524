// UserAgentParser: device type, OS family and browser family from a User-Agent header, using the
// regexes of ua-parser's uap-core (npm package uap-core, pinned in third_party/npm), compiled
// with RE2, first match wins as in every ua-parser port. Results are normalised to the short
// tokens the reports group by (see store.h Enrichment) and cached per distinct User-Agent in a
// bounded, sharded cache, since a site's traffic repeats a few thousand UAs.
//
// Thread safety: Parse() may be called from any thread concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ct::enrich {

struct UserAgentInfo {
  std::string device;   // desktop|mobile|tablet|tv|console|bot|other
  std::string os;       // windows|macos|ios|android|linux|chromeos|other
  std::string browser;  // chrome|safari|firefox|edge|opera|samsung|ie|other (lower case)
};

class UserAgentParser {
 public:
  // Loads uap-core's regexes.yaml. kNotFound / kInvalidArgument as for GeoDb.
  static Result<std::unique_ptr<UserAgentParser>> Load(const std::string& regexes_yaml_path);
  ~UserAgentParser();

  UserAgentInfo Parse(std::string_view user_agent) const;
  // SHA-256 hex of the regexes file as loaded: the device/os/browser half of the classifier
  // version (enrich/classifier_version.h).
  const std::string& fingerprint() const;

 private:
  UserAgentParser();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string DefaultUapRegexesPath();

}  // namespace ct::enrich
