// Money amounts of the API (conversion values, goal default values) <-> value_micros, exactly:
// no floating point on the way from a decimal string to micros, so "0.1" is 100000 micros and
// not 99999.
//
// Accepted: a JSON string of decimal digits with an optional '.' and 1..6 fraction digits
// ("12", "12.5", "0.000001"), or a JSON number (an integer, or a double read through its
// shortest round-trip fixed-point spelling, so 12.5 -> "12.5"). Refused, each with a message
// naming the field: negatives, signs, exponents in strings ("1e3"), spaces, "NaN"/"Infinity",
// more than 6 fraction digits, and anything above kMaxValueUnits.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ct::api {

inline constexpr int64_t kMaxValueUnits = 1'000'000'000'000;  // 1e12: no sale is bigger
inline constexpr int kValueFractionDigits = 6;                // micros

// "12.5" -> 12'500'000. kInvalidArgument ("<field> must be ...") otherwise.
Result<int64_t> ParseDecimalMicros(std::string_view text, std::string_view field = "value");
// A JSON string or number, as above.
Result<int64_t> MicrosFromJson(const boost::json::value& v, std::string_view field = "value");
// 12'500'000 -> "12.5"; 0 -> "0"; trailing fraction zeros dropped.
std::string FormatMicros(int64_t micros);

}  // namespace ct::api
