// RFC 3339 / ISO 8601 timestamps, in UTC, to and from microseconds since the epoch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ct {

// "2026-11-25T10:00:00Z", with ".123456" when the microseconds are not zero.
std::string FormatIso8601(int64_t micros);

// Accepts "YYYY-MM-DD" (midnight UTC) and "YYYY-MM-DDTHH:MM[:SS[.fraction]]" followed by "Z",
// "+HH:MM" or "-HH:MM" (a 't', a space, a lowercase 'z' too). A time without a zone is refused:
// guessing one makes reports silently wrong. The instant, in UTC, must fall in the years
// 0000..9999 (what FormatIso8601 can write back).
Result<int64_t> ParseIso8601(std::string_view text);

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

}  // namespace ct
