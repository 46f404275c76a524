#include "api/money.h"

#include <charconv>
#include <limits>

namespace ct::api {
namespace {

Status Bad(std::string_view field, std::string_view why) {
  return Status::InvalidArgument(std::string(field) + " " + std::string(why));
}

constexpr std::string_view kShape =
    "must be a decimal number >= 0 with at most 6 fraction digits (e.g. \"12.5\")";

}  // namespace

Result<int64_t> ParseDecimalMicros(std::string_view text, std::string_view field) {
  const size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  auto digits = [](std::string_view s) {
    for (char c : s) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  };
  if (whole.empty() || !digits(whole) || (dot != std::string_view::npos && frac.empty()) ||
      !digits(frac)) {
    return Bad(field, kShape);
  }
  if (frac.size() > static_cast<size_t>(kValueFractionDigits)) {
    return Bad(field, "has more than 6 fraction digits (values are kept in micros)");
  }
  while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
  // 13 digits hold 1e12; anything longer is over the cap, and is not parsed (no overflow).
  if (whole.size() > 13) return Bad(field, "must be at most 1000000000000");
  int64_t units = 0;
  std::from_chars(whole.data(), whole.data() + whole.size(), units);
  int64_t micros_frac = 0;
  for (int i = 0; i < kValueFractionDigits; ++i) {
    micros_frac = micros_frac * 10 + (i < static_cast<int>(frac.size()) ? frac[i] - '0' : 0);
  }
  if (units > kMaxValueUnits || (units == kMaxValueUnits && micros_frac > 0)) {
    return Bad(field, "must be at most 1000000000000");
  }
  return units * 1'000'000 + micros_frac;
}

Result<int64_t> MicrosFromJson(const boost::json::value& v, std::string_view field) {
  if (v.is_string()) return ParseDecimalMicros(v.get_string(), field);
  if (v.is_int64() || v.is_uint64()) {
    if ((v.is_int64() && v.get_int64() < 0)) return Bad(field, "must be >= 0");
    const uint64_t u = v.is_int64() ? static_cast<uint64_t>(v.get_int64()) : v.get_uint64();
    if (u > static_cast<uint64_t>(kMaxValueUnits)) {
      return Bad(field, "must be at most 1000000000000");
    }
    return static_cast<int64_t>(u) * 1'000'000;
  }
  if (v.is_double()) {
    // A JSON number with a fraction or an exponent arrives as a double; its shortest fixed
    // spelling that reads back as the same double is the decimal the client most plausibly
    // wrote (12.5, 0.1), and it then goes through the exact string parser.
    const double d = v.get_double();
    if (d < 0) return Bad(field, "must be >= 0");
    if (!(d <= static_cast<double>(kMaxValueUnits))) {
      return Bad(field, "must be at most 1000000000000");
    }
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
    if (ec != std::errc()) return Bad(field, kShape);
    return ParseDecimalMicros(std::string_view(buf, end - buf), field);
  }
  return Bad(field, "must be a number or a decimal string");
}

std::string FormatMicros(int64_t micros) {
  std::string out;
  uint64_t m;
  if (micros < 0) {
    out.push_back('-');
    m = static_cast<uint64_t>(-(micros + 1)) + 1;  // INT64_MIN too
  } else {
    m = static_cast<uint64_t>(micros);
  }
  out += std::to_string(m / 1'000'000);
  uint64_t frac = m % 1'000'000;
  if (frac != 0) {
    std::string f = std::to_string(frac);
    f.insert(0, kValueFractionDigits - f.size(), '0');
    while (f.back() == '0') f.pop_back();
    out += '.' + f;
  }
  return out;
}

}  // namespace ct::api
