#include "api/tz_buckets.h"

#include <date/tz.h>

#include <chrono>
#include <exception>
#include <string>

namespace ct::api {
namespace {

using std::chrono::duration_cast;
using std::chrono::floor;
using std::chrono::microseconds;
using std::chrono::seconds;
using SysMicros = date::sys_time<microseconds>;

constexpr int64_t kMinuteUs = 60'000'000;
constexpr int64_t kHourUs = 60 * kMinuteUs;
constexpr int64_t kDayUs = 24 * kHourUs;

const date::time_zone* FindZone(std::string_view name) {
  if (name.empty()) return nullptr;
  // locate_zone throws for an unknown name (and if the database cannot be read): both mean
  // "no such zone" to a request.
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

int64_t FloorMod(int64_t a, int64_t m) {
  int64_t r = a % m;
  return r < 0 ? r + m : r;
}

// "UTC" needs no tz database: reports in UTC (the default) work even on a machine without
// tzdata. nullptr stands for it below.
bool IsUtc(std::string_view name) { return name == "UTC"; }

// UTC offset of the zone at instant t, in microseconds.
int64_t OffsetAt(const date::time_zone* zone, int64_t t_us) {
  if (zone == nullptr) return 0;
  date::sys_seconds s = floor<seconds>(SysMicros(microseconds(t_us)));
  return duration_cast<microseconds>(zone->get_info(s).offset).count();
}

std::string TooMany(int64_t n, Interval interval, int64_t max) {
  const char* unit = interval == Interval::kMinute ? "minutes"
                     : interval == Interval::kHour ? "hours"
                                                   : "days";
  return "range holds " + std::to_string(n) + " " + unit + "; at most " + std::to_string(max) +
         ": use a coarser interval or a shorter range";
}

}  // namespace

bool IsKnownTimeZone(std::string_view name) { return IsUtc(name) || FindZone(name) != nullptr; }

Result<std::vector<int64_t>> LocalBucketStarts(std::string_view tz, Interval interval,
                                               int64_t from_us, int64_t to_us,
                                               int64_t max_buckets) {
  const date::time_zone* zone = IsUtc(tz) ? nullptr : FindZone(tz);
  if (!zone && !IsUtc(tz)) {
    return Status::InvalidArgument("tz: unknown time zone '" + std::string(tz) + "'");
  }
  const int64_t step = interval == Interval::kMinute ? kMinuteUs
                       : interval == Interval::kHour ? kHourUs
                                                     : kDayUs;
  // Refuse a huge range before walking it (an estimate: DST moves a day's length by an hour).
  const int64_t estimate = (to_us - from_us) / step + 1;
  if (estimate > max_buckets + 1)
    return Status::InvalidArgument(TooMany(estimate, interval, max_buckets));
  std::vector<int64_t> starts;
  auto push = [&](int64_t t) {
    starts.push_back(t);
    return static_cast<int64_t>(starts.size()) <= max_buckets;
  };
  if (interval == Interval::kDay && zone != nullptr) {
    // Local midnights. A midnight that a spring-forward skips starts at the transition
    // (choose::earliest maps a nonexistent local time to it); a repeated one at its first
    // occurrence.
    auto local = zone->to_local(SysMicros(microseconds(from_us)));
    for (date::local_days day = floor<date::days>(local);; day += date::days(1)) {
      int64_t t =
          duration_cast<microseconds>(zone->to_sys(day, date::choose::earliest).time_since_epoch())
              .count();
      if (!starts.empty() && t >= to_us) break;
      if (!starts.empty() && t <= starts.back()) continue;  // cannot happen with real zones
      if (!push(t)) break;
    }
  } else {
    // Instants at which the local clock shows a whole minute/hour (or UTC day). With the offset
    // constant that is every `step`; where it changes by a non-multiple of step (Lord Howe's
    // 30-minute DST), the next boundary is re-aligned to the new offset.
    int64_t t = from_us - FloorMod(from_us + OffsetAt(zone, from_us), step);
    while (starts.empty() || t < to_us) {
      if (!push(t)) break;
      int64_t next = t + step;
      int64_t r = FloorMod(next + OffsetAt(zone, next), step);
      if (r != 0) {
        next -= r;
        if (next <= t) next += step;
      }
      t = next;
    }
  }
  if (static_cast<int64_t>(starts.size()) > max_buckets) {
    return Status::InvalidArgument(TooMany(estimate, interval, max_buckets));
  }
  return starts;
}

}  // namespace ct::api
