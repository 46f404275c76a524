// Report buckets in a time zone: the UTC instants at which local minutes, hours or days start,
// daylight saving time included (a local day is 23 or 25 hours long across a change; an hour
// that a spring-forward skips does not exist, one a fall-back repeats is two buckets).
//
// Zones are IANA names ("Europe/Berlin", "Asia/Kolkata", "UTC") looked up in the system's tz
// database (/usr/share/zoneinfo, the Debian tzdata package, through Howard Hinnant's date/tz.h
// built with USE_OS_TZDB): the zone rules then follow the OS's tzdata updates, with no copy of
// the database in this repository. Thread-safe; the database is read once, on first use.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace ct::api {

// True if `name` is a zone of the tz database.
bool IsKnownTimeZone(std::string_view name);

// The starts (UTC microseconds, ascending) of the local `interval` buckets of zone `tz` that
// overlap [from_us, to_us): the first is the start of the local bucket holding from_us (so it
// may be before from_us), every other one is < to_us. kInvalidArgument for an unknown zone or
// when there would be more than `max_buckets`.
Result<std::vector<int64_t>> LocalBucketStarts(std::string_view tz, Interval interval,
                                               int64_t from_us, int64_t to_us, int64_t max_buckets);

}  // namespace ct::api
