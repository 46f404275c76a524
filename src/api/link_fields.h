// The link object of the REST API (contract: /work/contract-issue3.md "Link object"): reading a
// create/update body into checked values, and writing a LinkRow back out. Every rule a client
// can break is here, so POST, PATCH, bulk and CSV import refuse the same inputs the same way.
//
// Limits (each a 400 naming the field):
//   title <= 256 bytes; group <= 64 bytes (UTF-8, no control characters);
//   tags <= 20, each 1..64 of [A-Za-z0-9 _.:-] (no '|', the CSV tag separator; no ',');
//   destinations 2..100 entries, weight 1..1000; rotation_mode weighted|sequential|random|
//   spillover (spillover: every entry has a cap 1..1e9, other modes: none); rules <= 50, each
//   with a destination or a nested rotation (the same limits; one level) and at least one
//   condition; countries ISO alpha-2 (upper-cased); devices and os from the fixed
//   token lists of store/store.h; languages 2-3 letters (lower-cased); max_clicks >= 1;
//   password 4..128 characters (stored hashed, never returned); utm values <= 256 bytes.
// Thread safety: pure functions (HashPassword draws from the CSPRNG).
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace ct::api {

inline constexpr size_t kMaxTitleBytes = 256;
inline constexpr size_t kMaxGroupBytes = 64;
inline constexpr size_t kMaxTags = 20;
inline constexpr size_t kMaxTagBytes = 64;
inline constexpr size_t kMaxRotation = 100;
inline constexpr int kMaxWeight = 1000;
inline constexpr int64_t kMaxCap = 1'000'000'000;  // spillover clicks per destination
inline constexpr size_t kMaxRules = 50;
inline constexpr size_t kMaxRuleValues = 250;  // entries per list of a rule (every country fits)
inline constexpr size_t kMinPasswordChars = 4;
inline constexpr size_t kMaxPasswordChars = 128;
inline constexpr size_t kMaxUtmBytes = 256;
inline constexpr size_t kMaxHostBytes = 253;  // DNS

// outer nullopt: the field was absent; inner nullopt: it was null (clear it).
template <typename T>
using Nullable = std::optional<std::optional<T>>;

struct LinkInput {
  std::optional<std::string> destination, slug, domain, title, group;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::vector<WeightedDestination>> destinations;  // []: no rotation
  std::optional<RotationMode> rotation_mode;
  std::optional<std::vector<TargetingRule>> rules;
  Nullable<int64_t> expires_at_us;
  Nullable<int64_t> max_clicks;
  Nullable<std::string> fallback_url;
  Nullable<std::string> password_hash;  // already hashed
  std::optional<bool> forward_query;
  std::optional<Utm> utm;
};

// Checks every field present in `body` (unknown or read-only names are refused) and
// normalises them (destinations, countries, languages, domain, password -> hash).
Result<LinkInput> ParseLinkInput(const boost::json::object& body,
                                 const std::vector<std::string>& blocked_hosts);
// The same checks for one field each, for the CSV import.
Status CheckTitle(std::string_view title);
Status CheckGroup(std::string_view group);
Status CheckTags(const std::vector<std::string>& tags);
// A custom domain's host: lower-cased, no port, no trailing dot, DNS syntax.
Result<std::string> NormalizeHost(std::string_view host);

// A POST body as a new link: "destination" or "destinations" is required.
Result<NewLink> MakeNewLink(int64_t account_id, LinkInput in);
// A PATCH body applied to `current` (the domain cannot change).
Result<LinkUpdate> MakeLinkUpdate(const LinkRow& current, LinkInput in);

// The link object. `public_url` has no trailing slash.
boost::json::object LinkToJson(const LinkRow& link, std::string_view public_url);
std::string ShortUrl(const LinkRow& link, std::string_view public_url);

}  // namespace ct::api
