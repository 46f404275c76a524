// Reading conversions on SQLite: the raw list (every status) and the per-goal figures. The rows
// and the goal rollups are written by Commit's attribution (conversions.cc).
#include <algorithm>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/conversion_page.h"
#include "store/sqlite/outbox_rows.h"
#include "store/sqlite/report_ranges.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/transaction.h"

namespace ct {

using sqlite::Blob;
using sqlite::Db;
using sqlite::Statement;

namespace {

ConversionRow ReadConversionRow(const Statement& s) {
  ConversionRow c;
  c.event_id = sqlite::ReadEventId(s, 0);
  c.account_id = s.ColumnInt(1);
  c.goal_id = s.ColumnInt(2);
  c.time_us = s.ColumnInt(3);
  c.link_id = s.ColumnInt(4);
  if (!s.ColumnIsNull(5)) c.click_event_id = sqlite::ReadEventId(s, 5);
  c.click_time_us = s.ColumnInt(6);
  c.value_micros = s.ColumnInt(7);
  c.currency = s.ColumnText(8);
  c.order_id = s.ColumnText(9);
  c.click_ref = s.ColumnText(10);
  c.status = static_cast<ConversionStatus>(s.ColumnInt(11));
  c.server_to_server = (s.ColumnInt(12) & kFlagServerToServer) != 0;
  return c;
}

}  // namespace

Result<ConversionPage> SqliteStore::ListConversions(const ConversionFilter& filter,
                                                    const std::optional<ConversionCursor>& after,
                                                    int limit) {
  ConversionPage page;
  if (limit <= 0) return page;
  const std::pair<int64_t, std::string> bound = ConversionPageBound(filter, after);
  ReadLease lease = AcquireReader();
  Result<Statement> s = lease.db()->Prepare(R"sql(
      SELECT event_id, account_id, goal_id, time_us, link_id, click_event_id, click_time_us,
             value_micros, currency, order_id, click_ref, status, flags
      FROM conversions INDEXED BY conversions_by_account_time
      WHERE account_id = ?1 AND time_us >= ?2 AND (time_us, event_id) < (?3, ?4)
        AND (?5 = 0 OR goal_id = ?5) AND (?6 = 0 OR link_id = ?6)
      ORDER BY time_us DESC, event_id DESC LIMIT ?7)sql");
  if (!s.ok()) return s.status();
  // One row more than asked tells whether another page exists without a COUNT.
  CT_RETURN_IF_ERROR(s->BindAll(filter.account_id, filter.from_us, bound.first,
                                Blob{bound.second.data(), bound.second.size()}, filter.goal_id,
                                filter.link_id, static_cast<int64_t>(limit) + 1));
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    page.conversions.push_back(ReadConversionRow(*s));
  }
  if (page.conversions.size() > static_cast<size_t>(limit)) {
    page.conversions.resize(static_cast<size_t>(limit));
    page.next = ConversionCursor{page.conversions.back().time_us, page.conversions.back().event_id};
  }
  return page;
}

Result<std::vector<GoalStatsRow>> SqliteStore::GetGoalStats(int64_t account_id, int64_t from_us,
                                                            int64_t to_us) {
  std::vector<GoalStatsRow> stats;
  if (from_us >= to_us) return stats;
  const sqlite::DayHourRanges r = sqlite::SplitDaysAndHours(from_us, to_us);
  ReadLease lease = AcquireReader();
  // Deleted goals too: their conversions remain (store.h). link_id 0 is unattributed.
  Result<Statement> s = lease.db()->Prepare(R"sql(
    SELECT g.id, SUM(r.conversions), SUM(CASE WHEN r.link_id <> 0 THEN r.conversions END),
           SUM(r.value_micros)
    FROM goals g JOIN goal_rollups r ON r.goal_id = g.id
    WHERE g.account_id = ?
      AND ((r.granularity = 86400 AND r.bucket_start_us >= ? AND r.bucket_start_us < ?)
        OR (r.granularity = 3600 AND ((r.bucket_start_us >= ? AND r.bucket_start_us < ?)
                                   OR (r.bucket_start_us >= ? AND r.bucket_start_us < ?))))
    GROUP BY g.id
    HAVING SUM(r.conversions) > 0
    ORDER BY g.id)sql");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(account_id, r.d1, r.d2, r.h0, r.d1, r.d2, r.to));
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    stats.push_back({s->ColumnInt(0), s->ColumnInt(1), s->ColumnInt(2), s->ColumnInt(3)});
  }
  return stats;
}

}  // namespace ct
