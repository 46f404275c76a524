// Slugs: the path of a tracking link. [A-Za-z0-9_-]{1,64}, case-sensitive, never one of the
// paths the listener routes elsewhere. Generated slugs are kGeneratedSlugChars base62 characters
// from the CSPRNG (62^7 ~ 3.5e12: not enumerable by scanning), retried on a collision.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace ct::api {

inline constexpr size_t kMaxSlugBytes = 64;
inline constexpr size_t kGeneratedSlugChars = 7;

Status ValidateSlug(std::string_view slug);
std::string GenerateSlug();

}  // namespace ct::api
