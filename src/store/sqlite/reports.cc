// The report side of SqliteStore: stats series (per link or per account, UTC or caller-given
// buckets), breakdowns per dimension, top links, the click stream and raw-hit retention.
// Reports read rollups only, never scan raw hits: unfiltered series from rollups /
// account_rollups, breakdowns from dim_rollups / account_dim_rollups, and filtered series and
// breakdowns (any filters, any group_by) from combo_rollups at hourly granularity, or, account
// wide without a destination filter or group_by, from account_combo_rollups (days and hours);
// account wide, two known filters or one known filter + group_by from account_pair_rollups,
// and a destination filter with anything else from that destination's links' combo_rollups
// (account_destination_links).
// Definitions of the counts: commit.cc. Conversions (counted ones only) come from the same
// rollups' conversion columns; a goal's from goal_rollups (StatsQuery::goal_id); a goal's in a
// filtered report, and a goal's per dimension, from the goal's conversions and a primary-key
// lookup of each one's credited click (report_conversions.cc: conversions are far fewer).
#include <algorithm>
#include <limits>
#include <map>
#include <string>
#include <string_view>

#include "store/sqlite/commit.h"
#include "store/sqlite/hit_row.h"
#include "store/sqlite/report_conversions.h"
#include "store/sqlite/report_plan.h"
#include "store/sqlite/report_ranges.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/transaction.h"

namespace ct {

using sqlite::Bucketer;
using sqlite::ComboFilters;
using sqlite::ConversionCounts;
using sqlite::Db;
using sqlite::FilterValues;
using sqlite::Pairable;
using sqlite::PairBreakdownFilter;
using sqlite::SingleKnownFilter;
using sqlite::Statement;
using sqlite::Transaction;
using sqlite::TwoKnownFilters;
using sqlite::UsesAccountCombos;

namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kHourUs = sqlite::kHourSeconds * kMicrosPerSecond;

struct Counts {
  int64_t total = 0, unique = 0, head = 0, bots = 0, conversions = 0, value = 0;
  void Add(const ConversionCounts& c) {
    conversions += c.conversions;
    value += c.value_micros;
  }
};

LinkStats ToStats(const std::map<int64_t, Counts>& buckets) {
  LinkStats stats;
  for (const auto& [start, c] : buckets) {
    if (c.total == 0 && c.unique == 0 && c.head == 0 && c.bots == 0 && c.conversions == 0) {
      continue;
    }
    stats.total += c.total;
    stats.unique += c.unique;
    stats.head += c.head;
    stats.bots += c.bots;
    stats.conversions += c.conversions;
    stats.value_micros += c.value;
    stats.series.push_back({start, c.total, c.unique, c.head, c.bots, c.conversions, c.value});
  }
  return stats;
}

[[nodiscard]] Status StatsFromRollups(Db* db, const StatsQuery& q, const Bucketer& bucketer,
                                      std::map<int64_t, Counts>* buckets) {
  const bool account_wide = q.link_id == 0;
  Result<Statement> s = db->Prepare(account_wide ? R"sql(
      SELECT bucket_start_us, total, unique_count, head, bots, conversions, value_micros
      FROM account_rollups
      WHERE account_id = ? AND granularity = ? AND bucket_start_us >= ? AND bucket_start_us < ?
      ORDER BY bucket_start_us)sql"
                                                 : R"sql(
      SELECT bucket_start_us, total, unique_count, head, bots, conversions, value_micros
      FROM rollups
      WHERE link_id = ? AND granularity = ? AND bucket_start_us >= ? AND bucket_start_us < ?
      ORDER BY bucket_start_us)sql");
  if (!s.ok()) return s.status();
  const int64_t from = q.bucket_starts_us.empty() ? q.from_us : q.bucket_starts_us.front();
  const int64_t granularity = sqlite::GranularityFor(q);
  CT_RETURN_IF_ERROR(
      s->BindAll(account_wide ? q.account_id : q.link_id, granularity, from, q.to_us));
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    std::optional<int64_t> start = bucketer.StartOf(s->ColumnInt(0));
    if (!start) continue;
    Counts& c = (*buckets)[*start];
    c.total += s->ColumnInt(1);
    c.unique += s->ColumnInt(2);
    c.head += s->ColumnInt(3);
    c.bots += s->ColumnInt(4);
    if (q.goal_id == 0) c.Add({s->ColumnInt(5), s->ColumnInt(6)});
  }
  if (q.goal_id == 0) return Status::Ok();
  // One goal's conversions: from its own rollups, in the same buckets (clicks stay as above).
  auto add = [&](int64_t t, const ConversionCounts& cc) {
    if (std::optional<int64_t> start = bucketer.StartOf(t)) (*buckets)[*start].Add(cc);
  };
  return sqlite::ReadGoalRollups(db, q, granularity, from, q.to_us, add);
}

// Which combo_rollups rows a filtered report reads, binding (link or account, from hour, to) as
// ?1..?3; filters follow from ?4. One link: its non-empty hours from its hour rollups, then one
// seek per hour (the table is keyed hour first). An account: every row of the range, each
// checked against the account's links (the unary + keeps SQLite from instead seeking every
// (hour, link) pair, which costs hours x links seeks); so its cost is the range's rows.
std::string ComboScopeSql(bool account_wide) {
  return account_wide
             ? "bucket_start_us >= ?2 AND bucket_start_us < ?3"
               " AND +link_id IN (SELECT id FROM links WHERE account_id = ?1)"
             : "bucket_start_us IN (SELECT bucket_start_us FROM rollups WHERE link_id = ?1"
               " AND granularity = 3600 AND bucket_start_us >= ?2 AND bucket_start_us < ?3)"
               " AND link_id = ?1";
}

// `ranges` set: account_combo_rollups, whole UTC days [d1, d2) from the day rows and the hours
// [h0, d1) and [d2, to) from the hour rows (?1..?5 = account, d1, d2, h0, to; the filters from
// ?6). Else combo_rollups from the hour of `from_hour` (ComboScopeSql).
[[nodiscard]] Result<Statement> PrepareCombos(Db* db, std::string_view select, const StatsQuery& q,
                                              int64_t from_hour, const ComboFilters& f,
                                              std::string_view group_by,
                                              const sqlite::DayHourRanges* ranges = nullptr,
                                              bool sum_in_sql = true) {
  const std::string sums = sum_in_sql
                               ? ", SUM(total), SUM(unique_count), SUM(bots), SUM(conversions), "
                                 "SUM(value_micros)"
                               : ", total, unique_count, bots, conversions, value_micros";
  if (ranges != nullptr) {
    // The filters in every arm, numbered from ?6 in BindFilters' order. Each arm seeks the
    // buckets one by one (the non-empty ones, from account_rollups), so equality filters on the
    // key's leading columns (country, then device, ...) narrow each seek instead of being tested
    // on every row of the bucket.
    std::string filters;
    int n = 6;
    for (int d = 0; d < sqlite::kDimensionCount; ++d) {
      if (!f.columns[d]) continue;
      filters += " AND " + std::string(sqlite::DimColumn(static_cast<Dimension>(d))) + " = ?" +
                 std::to_string(n++);
    }
    auto arm = [&](const char* width, const char* lo, const char* hi) {
      return std::string("SELECT * FROM account_combo_rollups WHERE account_id = ?1") +
             " AND granularity = " + width +
             " AND bucket_start_us IN (SELECT bucket_start_us FROM account_rollups"
             " WHERE account_id = ?1 AND granularity = " +
             width + " AND bucket_start_us >= " + lo + " AND bucket_start_us < " + hi + ")" +
             filters;
    };
    Result<Statement> s =
        db->Prepare("SELECT " + std::string(select) + sums + " FROM (" + arm("86400", "?2", "?3") +
                    " UNION ALL " + arm("3600", "?4", "?2") + " UNION ALL " +
                    arm("3600", "?3", "?5") + ")" + std::string(group_by));
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(q.account_id, ranges->d1, ranges->d2, ranges->h0, ranges->to));
    CT_RETURN_IF_ERROR(sqlite::BindFilters(&*s, 6, f.columns));
    return s;
  }
  Result<Statement> s = db->Prepare("SELECT " + std::string(select) + sums +
                                    " FROM combo_rollups WHERE " + ComboScopeSql(q.link_id == 0) +
                                    sqlite::FilterSql(f.columns) + std::string(group_by));
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(q.link_id == 0 ? q.account_id : q.link_id, from_hour, q.to_us));
  CT_RETURN_IF_ERROR(sqlite::BindFilters(&*s, 4, f.columns));
  return s;
}

// The series rows (bucket, total, unique, bots, conversions, value_micros) of one dimension
// value from account_dim_rollups: day rows for [d1, d2), hour rows for the ends (`ranges` as in
// StatsFromCombos: all hours when the buckets are not whole UTC days).
[[nodiscard]] Result<Statement> PrepareAccountDimSeries(Db* db, const StatsQuery& q, Dimension dim,
                                                        const std::string& value,
                                                        const sqlite::DayHourRanges& ranges) {
  Result<Statement> s = db->Prepare(R"sql(
      SELECT bucket_start_us, total, unique_count, bots, conversions, value_micros
      FROM account_dim_rollups WHERE account_id = ?1 AND dim = ?2 AND granularity = 86400
        AND bucket_start_us >= ?3 AND bucket_start_us < ?4 AND value = ?7
      UNION ALL
      SELECT bucket_start_us, total, unique_count, bots, conversions, value_micros
      FROM account_dim_rollups WHERE account_id = ?1 AND dim = ?2 AND granularity = 3600
        AND bucket_start_us >= ?5 AND bucket_start_us < ?3 AND value = ?7
      UNION ALL
      SELECT bucket_start_us, total, unique_count, bots, conversions, value_micros
      FROM account_dim_rollups WHERE account_id = ?1 AND dim = ?2 AND granularity = 3600
        AND bucket_start_us >= ?4 AND bucket_start_us < ?6 AND value = ?7)sql");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(q.account_id, static_cast<int64_t>(dim), ranges.d1, ranges.d2,
                                ranges.h0, ranges.to, std::string_view(value)));
  return s;
}

// Rows of account_pair_rollups for the pair (a, b), a before b in Dimension order: day rows for
// [d1, d2), hour rows for the ends (`ranges` as in StatsFromCombos). Each arm seeks the
// non-empty buckets (from account_rollups) one by one, so the values, which follow the bucket
// in the key, narrow each seek. `value_a` / `value_b`: the value to keep, nullopt = all.
// Columns: `select`, then total, unique_count, bots, conversions, value_micros.
[[nodiscard]] Result<Statement> PreparePairs(Db* db, std::string_view select, const StatsQuery& q,
                                             Dimension a, Dimension b,
                                             const std::optional<std::string>& value_a,
                                             const std::optional<std::string>& value_b,
                                             const sqlite::DayHourRanges& ranges) {
  std::string values;
  if (value_a) values += " AND value_a = ?8";
  if (value_b) values += " AND value_b = ?9";
  auto arm = [&](const char* width, const char* lo, const char* hi) {
    return std::string("SELECT ") + std::string(select) +
           ", total, unique_count, bots, conversions, value_micros FROM account_pair_rollups"
           " WHERE account_id = ?1 AND dim_a = ?6 AND dim_b = ?7 AND granularity = " +
           width +
           " AND bucket_start_us IN (SELECT bucket_start_us FROM account_rollups"
           " WHERE account_id = ?1 AND granularity = " +
           width + " AND bucket_start_us >= " + lo + " AND bucket_start_us < " + hi + ")" + values;
  };
  Result<Statement> s =
      db->Prepare(arm("86400", "?2", "?3") + " UNION ALL " + arm("3600", "?4", "?2") +
                  " UNION ALL " + arm("3600", "?3", "?5"));
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(q.account_id, ranges.d1, ranges.d2, ranges.h0, ranges.to,
                                static_cast<int64_t>(a), static_cast<int64_t>(b)));
  if (value_a) CT_RETURN_IF_ERROR(s->Bind(8, *value_a));
  if (value_b) CT_RETURN_IF_ERROR(s->Bind(9, *value_b));
  return s;
}

// An account-wide report with a destination filter that the tables above do not serve (with
// another filter, or a breakdown): the links that ever sent clicks to it
// (account_destination_links), whose own combo_rollups are then read one link at a time: a
// destination belongs to few links, so this reads a few links' rows, not every link's. Empty
// optional: not such a report.
[[nodiscard]] Result<std::optional<std::vector<int64_t>>> DestinationLinks(Db* db,
                                                                           const StatsQuery& q,
                                                                           const ComboFilters& f) {
  const std::optional<std::string>& destination =
      f.columns[static_cast<int>(Dimension::kDestination)];
  if (q.link_id != 0 || !destination) return std::optional<std::vector<int64_t>>();
  Result<Statement> s = db->Prepare(
      "SELECT link_id FROM account_destination_links WHERE account_id = ? AND destination = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(q.account_id, std::string_view(*destination)));
  std::vector<int64_t> links;
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    links.push_back(s->ColumnInt(0));
  }
  return std::optional<std::vector<int64_t>>(std::move(links));
}

// Runs `on_row` on each row of `s` until it ends.
template <typename OnRow>
[[nodiscard]] Status ForEachRow(Statement* s, const OnRow& on_row) {
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    on_row(*s);
  }
}

Counts ComboCounts(const Statement& s, int first_col) {
  Counts c;
  c.total = s.ColumnInt(first_col);
  c.unique = s.ColumnInt(first_col + 1);
  c.bots = s.ColumnInt(first_col + 2);
  c.conversions = s.ColumnInt(first_col + 3);
  c.value = s.ColumnInt(first_col + 4);
  return c;
}

// Filtered stats from the hourly combo_rollups: exact for every filter combination, in whole
// UTC hours (head is not counted there: HEAD requests have no dimensions worth filtering).
[[nodiscard]] Status StatsFromCombos(Db* db, const StatsQuery& q, const FilterValues& filters,
                                     const Bucketer& bucketer, std::map<int64_t, Counts>* buckets) {
  if (sqlite::GranularityFor(q) < sqlite::kHourSeconds) {
    return Status::InvalidArgument(
        "filtered reports have hourly granularity: use interval=hour or day, in a time zone "
        "whose offset from UTC is whole hours");
  }
  const ComboFilters f(filters);
  const int64_t from = q.bucket_starts_us.empty() ? q.from_us : q.bucket_starts_us.front();
  const int64_t from_hour = sqlite::BucketStart(from, sqlite::kHourSeconds);
  // Account rows: day rows only when every bucket is whole UTC days (GranularityFor), so each
  // day row falls in one bucket; else hour rows only.
  sqlite::DayHourRanges ranges{from_hour, q.to_us, q.to_us, q.to_us};
  if (sqlite::GranularityFor(q) >= sqlite::kDaySeconds) {
    ranges = sqlite::SplitDaysAndHours(from, q.to_us);
  }
  auto add_row = [&](const Statement& s) {
    std::optional<int64_t> start = bucketer.StartOf(s.ColumnInt(0));
    if (!start) return;
    Counts c = ComboCounts(s, 1);
    f.Apply(&c);
    Counts& b = (*buckets)[*start];
    b.total += c.total;
    b.unique += c.unique;
    b.bots += c.bots;
    if (q.goal_id == 0) b.Add({c.conversions, c.value});
  };
  const std::optional<Dimension> single = SingleKnownFilter(q, f);
  const auto pair = TwoKnownFilters(q, f);
  Result<std::optional<std::vector<int64_t>>> destination_links =
      single || pair ? std::optional<std::vector<int64_t>>() : DestinationLinks(db, q, f);
  if (!destination_links.ok()) return destination_links.status();
  if (destination_links->has_value()) {
    for (int64_t link : **destination_links) {
      StatsQuery lq = q;
      lq.link_id = link;
      Result<Statement> s = PrepareCombos(db, "bucket_start_us", lq, from_hour, f, "", nullptr,
                                          /*sum_in_sql=*/false);
      if (!s.ok()) return s.status();
      CT_RETURN_IF_ERROR(ForEachRow(&*s, add_row));
    }
  } else {
    Result<Statement> s =
        single
            ? PrepareAccountDimSeries(db, q, *single, *f.columns[static_cast<int>(*single)], ranges)
        : pair ? PreparePairs(db, "bucket_start_us", q, pair->first, pair->second,
                              f.columns[static_cast<int>(pair->first)],
                              f.columns[static_cast<int>(pair->second)], ranges)
               // Summed into `buckets` row by row: a SQL GROUP BY over the arms' union would
               // sort the ~10^5 rows of a filtered month first.
               : PrepareCombos(db, "bucket_start_us", q, from_hour, f, "",
                               UsesAccountCombos(q, f, std::nullopt) ? &ranges : nullptr,
                               /*sum_in_sql=*/false);
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(ForEachRow(&*s, add_row));
  }
  if (q.goal_id == 0 || f.bot == "bot") return Status::Ok();
  // One goal's conversions whose credited click matches: from the goal's conversions.
  auto add = [&](int64_t t, const ConversionCounts& cc) {
    if (std::optional<int64_t> start = bucketer.StartOf(t)) (*buckets)[*start].Add(cc);
  };
  return sqlite::ConversionsOfHitsByTime(db, q, filters, add);
}

// Reads breakdown rows (value, total, unique, bots, conversions, value_micros) until the
// statement ends.
[[nodiscard]] Status ReadBreakdown(Statement* s, std::vector<BreakdownRow>* rows) {
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    rows->push_back({s->ColumnText(0), s->ColumnInt(1), s->ColumnInt(2), s->ColumnInt(3),
                     s->ColumnInt(4), s->ColumnInt(5)});
  }
}

// Sums of the hour rollups (link or account) over [hour of from_us, to_us); a goal's
// conversions from its hour rollups instead.
[[nodiscard]] Status HourTotals(Db* db, const StatsQuery& q, Counts* out) {
  const bool account_wide = q.link_id == 0;
  Result<Statement> s = db->Prepare(account_wide ? R"sql(
      SELECT SUM(total), SUM(unique_count), SUM(bots), SUM(conversions), SUM(value_micros)
      FROM account_rollups
      WHERE account_id = ? AND granularity = 3600 AND bucket_start_us >= ?
        AND bucket_start_us < ?)sql"
                                                 : R"sql(
      SELECT SUM(total), SUM(unique_count), SUM(bots), SUM(conversions), SUM(value_micros)
      FROM rollups
      WHERE link_id = ? AND granularity = 3600 AND bucket_start_us >= ?
        AND bucket_start_us < ?)sql");
  if (!s.ok()) return s.status();
  const int64_t from_hour = sqlite::BucketStart(q.from_us, sqlite::kHourSeconds);
  CT_RETURN_IF_ERROR(s->BindAll(account_wide ? q.account_id : q.link_id, from_hour, q.to_us));
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status();
  if (*row) {
    out->total = s->ColumnInt(0);
    out->unique = s->ColumnInt(1);
    out->bots = s->ColumnInt(2);
    out->conversions = s->ColumnInt(3);
    out->value = s->ColumnInt(4);
  }
  if (q.goal_id == 0) return Status::Ok();
  out->conversions = out->value = 0;
  return sqlite::ReadGoalRollups(db, q, sqlite::kHourSeconds, from_hour, q.to_us,
                                 [&](int64_t, const ConversionCounts& cc) { out->Add(cc); });
}

// Unfiltered breakdown from the hourly rollups, over whole UTC hours. dim_rollups holds the
// known values (commit.cc); the unknown ("") row is the hour rollups' sums minus theirs, and
// bot/human are the rollups' bots and total/unique (conversions: all on "human", as bots are
// never credited). dim_rollups has no goal: one goal's conversions per value come from the raw
// conversions and their clicks, and the unknown row keeps the rest of the goal's total
// (unattributed ones, and clicks past the raw-hit retention).
[[nodiscard]] Status BreakdownFromRollups(Db* db, const StatsQuery& q, Dimension dimension,
                                          std::vector<BreakdownRow>* rows) {
  Counts all;
  CT_RETURN_IF_ERROR(HourTotals(db, q, &all));
  if (dimension == Dimension::kBot) {
    rows->push_back({"human", all.total, all.unique, 0, all.conversions, all.value});
    rows->push_back({"bot", 0, 0, all.bots});
  } else {
    const bool account_wide = q.link_id == 0;
    // An account: whole UTC days from its daily account_dim_rollups, the hours at either end
    // from its hourly ones (report_ranges.h), ?1..?6 = (account, dim, d1, d2, h0, to).
    Result<Statement> s = db->Prepare(account_wide ? R"sql(
        SELECT value, SUM(total), SUM(unique_count), SUM(bots), SUM(conversions),
               SUM(value_micros)
        FROM (SELECT value, total, unique_count, bots, conversions, value_micros
              FROM account_dim_rollups WHERE account_id = ?1 AND dim = ?2
                AND granularity = 86400 AND bucket_start_us >= ?3 AND bucket_start_us < ?4
              UNION ALL
              SELECT value, total, unique_count, bots, conversions, value_micros
              FROM account_dim_rollups WHERE account_id = ?1 AND dim = ?2
                AND granularity = 3600 AND bucket_start_us >= ?5 AND bucket_start_us < ?3
              UNION ALL
              SELECT value, total, unique_count, bots, conversions, value_micros
              FROM account_dim_rollups WHERE account_id = ?1 AND dim = ?2
                AND granularity = 3600 AND bucket_start_us >= ?4 AND bucket_start_us < ?6)
        GROUP BY value)sql"
                                                   : R"sql(
        SELECT value, SUM(total), SUM(unique_count), SUM(bots), SUM(conversions),
               SUM(value_micros)
        FROM dim_rollups
        WHERE bucket_start_us IN (SELECT bucket_start_us FROM rollups WHERE link_id = ?4
                                    AND granularity = 3600 AND bucket_start_us >= ?1
                                    AND bucket_start_us < ?2)
          AND dim = ?3 AND link_id = ?4
        GROUP BY value)sql");
    if (!s.ok()) return s.status();
    const int64_t from_hour = sqlite::BucketStart(q.from_us, sqlite::kHourSeconds);
    if (account_wide) {
      const sqlite::DayHourRanges r = sqlite::SplitDaysAndHours(q.from_us, q.to_us);
      CT_RETURN_IF_ERROR(
          s->BindAll(q.account_id, static_cast<int64_t>(dimension), r.d1, r.d2, r.h0, r.to));
    } else {
      // (from hour, to, dim, link) as ?1..?4.
      CT_RETURN_IF_ERROR(
          s->BindAll(from_hour, q.to_us, static_cast<int64_t>(dimension), q.link_id));
    }
    CT_RETURN_IF_ERROR(ReadBreakdown(&*s, rows));
    if (q.goal_id != 0) {
      std::map<std::string, ConversionCounts> by_value;
      CT_RETURN_IF_ERROR(
          sqlite::ConversionsOfHitsByValue(db, q, from_hour, q.to_us, {}, dimension, &by_value));
      by_value.erase("");  // clicks of unknown value: part of the unknown row's remainder below
      SetConversions(by_value, rows);
    }
    BreakdownRow unknown{"", all.total, all.unique, all.bots, all.conversions, all.value};
    for (const BreakdownRow& r : *rows) {
      unknown.total -= r.total;
      unknown.unique -= r.unique;
      unknown.bots -= r.bots;
      unknown.conversions -= r.conversions;
      unknown.value_micros -= r.value_micros;
    }
    rows->push_back(unknown);
  }
  std::erase_if(*rows, [](const BreakdownRow& r) {
    return r.total == 0 && r.unique == 0 && r.bots == 0 && r.conversions == 0;
  });
  return Status::Ok();
}

// Sums `s`'s rows (value, total, unique, bots, conversions, value_micros) per value, in one pass:
// a SQL GROUP BY over the ~10^5 rows of an account's month would sort them first (the value is
// not a leading key column). by_bot: `s` has no value column worth reading; its counts split
// into "human" (total, unique, conversions) and "bot" (bots).
[[nodiscard]] Status SumByValue(Statement* s, const ComboFilters& f, bool by_bot,
                                std::map<std::string, Counts, std::less<>>* by_value) {
  return ForEachRow(s, [&](const Statement& row) {
    Counts c = ComboCounts(row, 1);
    f.Apply(&c);
    if (by_bot) {
      Counts& human = (*by_value)["human"];
      human.total += c.total;
      human.unique += c.unique;
      human.conversions += c.conversions;
      human.value += c.value;
      (*by_value)["bot"].bots += c.bots;
      return;
    }
    const std::string value = row.ColumnText(0);
    auto it = by_value->find(value);
    if (it == by_value->end()) it = by_value->emplace(value, Counts{}).first;
    Counts& sum = it->second;
    sum.total += c.total;
    sum.unique += c.unique;
    sum.bots += c.bots;
    sum.conversions += c.conversions;
    sum.value += c.value;
  });
}

// The pair path of FilteredBreakdown: the known values of `dimension` among the clicks with
// `filter` = its value, from account_pair_rollups; the unknown value ('') is what the filter's
// account_dim_rollups rows count beyond them (as BreakdownFromRollups derives it).
[[nodiscard]] Status PairBreakdown(Db* db, const StatsQuery& q, const ComboFilters& f,
                                   Dimension filter, Dimension dimension,
                                   const sqlite::DayHourRanges& ranges,
                                   std::map<std::string, Counts, std::less<>>* by_value) {
  const std::string& value = *f.columns[static_cast<int>(filter)];
  const bool filter_first = static_cast<int>(filter) < static_cast<int>(dimension);
  Result<Statement> s =
      filter_first ? PreparePairs(db, "value_b", q, filter, dimension, value, std::nullopt, ranges)
                   : PreparePairs(db, "value_a", q, dimension, filter, std::nullopt, value, ranges);
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(SumByValue(&*s, f, /*by_bot=*/false, by_value));
  Result<Statement> all = PrepareAccountDimSeries(db, q, filter, value, ranges);
  if (!all.ok()) return all.status();
  Counts unknown;
  CT_RETURN_IF_ERROR(ForEachRow(&*all, [&](const Statement& row) {
    const Counts c = ComboCounts(row, 1);
    unknown.total += c.total;
    unknown.unique += c.unique;
    unknown.bots += c.bots;
    unknown.conversions += c.conversions;
    unknown.value += c.value;
  }));
  for (const auto& [v, c] : *by_value) {
    unknown.total -= c.total;
    unknown.unique -= c.unique;
    unknown.bots -= c.bots;
    unknown.conversions -= c.conversions;
    unknown.value -= c.value;
  }
  (*by_value)[""] = unknown;
  return Status::Ok();
}

// Filtered breakdown from combo_rollups over whole UTC hours, as the unfiltered one: every value
// (one row each), not just the first `limit` (sorted and cut by the caller). The unknown value
// is a stored '' here, so it needs no derivation (but for the pair path: PairBreakdown).
[[nodiscard]] Status FilteredBreakdown(Db* db, const StatsQuery& q, const FilterValues& filters,
                                       Dimension dimension, std::vector<BreakdownRow>* rows) {
  const ComboFilters f(filters);
  const int64_t from_hour = sqlite::BucketStart(q.from_us, sqlite::kHourSeconds);
  const bool by_bot = dimension == Dimension::kBot;
  const sqlite::DayHourRanges ranges = sqlite::SplitDaysAndHours(q.from_us, q.to_us);
  const std::string_view column = by_bot ? "''" : sqlite::DimColumn(dimension);
  std::map<std::string, Counts, std::less<>> by_value;
  const std::optional<Dimension> pair_filter = PairBreakdownFilter(q, f, dimension);
  Result<std::optional<std::vector<int64_t>>> destination_links =
      pair_filter ? std::optional<std::vector<int64_t>>() : DestinationLinks(db, q, f);
  if (!destination_links.ok()) return destination_links.status();
  if (pair_filter) {
    CT_RETURN_IF_ERROR(PairBreakdown(db, q, f, *pair_filter, dimension, ranges, &by_value));
  } else if (destination_links->has_value()) {
    for (int64_t link : **destination_links) {
      StatsQuery lq = q;
      lq.link_id = link;
      Result<Statement> s =
          PrepareCombos(db, column, lq, from_hour, f, "", nullptr, /*sum_in_sql=*/by_bot);
      if (!s.ok()) return s.status();
      CT_RETURN_IF_ERROR(SumByValue(&*s, f, by_bot, &by_value));
    }
  } else {
    Result<Statement> s = PrepareCombos(db, column, q, from_hour, f, "",
                                        UsesAccountCombos(q, f, dimension) ? &ranges : nullptr,
                                        /*sum_in_sql=*/by_bot);
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(SumByValue(&*s, f, by_bot, &by_value));
  }
  for (const auto& [value, c] : by_value) {
    rows->push_back({value, c.total, c.unique, c.bots, c.conversions, c.value});
  }
  if (q.goal_id != 0) {
    std::map<std::string, ConversionCounts> by_value;
    if (f.bot != "bot") {
      CT_RETURN_IF_ERROR(sqlite::ConversionsOfHitsByValue(db, q, from_hour, q.to_us, filters,
                                                          dimension, &by_value));
    }
    SetConversions(by_value, rows);
  }
  std::erase_if(*rows, [](const BreakdownRow& r) {
    return r.total == 0 && r.unique == 0 && r.bots == 0 && r.conversions == 0;
  });
  return Status::Ok();
}

// Most clicks first; ties by bots, then by value so the order is stable. Then at most `limit`.
void SortAndTruncate(std::vector<BreakdownRow>* rows, int limit) {
  std::sort(rows->begin(), rows->end(), [](const BreakdownRow& a, const BreakdownRow& b) {
    if (a.total != b.total) return a.total > b.total;
    if (a.bots != b.bots) return a.bots > b.bots;
    return a.value < b.value;
  });
  if (rows->size() > static_cast<size_t>(limit)) rows->resize(static_cast<size_t>(limit));
}

}  // namespace

Result<std::optional<LinkStats>> SqliteStore::GetLinkStats(const StatsQuery& query) {
  ReadLease lease = AcquireReader();
  Db* db = lease.db();
  // One snapshot for the ownership check and the counts.
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred));
  if (query.link_id != 0) {
    Result<std::optional<LinkRow>> link =
        ReadLink(db, query.account_id, query.link_id, /*live_only=*/false);
    if (!link.ok()) return link.status();
    if (!link->has_value()) return std::optional<LinkStats>();
  }
  Bucketer bucketer(query);
  std::map<int64_t, Counts> buckets;
  if (query.filters.empty()) {
    CT_RETURN_IF_ERROR(StatsFromRollups(db, query, bucketer, &buckets));
  } else {
    FilterValues filters;
    if (sqlite::CollapseFilters(query.filters, &filters)) {
      CT_RETURN_IF_ERROR(StatsFromCombos(db, query, filters, bucketer, &buckets));
    }
  }
  CT_RETURN_IF_ERROR(txn.Commit());
  return std::optional<LinkStats>(ToStats(buckets));
}

Result<std::optional<std::vector<BreakdownRow>>> SqliteStore::GetBreakdown(const StatsQuery& query,
                                                                           Dimension dimension,
                                                                           int limit) {
  ReadLease lease = AcquireReader();
  Db* db = lease.db();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred));
  const bool account_wide = query.link_id == 0;
  if (!account_wide) {
    Result<std::optional<LinkRow>> link =
        ReadLink(db, query.account_id, query.link_id, /*live_only=*/false);
    if (!link.ok()) return link.status();
    if (!link->has_value()) return std::optional<std::vector<BreakdownRow>>();
  }
  std::vector<BreakdownRow> rows;
  FilterValues filters;
  if (limit <= 0 || !sqlite::CollapseFilters(query.filters, &filters)) {
    return std::optional<std::vector<BreakdownRow>>(std::move(rows));
  }
  if (query.filters.empty()) {
    CT_RETURN_IF_ERROR(BreakdownFromRollups(db, query, dimension, &rows));
  } else {
    CT_RETURN_IF_ERROR(FilteredBreakdown(db, query, filters, dimension, &rows));
  }
  SortAndTruncate(&rows, limit);
  CT_RETURN_IF_ERROR(txn.Commit());
  return std::optional<std::vector<BreakdownRow>>(std::move(rows));
}

Result<std::vector<TopLink>> SqliteStore::GetTopLinks(int64_t account_id, int64_t from_us,
                                                      int64_t to_us, int limit) {
  std::vector<TopLink> top;
  if (limit <= 0 || from_us >= to_us) return top;
  const sqlite::DayHourRanges r = sqlite::SplitDaysAndHours(from_us, to_us);
  ReadLease lease = AcquireReader();
  // A link whose clicks came before the range still lists when it converted in it. Three
  // range seeks per link, one per (granularity, range): with the ranges OR-ed in one WHERE,
  // SQLite reads every rollup row of each link (all its hours ever) and filters them.
  Result<Statement> s = lease.db()->Prepare(R"sql(
    SELECT link_id, SUM(total), SUM(unique_count), SUM(bots), SUM(conversions),
           SUM(value_micros)
    FROM (SELECT r.link_id, r.total, r.unique_count, r.bots, r.conversions, r.value_micros
          FROM links l JOIN rollups r ON r.link_id = l.id AND r.granularity = 86400
                                     AND r.bucket_start_us >= ?2 AND r.bucket_start_us < ?3
          WHERE l.account_id = ?1
          UNION ALL
          SELECT r.link_id, r.total, r.unique_count, r.bots, r.conversions, r.value_micros
          FROM links l JOIN rollups r ON r.link_id = l.id AND r.granularity = 3600
                                     AND r.bucket_start_us >= ?4 AND r.bucket_start_us < ?2
          WHERE l.account_id = ?1
          UNION ALL
          SELECT r.link_id, r.total, r.unique_count, r.bots, r.conversions, r.value_micros
          FROM links l JOIN rollups r ON r.link_id = l.id AND r.granularity = 3600
                                     AND r.bucket_start_us >= ?3 AND r.bucket_start_us < ?5
          WHERE l.account_id = ?1)
    GROUP BY link_id
    HAVING SUM(total) > 0 OR SUM(bots) > 0 OR SUM(conversions) > 0
    ORDER BY 2 DESC, 4 DESC, link_id LIMIT ?6)sql");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(account_id, r.d1, r.d2, r.h0, r.to, static_cast<int64_t>(limit)));
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    top.push_back({s->ColumnInt(0), s->ColumnInt(1), s->ColumnInt(2), s->ColumnInt(3),
                   s->ColumnInt(4), s->ColumnInt(5)});
  }
  return top;
}

Result<std::optional<HitPage>> SqliteStore::ListHits(int64_t account_id, int64_t link_id,
                                                     const std::optional<HitCursor>& after,
                                                     int limit) {
  ReadLease lease = AcquireReader();
  Db* db = lease.db();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred));
  Result<std::optional<LinkRow>> link = ReadLink(db, account_id, link_id, /*live_only=*/false);
  if (!link.ok()) return link.status();
  if (!link->has_value()) return std::optional<HitPage>();
  HitPage page;
  if (limit <= 0) return std::optional<HitPage>(std::move(page));
  // Hits older than the oldest kept one (retention) need no probing, though their hours are
  // still in the rollups.
  Result<Statement> oldest = db->Prepare("SELECT MIN(time_us) FROM hits");
  if (!oldest.ok()) return oldest.status();
  Result<bool> has = oldest->Step();
  if (!has.ok()) return has.status();
  if (!*has || oldest->ColumnIsNull(0)) return std::optional<HitPage>(std::move(page));
  const int64_t oldest_hour = sqlite::BucketStart(oldest->ColumnInt(0), sqlite::kHourSeconds);

  // The link's hours, newest first, from its hour rollups (every committed hit, HEAD and bots
  // included, is counted there); then the hits of each hour from hits_by_hour_link.
  // (time_us, event_id) descending is a total order (event ids are unique), so a page starts
  // strictly after the previous one's last hit: no gaps, no repeats, even between hits that
  // share a microsecond.
  Result<Statement> hours = db->Prepare(R"sql(
      SELECT bucket_start_us FROM rollups
      WHERE link_id = ? AND granularity = 3600 AND bucket_start_us >= ? AND bucket_start_us <= ?
      ORDER BY bucket_start_us DESC)sql");
  if (!hours.ok()) return hours.status();
  const int64_t newest_hour = after ? sqlite::BucketStart(after->time_us, sqlite::kHourSeconds)
                                    : std::numeric_limits<int64_t>::max();
  CT_RETURN_IF_ERROR(hours->BindAll(link_id, oldest_hour, newest_hour));
  HitCursor cursor = after ? *after : HitCursor{std::numeric_limits<int64_t>::max(), {}};
  if (!after) cursor.event_id.fill(0xff);
  // One row more than asked tells whether another page exists without a COUNT.
  const size_t want = static_cast<size_t>(limit) + 1;
  std::vector<HitRow> rows;
  for (;;) {
    Result<bool> hour = hours->Step();
    if (!hour.ok()) return hour.status();
    if (!*hour) break;
    Result<Statement> s = db->Prepare(R"sql(
        SELECT )sql" CT_HIT_ROW_COLUMNS R"sql(
        FROM hits
        WHERE time_us / 3600000000 = ? AND link_id = ? AND time_us <= ?
          AND (time_us < ? OR event_id < ?)
        ORDER BY time_us DESC, event_id DESC LIMIT ?)sql");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(hours->ColumnInt(0) / kHourUs, link_id, cursor.time_us,
                                  cursor.time_us,
                                  sqlite::Blob{cursor.event_id.data(), cursor.event_id.size()},
                                  static_cast<int64_t>(want - rows.size())));
    for (;;) {
      Result<bool> row = s->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      rows.push_back(sqlite::ReadHitRow(*s));
    }
    if (rows.size() >= want) break;
  }
  if (rows.size() > static_cast<size_t>(limit)) {
    rows.resize(static_cast<size_t>(limit));
    page.next = HitCursor{rows.back().time_us, rows.back().event_id};
  }
  page.hits = std::move(rows);
  CT_RETURN_IF_ERROR(txn.Commit());
  return std::optional<HitPage>(std::move(page));
}

Result<int64_t> SqliteStore::ExpireHits(int64_t before_us, int64_t max_rows) {
  if (max_rows <= 0) return int64_t{0};
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  // The oldest first, through hits_by_time; at most max_rows, so the write lock (and the
  // tracker waiting on it) is held for one short transaction. Rollups are not touched: reports
  // (combo_rollups included) stay exact; only the click stream loses the expired hits.
  Result<Statement> s = db->Prepare(R"sql(
    DELETE FROM hits WHERE event_id IN (
      SELECT event_id FROM hits WHERE time_us < ? ORDER BY time_us LIMIT ?))sql");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(before_us, max_rows));
  CT_RETURN_IF_ERROR(s->Run());
  const int64_t deleted = s->Changes();
  // Hits before `before_us` may now be gone (all of them, or the oldest max_rows), so rollups
  // before it can no longer be rebuilt: `clicktrail rebuild` refuses such ranges. The marker
  // only moves forward, in the deleting transaction.
  Result<Statement> mark = db->Prepare(R"sql(
    INSERT INTO hits_retained (id, since_us) VALUES (1, ?)
    ON CONFLICT (id) DO UPDATE SET since_us = MAX(since_us, excluded.since_us))sql");
  if (!mark.ok()) return mark.status();
  CT_RETURN_IF_ERROR(mark->BindAll(before_us));
  CT_RETURN_IF_ERROR(mark->Run());
  CT_RETURN_IF_ERROR(txn.Commit());
  return deleted;
}

}  // namespace ct
