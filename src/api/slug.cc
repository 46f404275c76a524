#include "api/slug.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "common/random.h"

namespace ct::api {
namespace {

// Paths the listener routes to something other than a link, and a few kept for later pages.
constexpr std::array<std::string_view, 12> kReserved = {"api",    "ui",    "metrics", "healthz",
                                                        "readyz", "p",     "c",       "static",
                                                        "admin",  "login", "logout",  "favicon"};

}  // namespace

Status ValidateSlug(std::string_view slug) {
  if (slug.empty()) return Status::InvalidArgument("slug is empty");
  if (slug.size() > kMaxSlugBytes) {
    return Status::InvalidArgument("slug is longer than " + std::to_string(kMaxSlugBytes) +
                                   " characters");
  }
  for (char c : slug) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return Status::InvalidArgument("slug may contain only A-Z, a-z, 0-9, '-' and '_'");
  }
  std::string lower(slug);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (auto r : kReserved) {
    if (lower == r) return Status::InvalidArgument("slug '" + lower + "' is reserved");
  }
  return Status::Ok();
}

std::string GenerateSlug() { return RandomBase62(kGeneratedSlugChars); }

}  // namespace ct::api
