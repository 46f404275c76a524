// Conversion figures the link and account rollups cannot give alone: one goal's (from
// goal_rollups), and those of clicks that match dimension filters or are grouped by a dimension
// for one goal (from the conversions whose credited click is a raw hit that matches). Counted
// conversions only; every query is scoped by the query's account.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/sqlite/db.h"
#include "store/sqlite/report_query.h"
#include "store/store.h"

namespace ct::sqlite {

struct ConversionCounts {
  int64_t conversions = 0;
  int64_t value_micros = 0;
};
using ConversionSink = std::function<void(int64_t, const ConversionCounts&)>;

// A goal's breakdown (both engines): replaces the rows' conversions with `by_value`'s, adding a
// row for a value that converted without clicks in the range (its clicks came earlier).
void SetConversions(const std::map<std::string, ConversionCounts>& by_value,
                    std::vector<BreakdownRow>* rows);

// goal_rollups rows of q.goal_id at `granularity` with bucket_start_us in [from_us, to_us):
// q.link_id's, or (q.link_id 0) every link's and the unattributed (link 0) ones. Calls `add`
// per row with its bucket start. Nothing when the goal is not the account's.
[[nodiscard]] Status ReadGoalRollups(Db* db, const StatsQuery& q, int64_t granularity,
                                     int64_t from_us, int64_t to_us, const ConversionSink& add);

// Conversions in [q.from_us, q.to_us) (of q.goal_id when set; on q.link_id when set) whose
// credited click is a raw hit passing `filters`; calls `add` per distinct conversion time. A
// conversion whose click has expired from the raw hits is not found (filtered reports cover the
// raw-hit retention only, as for clicks).
[[nodiscard]] Status ConversionsOfHitsByTime(Db* db, const StatsQuery& q,
                                             const FilterValues& filters,
                                             const ConversionSink& add);

// The same over [from_us, to_us), summed per value of `dimension` of the credited click.
[[nodiscard]] Status ConversionsOfHitsByValue(Db* db, const StatsQuery& q, int64_t from_us,
                                              int64_t to_us, const FilterValues& filters,
                                              Dimension dimension,
                                              std::map<std::string, ConversionCounts>* out);

}  // namespace ct::sqlite
