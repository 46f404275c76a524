#include "api/stats_params.h"

#include <algorithm>
#include <array>
#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>
#include <set>

#include "api/tz_buckets.h"
#include "common/time_format.h"

namespace ct::api {
namespace {

constexpr int64_t kMinuteUs = 60'000'000;
constexpr int64_t kHourUs = 60 * kMinuteUs;
constexpr int64_t kDayUs = 24 * kHourUs;
// Filter values are short tokens, except a destination (an URL template, as the edge caps it).
constexpr size_t kMaxTokenBytes = 64;
constexpr size_t kMaxHostBytes = 253;
constexpr size_t kMaxDestinationBytes = kMaxEventDestinationBytes;

constexpr std::array<std::string_view, 8> kDimensionNames = {
    "country", "device", "os", "browser", "referrer", "language", "destination", "bot"};
constexpr std::array<std::string_view, 7> kDevices = {"desktop", "mobile", "tablet", "tv",
                                                      "console", "bot",    "other"};
constexpr std::array<std::string_view, 7> kOses = {"windows", "macos",    "ios",  "android",
                                                   "linux",   "chromeos", "other"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool AllOf(std::string_view s, bool (*ok)(char)) { return std::all_of(s.begin(), s.end(), ok); }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsToken(char c) {
  return IsAlpha(c) || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}
bool IsHostChar(char c) { return IsToken(c) || c == ':' || c == '[' || c == ']'; }

template <size_t N>
bool OneOf(const std::array<std::string_view, N>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

template <size_t N>
std::string Join(const std::array<std::string_view, N>& list) {
  std::string out;
  for (std::string_view s : list) out += (out.empty() ? "" : ", ") + std::string(s);
  return out;
}

// Validates and normalises one filter's value into the token stored for the dimension; an
// error message otherwise. "" (unknown) is accepted for every dimension but bot.
Result<std::string> FilterValue(Dimension d, std::string_view raw) {
  const std::string name(DimensionName(d));
  auto bad = [&](const std::string& want) {
    return Status::InvalidArgument(name + ": '" + std::string(raw.substr(0, 80)) + "' is not " +
                                   want);
  };
  std::string v = Lower(raw);
  switch (d) {
    case Dimension::kCountry:
      if (!v.empty() && (v.size() != 2 || !AllOf(v, IsAlpha))) {
        return bad("an ISO 3166-1 alpha-2 country code (e.g. US)");
      }
      std::transform(v.begin(), v.end(), v.begin(), [](char c) { return c - 'a' + 'A'; });
      return v;
    case Dimension::kDevice:
      if (!v.empty() && !OneOf(kDevices, v)) return bad("one of " + Join(kDevices));
      return v;
    case Dimension::kOs:
      if (!v.empty() && !OneOf(kOses, v)) return bad("one of " + Join(kOses));
      return v;
    case Dimension::kBrowser:
    case Dimension::kLanguage:
      if (v.size() > kMaxTokenBytes || !AllOf(v, IsToken)) {
        return bad("a lower-case token ([a-z0-9._-], at most 64 characters)");
      }
      return v;
    case Dimension::kReferrer:
      if (v.size() > kMaxHostBytes || !AllOf(v, IsHostChar)) {
        return bad("a host name (the referrer's domain; empty for direct)");
      }
      return v;
    case Dimension::kDestination:
      if (raw.size() > kMaxDestinationBytes) return bad("a destination URL of at most 4096 bytes");
      return std::string(raw);  // exact, case kept: the URL template as the link holds it
    case Dimension::kBot:
      if (v == "true") return std::string("bot");
      if (v == "false") return std::string("human");
      return bad("true or false");
  }
  return bad("valid");  // unreachable
}

Result<int> ParseLimit(std::string_view v) {
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || n < 1 ||
      n > kMaxReportLimit) {
    return Status::InvalidArgument("limit must be an integer in 1.." +
                                   std::to_string(kMaxReportLimit));
  }
  return static_cast<int>(n);
}

}  // namespace

std::optional<Dimension> DimensionFromName(std::string_view name) {
  for (size_t i = 0; i < kDimensionNames.size(); ++i) {
    if (kDimensionNames[i] == name) return static_cast<Dimension>(i);
  }
  return std::nullopt;
}

std::string_view DimensionName(Dimension d) { return kDimensionNames[static_cast<size_t>(d)]; }

Result<StatsParams> ParseStatsParams(std::string_view target, int64_t now_us) {
  auto u = boost::urls::parse_origin_form(target);
  if (!u) return Status::InvalidArgument("malformed request target");
  StatsParams p;
  std::optional<int64_t> from, to;
  std::set<std::string> seen;
  for (auto param : u->params()) {
    const std::string& key = param.key;
    const std::string& value = param.value;
    if (key.empty() && value.empty()) continue;  // "?" alone, or "a=1&&b=2"
    if (!seen.insert(key).second) return Status::InvalidArgument(key + ": given more than once");
    if (key == "from" || key == "to") {
      auto t = ParseIso8601(value);
      if (!t.ok()) return Status::InvalidArgument(key + ": " + t.status().message());
      (key == "from" ? from : to) = *t;
    } else if (key == "interval") {
      if (value == "minute")
        p.interval = Interval::kMinute;
      else if (value == "hour")
        p.interval = Interval::kHour;
      else if (value == "day")
        p.interval = Interval::kDay;
      else
        return Status::InvalidArgument("interval must be minute, hour or day");
      p.interval_name = value;
    } else if (key == "tz") {
      if (!IsKnownTimeZone(value)) {
        return Status::InvalidArgument("tz: unknown time zone '" + value.substr(0, 80) +
                                       "' (an IANA name such as Europe/Berlin or UTC)");
      }
      p.tz = value;
    } else if (key == "group_by") {
      p.group_by = DimensionFromName(value);
      if (!p.group_by) {
        return Status::InvalidArgument("group_by: unknown dimension '" + value.substr(0, 80) +
                                       "'; one of " + Join(kDimensionNames));
      }
      p.group_by_name = value;
    } else if (key == "limit") {
      Result<int> limit = ParseLimit(value);
      if (!limit.ok()) return limit.status();
      p.limit = *limit;
    } else if (key == "goal_id") {
      int64_t id = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), id);
      if (value.empty() || ec != std::errc() || ptr != value.data() + value.size() || id < 1) {
        return Status::InvalidArgument("goal_id must be a positive integer id");
      }
      p.goal_id = id;
    } else if (key == "compare") {
      if (value != "previous") return Status::InvalidArgument("compare must be previous");
      p.compare_previous = true;
    } else if (key == "format") {
      if (value != "json" && value != "csv") {
        return Status::InvalidArgument("format must be json or csv");
      }
      p.csv = value == "csv";
    } else if (auto dim = DimensionFromName(key)) {
      Result<std::string> v = FilterValue(*dim, value);
      if (!v.ok()) return v.status();
      p.filters.push_back({*dim, std::move(v).value()});
    } else {
      return Status::InvalidArgument("unknown parameter '" + key.substr(0, 80) + "'; filters are " +
                                     Join(kDimensionNames));
    }
  }
  p.to_us = to ? *to : now_us;
  if (!from) {
    from = p.to_us - (p.interval == Interval::kMinute ? 60 * kMinuteUs
                      : p.interval == Interval::kHour ? 48 * kHourUs
                                                      : 30 * kDayUs);
  }
  if (*from >= p.to_us) return Status::InvalidArgument("from must be before to");
  Result<std::vector<int64_t>> starts =
      LocalBucketStarts(p.tz, p.interval, *from, p.to_us, kMaxBuckets);
  if (!starts.ok()) return starts.status();
  p.bucket_starts = std::move(starts).value();
  p.from_us = p.bucket_starts.front();
  if (!p.filters.empty() && (p.interval == Interval::kMinute ||
                             std::any_of(p.bucket_starts.begin(), p.bucket_starts.end(),
                                         [](int64_t t) { return t % kHourUs != 0; }))) {
    return Status::InvalidArgument(
        "filtered reports have hourly granularity: use interval=hour or day, in a time zone "
        "whose offset from UTC is whole hours");
  }
  if (p.compare_previous) {
    // The same length just before `from`, starting at the nearest bucket start: across a DST
    // change two local days before are 47 or 49 hours, and a plain subtraction would start the
    // previous period an hour into a bucket (and so show a sliver of one more day).
    const int64_t want = p.from_us - (p.to_us - p.from_us);
    Result<std::vector<int64_t>> prev =
        LocalBucketStarts(p.tz, p.interval, want, p.from_us, kMaxBuckets);
    if (!prev.ok()) return prev.status();
    std::vector<int64_t> starts = std::move(prev).value();
    if (starts.size() > 1 && want - starts[0] > (starts[1] - starts[0]) / 2) {
      starts.erase(starts.begin());
    }
    p.previous_from_us = starts.front();
    p.previous_bucket_starts = std::move(starts);
  }
  return p;
}

}  // namespace ct::api
