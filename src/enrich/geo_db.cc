#include "enrich/geo_db.h"

#include <arpa/inet.h>
#include <maxminddb.h>
#include <sys/stat.h>

#include <array>
#include <atomic>
#include <cstring>
#include <ctime>
#include <filesystem>

#ifndef CT_NPM_DIR
#error "CT_NPM_DIR must name the pinned npm data (CMakeLists.txt defines it)"
#endif

namespace ct::enrich {
namespace {

// Every two-letter code, so Country() can return a view that outlives any lookup without
// owning anything: "AA" at 0, "AB" at 2, ... "ZZ" at 1350.
constexpr std::array<char, 26 * 26 * 2> MakeCodes() {
  std::array<char, 26 * 26 * 2> a{};
  for (int i = 0; i < 26 * 26; ++i) {
    a[static_cast<size_t>(2 * i)] = static_cast<char>('A' + i / 26);
    a[static_cast<size_t>(2 * i + 1)] = static_cast<char>('A' + i % 26);
  }
  return a;
}
constexpr std::array<char, 26 * 26 * 2> kCodes = MakeCodes();

// A country code as 1 + its index in kCodes (0: none), which fits a cache slot.
uint32_t CodeIndex(const char* s, size_t n) {
  if (n != 2) return 0;
  char a = s[0] & ~0x20, b = s[1] & ~0x20;  // upper case
  if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z') return 0;
  return 1 + static_cast<uint32_t>((a - 'A') * 26 + (b - 'A'));
}

std::string_view CodeView(uint32_t index) {
  if (index == 0) return {};
  return {kCodes.data() + 2 * (index - 1), 2};
}

// The decoded-country cache: open addressing over data-record offsets, one atomic word per slot
// (offset + 1 in the high 32 bits, the code index in the low 16), so readers and writers never
// lock and a torn slot cannot exist. A country database has a few hundred distinct records;
// 4096 slots keep the probe sequences short, and if they ever fill up, lookups still work, they
// just decode each time.
constexpr size_t kCacheSlots = 4096;
constexpr size_t kMaxProbes = 16;

}  // namespace

struct GeoDb::Impl {
  MMDB_s mmdb{};
  bool open = false;
  std::string path;
  mutable std::array<std::atomic<uint64_t>, kCacheSlots> cache{};

  ~Impl() {
    if (open) MMDB_close(&mmdb);
  }

  // The country of one data record: ip-location-db writes {"country_code": "US"}; MaxMind's
  // own GeoLite2/GeoIP2 files write {"country": {"iso_code": "US"}}. Either is accepted, so a
  // licensed MaxMind file can replace the pinned one.
  uint32_t Decode(MMDB_entry_s* entry) const {
    MMDB_entry_data_s data;
    if (MMDB_get_value(entry, &data, "country_code", nullptr) != MMDB_SUCCESS || !data.has_data ||
        data.type != MMDB_DATA_TYPE_UTF8_STRING) {
      if (MMDB_get_value(entry, &data, "country", "iso_code", nullptr) != MMDB_SUCCESS ||
          !data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING) {
        return 0;
      }
    }
    return CodeIndex(data.utf8_string, data.data_size);
  }

  uint32_t CountryOf(MMDB_entry_s* entry) const {
    if (entry->offset >= UINT32_MAX) return Decode(entry);  // cannot be a slot key: uncached
    const uint64_t key = static_cast<uint64_t>(entry->offset) + 1;
    size_t slot = (key * 0x9E3779B97F4A7C15ull) >> 52;  // top 12 bits: 4096 slots
    for (size_t i = 0; i < kMaxProbes; ++i, slot = (slot + 1) % kCacheSlots) {
      uint64_t v = cache[slot].load(std::memory_order_relaxed);
      if (v == 0) {
        const uint32_t code = Decode(entry);
        uint64_t expected = 0;
        // Losing the race to another thread is fine: it stored the same or another record.
        cache[slot].compare_exchange_strong(expected, (key << 32) | code,
                                            std::memory_order_relaxed);
        return code;
      }
      if ((v >> 32) == key) return static_cast<uint32_t>(v & 0xffff);
    }
    return Decode(entry);
  }
};

GeoDb::GeoDb() : impl_(std::make_unique<Impl>()) {}
GeoDb::~GeoDb() = default;

Result<std::unique_ptr<GeoDb>> GeoDb::Open(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return Status::NotFound("geoip database " + path + ": " + std::strerror(errno));
  }
  std::unique_ptr<GeoDb> db(new GeoDb());
  db->impl_->path = path;
  int rc = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &db->impl_->mmdb);
  if (rc != MMDB_SUCCESS) {
    if (rc == MMDB_IO_ERROR || rc == MMDB_FILE_OPEN_ERROR) {
      return Status::IoError("geoip database " + path + ": " + MMDB_strerror(rc));
    }
    return Status::InvalidArgument("geoip database " + path + ": " + MMDB_strerror(rc));
  }
  db->impl_->open = true;
  std::string type = db->impl_->mmdb.metadata.database_type;
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // An ASN or anonymous-IP mmdb opens fine but has no countries: every lookup would say "".
  if (type.find("country") == std::string::npos && type.find("city") == std::string::npos) {
    return Status::InvalidArgument("geoip database " + path + ": type '" +
                                   db->impl_->mmdb.metadata.database_type +
                                   "' is not a country or city database");
  }
  return db;
}

std::string_view GeoDb::Country(std::string_view ip) const {
  // inet_pton needs a terminated string; an address literal is at most 45 characters, so the
  // copy lives on the stack and anything longer is not an address.
  char buf[INET6_ADDRSTRLEN];
  if (ip.empty() || ip.size() >= sizeof buf) return {};
  std::memcpy(buf, ip.data(), ip.size());
  buf[ip.size()] = '\0';
  sockaddr_storage ss{};
  sockaddr_in* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  sockaddr_in6* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, buf, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
  } else if (inet_pton(AF_INET6, buf, &v6->sin6_addr) == 1) {
    if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) {
      // A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d; not every mmdb aliases
      // that range to its IPv4 tree, so it is looked up as the IPv4 address it is.
      in_addr a;
      std::memcpy(&a, v6->sin6_addr.s6_addr + 12, 4);
      ss = {};
      v4->sin_family = AF_INET;
      v4->sin_addr = a;
    } else {
      v6->sin6_family = AF_INET6;
    }
  } else {
    return {};
  }
  int mmdb_error = MMDB_SUCCESS;
  MMDB_lookup_result_s r =
      MMDB_lookup_sockaddr(&impl_->mmdb, reinterpret_cast<const sockaddr*>(&ss), &mmdb_error);
  if (mmdb_error != MMDB_SUCCESS || !r.found_entry) return {};
  return CodeView(impl_->CountryOf(&r.entry));
}

std::string GeoDb::Description() const {
  const auto& md = impl_->mmdb.metadata;
  char day[16] = "";
  const time_t t = static_cast<time_t>(md.build_epoch);
  tm utc;
  if (gmtime_r(&t, &utc) != nullptr) strftime(day, sizeof day, "%Y-%m-%d", &utc);
  return std::filesystem::path(impl_->path).stem().string() + " (" + md.database_type +
         "), built " + day;
}

std::string DefaultGeoDbPath() {
  return std::string(CT_NPM_DIR) + "/@ip-location-db/geolite2-country-mmdb/geolite2-country.mmdb";
}

}  // namespace ct::enrich
