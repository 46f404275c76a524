// Reading conversions on PostgreSQL, as store/sqlite/conversions_query.cc: the raw list (every
// status, newest first, keyset pages) and the per-goal figures from goal_rollups. Commit writes
// both (pg_commit_conversions.cc).
#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "store/conversion_page.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/report_ranges.h"

namespace ct {

using pg::Params;
using pg::PgConn;
using pg::PgResult;

namespace {

EventId ToEventId(const std::string& bytes) {
  EventId id{};
  std::copy_n(bytes.begin(), std::min(bytes.size(), id.size()), id.begin());
  return id;
}

ConversionRow ReadConversionRow(const PgResult& r, int i) {
  ConversionRow c;
  c.event_id = ToEventId(r.Bytes(i, 0));
  c.account_id = r.Int(i, 1);
  c.goal_id = r.Int(i, 2);
  c.time_us = r.Int(i, 3);
  c.link_id = r.Int(i, 4);
  if (!r.IsNull(i, 5)) c.click_event_id = ToEventId(r.Bytes(i, 5));
  c.click_time_us = r.Int(i, 6);
  c.value_micros = r.Int(i, 7);
  c.currency = r.Str(i, 8);
  c.order_id = r.Str(i, 9);
  c.click_ref = r.Str(i, 10);
  c.status = static_cast<ConversionStatus>(r.Int(i, 11));
  c.server_to_server = (r.Int(i, 12) & kFlagServerToServer) != 0;
  return c;
}

}  // namespace

Result<ConversionPage> PostgresStore::ListConversions(const ConversionFilter& filter,
                                                      const std::optional<ConversionCursor>& after,
                                                      int limit) {
  ConversionPage page;
  if (limit <= 0) return page;
  const std::pair<int64_t, std::string> bound = ConversionPageBound(filter, after);
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  // One row more than asked tells whether another page exists without a COUNT.
  Result<PgResult> r = (*c)->Exec(R"sql(
      SELECT event_id, account_id, goal_id, time_us, link_id, click_event_id, click_time_us,
             value_micros, currency, order_id, click_ref, status, flags
      FROM conversions
      WHERE account_id = $1::int8 AND time_us >= $2::int8
        AND (time_us, event_id) < ($3::int8, $4::bytea)
        AND ($5::int8 = 0 OR goal_id = $5::int8) AND ($6::int8 = 0 OR link_id = $6::int8)
      ORDER BY time_us DESC, event_id DESC LIMIT $7::int8)sql",
                                  Params()
                                      .Int(filter.account_id)
                                      .Int(filter.from_us)
                                      .Int(bound.first)
                                      .Bytes(bound.second)
                                      .Int(filter.goal_id)
                                      .Int(filter.link_id)
                                      .Int(static_cast<int64_t>(limit) + 1));
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) page.conversions.push_back(ReadConversionRow(*r, i));
  if (page.conversions.size() > static_cast<size_t>(limit)) {
    page.conversions.resize(static_cast<size_t>(limit));
    page.next = ConversionCursor{page.conversions.back().time_us, page.conversions.back().event_id};
  }
  return page;
}

Result<std::vector<GoalStatsRow>> PostgresStore::GetGoalStats(int64_t account_id, int64_t from_us,
                                                              int64_t to_us) {
  std::vector<GoalStatsRow> stats;
  if (from_us >= to_us) return stats;
  const sqlite::DayHourRanges d = sqlite::SplitDaysAndHours(from_us, to_us);
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  // Whole UTC days from the daily rows, the hours at either end from the hourly ones. Deleted
  // goals too: their conversions remain (store.h). link_id 0 is unattributed.
  Result<PgResult> r = (*c)->Exec(R"sql(
    SELECT g.id, SUM(r.conversions), COALESCE(SUM(r.conversions) FILTER (WHERE r.link_id <> 0), 0),
           SUM(r.value_micros)
    FROM goals g JOIN goal_rollups r ON r.goal_id = g.id
    WHERE g.account_id = $1::int8
      AND ((r.granularity = 86400 AND r.bucket_start_us >= $2::int8 AND r.bucket_start_us < $3::int8)
        OR (r.granularity = 3600 AND ((r.bucket_start_us >= $4::int8 AND r.bucket_start_us < $2::int8)
                                   OR (r.bucket_start_us >= $3::int8 AND r.bucket_start_us < $5::int8))))
    GROUP BY g.id
    HAVING SUM(r.conversions) > 0
    ORDER BY g.id)sql",
                                  Params().Int(account_id).Int(d.d1).Int(d.d2).Int(d.h0).Int(d.to));
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    stats.push_back({r->Int(i, 0), r->Int(i, 1), r->Int(i, 2), r->Int(i, 3)});
  }
  return stats;
}

}  // namespace ct
