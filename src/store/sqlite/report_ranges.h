// Which rollup rows cover a time range with the fewest reads: whole UTC days from the day
// rollups and the hours at either end from the hour rollups, so a month over many links (or
// goals) reads ~30 rows per key, not ~720. Shared by top links and goal stats.
#pragma once

#include <cstdint>

namespace ct::sqlite {

// Day rows with bucket_start_us in [d1, d2); hour rows in [h0, d1) and [d2, to). The range is
// widened to whole UTC hours: h0 is from_us's hour (rollups have no finer grain to cut at).
struct DayHourRanges {
  int64_t h0 = 0;
  int64_t d1 = 0;
  int64_t d2 = 0;
  int64_t to = 0;
};
DayHourRanges SplitDaysAndHours(int64_t from_us, int64_t to_us);

}  // namespace ct::sqlite
