// Reports on PostgreSQL, as store/sqlite/reports.cc, read from rollups only: unfiltered series
// from rollups / account_rollups, unfiltered breakdowns from dim_rollups / account_dim_rollups
// (the unknown value derived as the hour totals minus the known values). Bucketing for caller
// given boundaries (time zones) is the SQLite store's (report_query.h Bucketer).
// Filtered reports: pg_filtered_reports.h; one goal's conversions (StatsQuery::goal_id):
// pg_goal_reports.h. Not yet: one goal's conversions in a filtered report (kInternal, by name).
#include <algorithm>
#include <map>

#include "store/postgres/pg_filtered_reports.h"
#include "store/postgres/pg_goal_reports.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/report_query.h"
#include "store/sqlite/report_ranges.h"

namespace ct {

using pg::Params;
using pg::PgConn;
using pg::PgResult;

namespace {

constexpr int64_t kHourUs = 3'600'000'000;

int64_t HourFloor(int64_t t) {
  int64_t q = t / kHourUs;
  if (t % kHourUs < 0) --q;
  return q * kHourUs;
}

struct Counts {
  int64_t total = 0, unique = 0, head = 0, bots = 0, conversions = 0, value = 0;
};

// The non-empty buckets, ascending, and their sums.
LinkStats ToStats(const std::map<int64_t, StatsBucket>& buckets) {
  LinkStats stats;
  for (const auto& [start, b] : buckets) {
    if (b.total == 0 && b.unique == 0 && b.head == 0 && b.bots == 0 && b.conversions == 0) {
      continue;
    }
    stats.total += b.total;
    stats.unique += b.unique;
    stats.head += b.head;
    stats.bots += b.bots;
    stats.conversions += b.conversions;
    stats.value_micros += b.value_micros;
    stats.series.push_back(b);
  }
  return stats;
}

// Most clicks first; ties by bots, then by value so the order is stable. Then at most `limit`.
std::vector<BreakdownRow> SortAndTruncate(std::vector<BreakdownRow> rows, int limit) {
  std::sort(rows.begin(), rows.end(), [](const BreakdownRow& a, const BreakdownRow& b) {
    if (a.total != b.total) return a.total > b.total;
    if (a.bots != b.bots) return a.bots > b.bots;
    return a.value < b.value;
  });
  if (rows.size() > static_cast<size_t>(limit)) rows.resize(static_cast<size_t>(limit));
  return rows;
}

// Whether the link exists in the account (deleted links still report).
Result<bool> OwnsLink(PgConn* c, int64_t account_id, int64_t link_id) {
  Result<PgResult> r = c->Exec("SELECT 1 FROM links WHERE id = $1::int8 AND account_id = $2::int8",
                               Params().Int(link_id).Int(account_id));
  if (!r.ok()) return r.status();
  return r->rows() > 0;
}

}  // namespace

Result<std::optional<LinkStats>> PostgresStore::GetLinkStats(const StatsQuery& q) {
  Result<pg::Lease> c = pool_.Begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  const bool account_wide = q.link_id == 0;
  if (!account_wide) {
    Result<bool> owns = OwnsLink(db, q.account_id, q.link_id);
    if (!owns.ok()) return owns.status();
    if (!*owns) return std::optional<LinkStats>();
  }
  if (!q.filters.empty()) {
    std::map<int64_t, StatsBucket> filtered;
    sqlite::FilterValues filters;
    if (sqlite::CollapseFilters(q.filters, &filters)) {  // else nothing can match
      CT_RETURN_IF_ERROR(pg::FilteredStats(db, q, filters, &filtered));
    }
    CT_RETURN_IF_ERROR(db->Run("COMMIT"));
    return std::optional<LinkStats>(ToStats(filtered));
  }
  const sqlite::Bucketer bucketer(q);
  const int64_t from = q.bucket_starts_us.empty() ? q.from_us : q.bucket_starts_us.front();
  const int64_t granularity = sqlite::GranularityFor(q);
  Result<PgResult> r = db->Exec(account_wide ? R"sql(
      SELECT bucket_start_us, total, unique_count, head, bots, conversions, value_micros
      FROM account_rollups WHERE account_id = $1::int8 AND granularity = $2::int4
        AND bucket_start_us >= $3::int8 AND bucket_start_us < $4::int8
      ORDER BY bucket_start_us)sql"
                                             : R"sql(
      SELECT bucket_start_us, total, unique_count, head, bots, conversions, value_micros
      FROM rollups WHERE link_id = $1::int8 AND granularity = $2::int4
        AND bucket_start_us >= $3::int8 AND bucket_start_us < $4::int8
      ORDER BY bucket_start_us)sql",
                                Params()
                                    .Int(account_wide ? q.account_id : q.link_id)
                                    .Int(granularity)
                                    .Int(from)
                                    .Int(q.to_us));
  if (!r.ok()) return r.status();
  std::map<int64_t, Counts> buckets;
  for (int i = 0; i < r->rows(); ++i) {
    std::optional<int64_t> start = bucketer.StartOf(r->Int(i, 0));
    if (!start) continue;
    Counts& b = buckets[*start];
    b.total += r->Int(i, 1);
    b.unique += r->Int(i, 2);
    b.head += r->Int(i, 3);
    b.bots += r->Int(i, 4);
    if (q.goal_id != 0) continue;  // one goal's come from its own rollups, below
    b.conversions += r->Int(i, 5);
    b.value += r->Int(i, 6);
  }
  if (q.goal_id != 0) {
    CT_RETURN_IF_ERROR(pg::ReadGoalRollups(
        db, q, granularity, from, q.to_us, [&](int64_t t, const sqlite::ConversionCounts& cc) {
          if (std::optional<int64_t> start = bucketer.StartOf(t)) {
            buckets[*start].conversions += cc.conversions;
            buckets[*start].value += cc.value_micros;
          }
        }));
  }
  CT_RETURN_IF_ERROR(db->Run("COMMIT"));
  std::map<int64_t, StatsBucket> series;
  for (const auto& [start, b] : buckets) {
    series[start] = {start, b.total, b.unique, b.head, b.bots, b.conversions, b.value};
  }
  return std::optional<LinkStats>(ToStats(series));
}

Result<std::optional<std::vector<BreakdownRow>>> PostgresStore::GetBreakdown(const StatsQuery& q,
                                                                             Dimension dimension,
                                                                             int limit) {
  Result<pg::Lease> c = pool_.Begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  const bool account_wide = q.link_id == 0;
  if (!account_wide) {
    Result<bool> owns = OwnsLink(db, q.account_id, q.link_id);
    if (!owns.ok()) return owns.status();
    if (!*owns) return std::optional<std::vector<BreakdownRow>>();
  }
  std::vector<BreakdownRow> rows;
  if (limit <= 0) return std::optional<std::vector<BreakdownRow>>(std::move(rows));
  if (!q.filters.empty()) {
    sqlite::FilterValues filters;
    if (sqlite::CollapseFilters(q.filters, &filters)) {  // else nothing can match
      CT_RETURN_IF_ERROR(pg::FilteredBreakdown(db, q, filters, dimension, &rows));
    }
    CT_RETURN_IF_ERROR(db->Run("COMMIT"));
    return std::optional<std::vector<BreakdownRow>>(SortAndTruncate(std::move(rows), limit));
  }
  const int64_t from_hour = HourFloor(q.from_us);
  const int64_t id = account_wide ? q.account_id : q.link_id;
  // Totals over whole UTC hours, as the dimension rows.
  Result<PgResult> t = db->Exec(account_wide ? R"sql(
      SELECT SUM(total), SUM(unique_count), SUM(bots), SUM(conversions), SUM(value_micros)
      FROM account_rollups WHERE account_id = $1::int8 AND granularity = 3600
        AND bucket_start_us >= $2::int8 AND bucket_start_us < $3::int8)sql"
                                             : R"sql(
      SELECT SUM(total), SUM(unique_count), SUM(bots), SUM(conversions), SUM(value_micros)
      FROM rollups WHERE link_id = $1::int8 AND granularity = 3600
        AND bucket_start_us >= $2::int8 AND bucket_start_us < $3::int8)sql",
                                Params().Int(id).Int(from_hour).Int(q.to_us));
  if (!t.ok()) return t.status();
  Counts all{t->Int(0, 0), t->Int(0, 1), 0, t->Int(0, 2), t->Int(0, 3), t->Int(0, 4)};
  if (q.goal_id != 0) {  // the goal's conversions, from its hour rollups
    all.conversions = all.value = 0;
    CT_RETURN_IF_ERROR(pg::ReadGoalRollups(db, q, 3600, from_hour, q.to_us,
                                           [&](int64_t, const sqlite::ConversionCounts& cc) {
                                             all.conversions += cc.conversions;
                                             all.value += cc.value_micros;
                                           }));
  }
  if (dimension == Dimension::kBot) {
    rows.push_back({"human", all.total, all.unique, 0, all.conversions, all.value});
    rows.push_back({"bot", 0, 0, all.bots});
  } else {
    Result<PgResult> r = Status::Internal("unset");
    if (account_wide) {
      // Whole UTC days from the daily rows, the hours at either end from the hourly ones.
      const sqlite::DayHourRanges d = sqlite::SplitDaysAndHours(q.from_us, q.to_us);
      r = db->Exec(R"sql(
        SELECT value, SUM(total), SUM(unique_count), SUM(bots), SUM(conversions),
               SUM(value_micros)
        FROM account_dim_rollups WHERE account_id = $1::int8 AND dim = $2::int2
          AND ((granularity = 86400 AND bucket_start_us >= $3::int8 AND bucket_start_us < $4::int8)
            OR (granularity = 3600 AND bucket_start_us >= $5::int8 AND bucket_start_us < $3::int8)
            OR (granularity = 3600 AND bucket_start_us >= $4::int8 AND bucket_start_us < $6::int8))
        GROUP BY value)sql",
                   Params()
                       .Int(q.account_id)
                       .Int(static_cast<int64_t>(dimension))
                       .Int(d.d1)
                       .Int(d.d2)
                       .Int(d.h0)
                       .Int(d.to));
    } else {
      r = db->Exec(
          R"sql(
        SELECT value, SUM(total), SUM(unique_count), SUM(bots), SUM(conversions),
               SUM(value_micros)
        FROM dim_rollups WHERE link_id = $1::int8 AND dim = $2::int2
          AND bucket_start_us >= $3::int8 AND bucket_start_us < $4::int8
        GROUP BY value)sql",
          Params().Int(q.link_id).Int(static_cast<int64_t>(dimension)).Int(from_hour).Int(q.to_us));
    }
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->rows(); ++i) {
      rows.push_back(
          {r->Str(i, 0), r->Int(i, 1), r->Int(i, 2), r->Int(i, 3), r->Int(i, 4), r->Int(i, 5)});
    }
    if (q.goal_id != 0) {
      // dim_rollups has no goal: the goal's conversions per value of their clicks.
      std::map<std::string, sqlite::ConversionCounts> by_value;
      CT_RETURN_IF_ERROR(
          pg::ConversionsOfHitsByValue(db, q, from_hour, q.to_us, {}, dimension, &by_value));
      by_value.erase("");  // clicks of unknown value: part of the unknown row's remainder
      sqlite::SetConversions(by_value, &rows);
    }
    BreakdownRow unknown{"", all.total, all.unique, all.bots, all.conversions, all.value};
    for (const BreakdownRow& row : rows) {
      unknown.total -= row.total;
      unknown.unique -= row.unique;
      unknown.bots -= row.bots;
      unknown.conversions -= row.conversions;
      unknown.value_micros -= row.value_micros;
    }
    rows.push_back(unknown);
  }
  CT_RETURN_IF_ERROR(db->Run("COMMIT"));
  std::erase_if(rows, [](const BreakdownRow& r) {
    return r.total == 0 && r.unique == 0 && r.bots == 0 && r.conversions == 0;
  });
  return std::optional<std::vector<BreakdownRow>>(SortAndTruncate(std::move(rows), limit));
}

}  // namespace ct
