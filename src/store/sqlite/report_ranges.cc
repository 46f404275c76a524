#include "store/sqlite/report_ranges.h"

#include "store/sqlite/commit.h"

namespace ct::sqlite {

DayHourRanges SplitDaysAndHours(int64_t from_us, int64_t to_us) {
  constexpr int64_t kDayUs = kDaySeconds * 1'000'000;
  DayHourRanges r;
  r.h0 = BucketStart(from_us, kHourSeconds);
  r.d1 = BucketStart(r.h0 + kDayUs - 1, kDaySeconds);  // first whole day
  r.d2 = BucketStart(to_us, kDaySeconds);              // end of whole days
  if (r.d1 >= r.d2) r.d1 = r.d2 = to_us;               // no whole day inside: hours only
  r.to = to_us;
  return r;
}

}  // namespace ct::sqlite
