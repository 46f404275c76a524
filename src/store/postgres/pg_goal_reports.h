// One goal's conversion figures in the reports on PostgreSQL (StatsQuery::goal_id), as
// store/sqlite/report_conversions.h: from goal_rollups for the series and totals, and, per
// dimension value or under dimension filters, from the goal's counted conversions joined to
// their credited click's raw hit by its primary key (conversions keep click_time_us, so the
// join is a probe of one partition; conversions are far fewer than hits). Counted conversions
// only; every query is scoped by the query's account.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/postgres/pg_conn.h"
#include "store/sqlite/report_conversions.h"
#include "store/sqlite/report_query.h"
#include "store/store.h"

namespace ct::pg {

// goal_rollups rows of q.goal_id at `granularity` with bucket_start_us in [from_us, to_us):
// q.link_id's, or (q.link_id 0) every link's and the unattributed ones. `add` per row with its
// bucket start. Nothing when the goal is not the account's.
[[nodiscard]] Status ReadGoalRollups(PgConn* c, const StatsQuery& q, int64_t granularity,
                                     int64_t from_us, int64_t to_us,
                                     const sqlite::ConversionSink& add);

// Counted, attributed conversions in [q.from_us, q.to_us) (of q.goal_id when set; on q.link_id
// when set) whose credited click's raw hit passes `filters`; `add` per distinct conversion
// time. A conversion whose click expired from the raw hits is not found.
[[nodiscard]] Status ConversionsOfHitsByTime(PgConn* c, const StatsQuery& q,
                                             const sqlite::FilterValues& filters,
                                             const sqlite::ConversionSink& add);

// The same over [from_us, to_us), summed per value of `dimension` of the credited click.
[[nodiscard]] Status ConversionsOfHitsByValue(PgConn* c, const StatsQuery& q, int64_t from_us,
                                              int64_t to_us, const sqlite::FilterValues& filters,
                                              Dimension dimension,
                                              std::map<std::string, sqlite::ConversionCounts>* out);

}  // namespace ct::pg
