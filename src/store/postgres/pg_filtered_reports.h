// Filtered reports on PostgreSQL (StatsQuery::filters), as store/sqlite/reports.cc answers them:
// from rollups only, never raw hits, choosing the same tables for the same query:
//   - one link: its hourly combo_rollups;
//   - an account, one known filter (not bot): account_dim_rollups (series);
//   - an account, two known pairable filters, or one and a pairable breakdown:
//     account_pair_rollups;
//   - an account with a destination filter otherwise: the combo_rollups of the links that sent
//     clicks there (account_destination_links);
//   - an account otherwise: account_combo_rollups (days and hours), or every link's
//     combo_rollups when grouped by destination.
// Called inside the caller's read transaction, after the link's ownership is checked.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "common/status.h"
#include "store/postgres/pg_conn.h"
#include "store/sqlite/report_query.h"
#include "store/store.h"

namespace ct::pg {

// Adds the filtered counts (head stays 0: HEAD requests have no dimensions) into `buckets`,
// keyed by the query's bucket starts. kInvalidArgument for a finer than hourly granularity.
[[nodiscard]] Status FilteredStats(PgConn* c, const StatsQuery& q,
                                   const sqlite::FilterValues& filters,
                                   std::map<int64_t, StatsBucket>* buckets);

// Every value's row of the filtered breakdown (unsorted, empty rows dropped).
[[nodiscard]] Status FilteredBreakdown(PgConn* c, const StatsQuery& q,
                                       const sqlite::FilterValues& filters, Dimension dimension,
                                       std::vector<BreakdownRow>* rows);

}  // namespace ct::pg
