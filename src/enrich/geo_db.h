// GeoDb: country of an IP address, from a MaxMind-format database (mmdb) read with
// libmaxminddb. The database is the npm package @ip-location-db/geolite2-country-mmdb, pinned
// in third_party/npm/package.json and installed by scripts/install-deps.sh.
//
// Lookups are a walk of the mmdb's search tree in the memory-mapped file; the decoded country
// of each data record is cached by the record's offset (a country database has a few hundred
// distinct records), so a lookup decodes nothing after warm-up.
//
// Thread safety: Country() may be called from any thread concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ct::enrich {

class GeoDb {
 public:
  // kNotFound if the file does not exist, kInvalidArgument if it is not a usable country mmdb.
  static Result<std::unique_ptr<GeoDb>> Open(const std::string& path);
  ~GeoDb();

  // ISO 3166-1 alpha-2, upper case ("US"); "" when the address is not in the database or is
  // not an IPv4/IPv6 literal. Never allocates after warm-up.
  std::string_view Country(std::string_view ip) const;

  // The database's build time and type, for the startup log line ("geolite2-country, 2026-06-17").
  std::string Description() const;

 private:
  GeoDb();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The default path of the pinned database (compiled in: the source tree's third_party/npm),
// used when `enrich.geoip_db` is empty.
std::string DefaultGeoDbPath();

}  // namespace ct::enrich
