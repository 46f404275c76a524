#include "store/postgres/pg_filtered_reports.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "store/postgres/pg_array.h"
#include "store/postgres/pg_goal_reports.h"
#include "store/sqlite/report_plan.h"
#include "store/sqlite/report_ranges.h"
#include "store/sqlite/rollup_deltas.h"

namespace ct::pg {
namespace {

using sqlite::ComboFilters;
using sqlite::FilterValues;
using sqlite::Pairable;
using sqlite::PairBreakdownFilter;
using sqlite::SingleKnownFilter;
using sqlite::TwoKnownFilters;
using sqlite::UsesAccountCombos;

struct Counts {
  int64_t total = 0, unique = 0, bots = 0, conversions = 0, value = 0;
  void Add(const Counts& c) {
    total += c.total;
    unique += c.unique;
    bots += c.bots;
    conversions += c.conversions;
    value += c.value;
  }
  void Subtract(const Counts& c) {
    total -= c.total;
    unique -= c.unique;
    bots -= c.bots;
    conversions -= c.conversions;
    value -= c.value;
  }
};

// A statement being built: SQL with numbered placeholders, and their values in order.
struct Query {
  std::string sql;
  Params params;
  int n = 0;
  std::string Int(int64_t v) {
    params.Int(v);
    return "$" + std::to_string(++n) + "::int8";
  }
  std::string Small(int64_t v) {
    params.Int(v);
    return "$" + std::to_string(++n) + "::int2";
  }
  std::string Text(std::string_view v) {
    params.Text(v);
    return "$" + std::to_string(++n) + "::text";
  }
  std::string Ints(const std::vector<int64_t>& v) {
    ArrayText a;
    for (int64_t x : v) a.Int(x);
    params.Raw(a.Take());
    return "$" + std::to_string(++n) + "::int8[]";
  }
};

constexpr const char* kSums =
    ", SUM(total), SUM(unique_count), SUM(bots), SUM(conversions), SUM(value_micros)";

// Whole UTC days [d1, d2) from the day rows, the hours [h0, d1) and [d2, to) from the hour rows
// (report_ranges.h; hours only when d1 = d2 = to).
std::string RangeSql(Query* qy, const sqlite::DayHourRanges& r) {
  const std::string d1 = qy->Int(r.d1), d2 = qy->Int(r.d2), h0 = qy->Int(r.h0), to = qy->Int(r.to);
  return "((granularity = 86400 AND bucket_start_us >= " + d1 + " AND bucket_start_us < " + d2 +
         ") OR (granularity = 3600 AND bucket_start_us >= " + h0 + " AND bucket_start_us < " + d1 +
         ") OR (granularity = 3600 AND bucket_start_us >= " + d2 + " AND bucket_start_us < " + to +
         "))";
}

// " AND col = $n" per filtered column, in Dimension order (the same filters, the same text:
// one prepared statement).
std::string FilterSql(Query* qy, const ComboFilters& f) {
  std::string sql;
  for (int d = 0; d < sqlite::kDimensionCount; ++d) {
    if (!f.columns[d]) continue;
    sql += " AND " + std::string(sqlite::DimColumn(static_cast<Dimension>(d))) + " = " +
           qy->Text(*f.columns[d]);
  }
  return sql;
}

// Combination rows summed per `key` (bucket_start_us, a dimension column, or '' for one row):
// account_combo_rollups over `ranges` when given; else combo_rollups over the hours from
// `from_hour`, of `links` when given, else of the query's link, else of the account's links.
Query CombosQuery(std::string_view key, const StatsQuery& q, int64_t from_hour,
                  const ComboFilters& f, const sqlite::DayHourRanges* ranges,
                  const std::vector<int64_t>* links) {
  Query qy;
  std::string where;
  std::string table;
  if (ranges != nullptr) {
    table = "account_combo_rollups";
    where = "account_id = " + qy.Int(q.account_id) + " AND " + RangeSql(&qy, *ranges);
  } else {
    table = "combo_rollups";
    if (links != nullptr) {
      where = "link_id = ANY(" + qy.Ints(*links) + ")";
    } else if (q.link_id == 0) {
      where = "link_id IN (SELECT id FROM links WHERE account_id = " + qy.Int(q.account_id) + ")";
    } else {
      where = "link_id = " + qy.Int(q.link_id);
    }
    where += " AND bucket_start_us >= " + qy.Int(from_hour) + " AND bucket_start_us < " +
             qy.Int(q.to_us);
  }
  where += FilterSql(&qy, f);
  qy.sql = "SELECT " + std::string(key) + kSums + " FROM " + table + " WHERE " + where +
           (key == "''" ? "" : " GROUP BY 1");
  return qy;
}

// account_dim_rollups rows of one value, per bucket.
Query AccountDimSeries(const StatsQuery& q, Dimension dim, const std::string& value,
                       const sqlite::DayHourRanges& ranges) {
  Query qy;
  const std::string account = qy.Int(q.account_id), d = qy.Small(static_cast<int64_t>(dim));
  const std::string v = qy.Text(value);
  qy.sql = std::string("SELECT bucket_start_us") + kSums +
           " FROM account_dim_rollups WHERE account_id = " + account + " AND dim = " + d +
           " AND value = " + v + " AND " + RangeSql(&qy, ranges) + " GROUP BY 1";
  return qy;
}

// account_pair_rollups rows of the pair (a, b), a before b, summed per `key`; value_a /
// value_b: the value to keep, nullopt = all.
Query PairsQuery(std::string_view key, const StatsQuery& q, Dimension a, Dimension b,
                 const std::optional<std::string>& value_a,
                 const std::optional<std::string>& value_b, const sqlite::DayHourRanges& ranges) {
  Query qy;
  std::string where = "account_id = " + qy.Int(q.account_id) +
                      " AND dim_a = " + qy.Small(static_cast<int64_t>(a)) +
                      " AND dim_b = " + qy.Small(static_cast<int64_t>(b));
  where += " AND " + RangeSql(&qy, ranges);
  if (value_a) where += " AND value_a = " + qy.Text(*value_a);
  if (value_b) where += " AND value_b = " + qy.Text(*value_b);
  qy.sql = "SELECT " + std::string(key) + kSums + " FROM account_pair_rollups WHERE " + where +
           " GROUP BY 1";
  return qy;
}

// The links that ever sent clicks to the destination filter's value, for an account report
// with a destination filter the tables above do not serve. nullopt: not such a report.
Result<std::optional<std::vector<int64_t>>> DestinationLinks(PgConn* c, const StatsQuery& q,
                                                             const ComboFilters& f) {
  const std::optional<std::string>& destination = f.Of(Dimension::kDestination);
  if (q.link_id != 0 || !destination) return std::optional<std::vector<int64_t>>();
  Result<PgResult> r = c->Exec(
      "SELECT link_id FROM account_destination_links WHERE account_id = $1::int8 "
      "AND destination = $2::text ORDER BY link_id",
      Params().Int(q.account_id).Text(*destination));
  if (!r.ok()) return r.status();
  std::vector<int64_t> links;
  for (int i = 0; i < r->rows(); ++i) links.push_back(r->Int(i, 0));
  return std::optional<std::vector<int64_t>>(std::move(links));
}

Counts RowCounts(const PgResult& r, int i) {
  return {r.Int(i, 1), r.Int(i, 2), r.Int(i, 3), r.Int(i, 4), r.Int(i, 5)};
}

template <typename OnRow>
[[nodiscard]] Status ForEachRow(PgConn* c, const Query& qy, const OnRow& on_row) {
  Result<PgResult> r = c->Exec(qy.sql, qy.params);
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) on_row(*r, i);
  return Status::Ok();
}

using ByValue = std::map<std::string, Counts, std::less<>>;

// The pair path of FilteredBreakdown: the known values of `dimension` among the clicks with
// `filter` = its value; the unknown value is what the filter's account_dim_rollups rows count
// beyond them.
[[nodiscard]] Status PairBreakdown(PgConn* c, const StatsQuery& q, const ComboFilters& f,
                                   Dimension filter, Dimension dimension,
                                   const sqlite::DayHourRanges& ranges, ByValue* by_value) {
  const std::string& value = *f.Of(filter);
  const bool filter_first = static_cast<int>(filter) < static_cast<int>(dimension);
  const Query pairs =
      filter_first ? PairsQuery("value_b", q, filter, dimension, value, std::nullopt, ranges)
                   : PairsQuery("value_a", q, dimension, filter, std::nullopt, value, ranges);
  CT_RETURN_IF_ERROR(ForEachRow(
      c, pairs, [&](const PgResult& r, int i) { (*by_value)[r.Str(i, 0)].Add(RowCounts(r, i)); }));
  Counts unknown;
  CT_RETURN_IF_ERROR(ForEachRow(c, AccountDimSeries(q, filter, value, ranges),
                                [&](const PgResult& r, int i) { unknown.Add(RowCounts(r, i)); }));
  for (const auto& [v, n] : *by_value) unknown.Subtract(n);
  (*by_value)[""] = unknown;
  return Status::Ok();
}

}  // namespace

Status FilteredStats(PgConn* c, const StatsQuery& q, const FilterValues& filters,
                     std::map<int64_t, StatsBucket>* buckets) {
  const int64_t granularity = sqlite::GranularityFor(q);
  if (granularity < sqlite::kHourSeconds) {
    return Status::InvalidArgument(
        "filtered reports have hourly granularity: use interval=hour or day, in a time zone "
        "whose offset from UTC is whole hours");
  }
  const ComboFilters f(filters);
  const sqlite::Bucketer bucketer(q);
  const int64_t from = q.bucket_starts_us.empty() ? q.from_us : q.bucket_starts_us.front();
  const int64_t from_hour = sqlite::BucketStart(from, sqlite::kHourSeconds);
  // Account rows: day rows only when every bucket is whole UTC days, so each day row falls in
  // one bucket; else hour rows only.
  sqlite::DayHourRanges ranges{from_hour, q.to_us, q.to_us, q.to_us};
  if (granularity >= sqlite::kDaySeconds) ranges = sqlite::SplitDaysAndHours(from, q.to_us);
  auto add_row = [&](const PgResult& r, int i) {
    std::optional<int64_t> start = bucketer.StartOf(r.Int(i, 0));
    if (!start) return;
    Counts n = RowCounts(r, i);
    f.Apply(&n);
    StatsBucket& b = (*buckets)[*start];
    b.start_us = *start;
    b.total += n.total;
    b.unique += n.unique;
    b.bots += n.bots;
    if (q.goal_id != 0) return;  // one goal's come from its conversions, below
    b.conversions += n.conversions;
    b.value_micros += n.value;
  };
  const std::optional<Dimension> single = SingleKnownFilter(q, f);
  const auto pair = TwoKnownFilters(q, f);
  Result<std::optional<std::vector<int64_t>>> destination_links =
      single || pair ? std::optional<std::vector<int64_t>>() : DestinationLinks(c, q, f);
  if (!destination_links.ok()) return destination_links.status();
  const Query clicks =
      destination_links->has_value()
          ? CombosQuery("bucket_start_us", q, from_hour, f, nullptr, &destination_links->value())
      : single ? AccountDimSeries(q, *single, *f.Of(*single), ranges)
      : pair   ? PairsQuery("bucket_start_us", q, pair->first, pair->second, f.Of(pair->first),
                            f.Of(pair->second), ranges)
               : CombosQuery("bucket_start_us", q, from_hour, f,
                           UsesAccountCombos(q, f, std::nullopt) ? &ranges : nullptr, nullptr);
  CT_RETURN_IF_ERROR(ForEachRow(c, clicks, add_row));
  if (q.goal_id == 0 || f.bot == "bot") return Status::Ok();
  // One goal's conversions whose credited click matches: from the goal's conversions (a bot's
  // click is never credited).
  return ConversionsOfHitsByTime(c, q, filters, [&](int64_t t, const sqlite::ConversionCounts& n) {
    std::optional<int64_t> start = bucketer.StartOf(t);
    if (!start) return;
    StatsBucket& b = (*buckets)[*start];
    b.start_us = *start;
    b.conversions += n.conversions;
    b.value_micros += n.value_micros;
  });
}

Status FilteredBreakdown(PgConn* c, const StatsQuery& q, const FilterValues& filters,
                         Dimension dimension, std::vector<BreakdownRow>* rows) {
  const ComboFilters f(filters);
  const int64_t from_hour = sqlite::BucketStart(q.from_us, sqlite::kHourSeconds);
  const bool by_bot = dimension == Dimension::kBot;
  const sqlite::DayHourRanges ranges = sqlite::SplitDaysAndHours(q.from_us, q.to_us);
  const std::string key = by_bot ? "''" : std::string(sqlite::DimColumn(dimension));
  ByValue by_value;
  // by_bot: one row of sums, split into "human" (total, unique, conversions) and "bot" (bots).
  auto sum = [&](const PgResult& r, int i) {
    Counts n = RowCounts(r, i);
    f.Apply(&n);
    if (!by_bot) {
      by_value[r.Str(i, 0)].Add(n);
      return;
    }
    by_value["human"].Add({n.total, n.unique, 0, n.conversions, n.value});
    by_value["bot"].bots += n.bots;
  };
  const std::optional<Dimension> pair_filter = PairBreakdownFilter(q, f, dimension);
  Result<std::optional<std::vector<int64_t>>> destination_links =
      pair_filter ? std::optional<std::vector<int64_t>>() : DestinationLinks(c, q, f);
  if (!destination_links.ok()) return destination_links.status();
  if (pair_filter) {
    CT_RETURN_IF_ERROR(PairBreakdown(c, q, f, *pair_filter, dimension, ranges, &by_value));
  } else if (destination_links->has_value()) {
    CT_RETURN_IF_ERROR(ForEachRow(
        c, CombosQuery(key, q, from_hour, f, nullptr, &destination_links->value()), sum));
  } else {
    CT_RETURN_IF_ERROR(
        ForEachRow(c,
                   CombosQuery(key, q, from_hour, f,
                               UsesAccountCombos(q, f, dimension) ? &ranges : nullptr, nullptr),
                   sum));
  }
  for (const auto& [value, n] : by_value) {
    rows->push_back({value, n.total, n.unique, n.bots, n.conversions, n.value});
  }
  if (q.goal_id != 0) {  // one goal's per value, from its conversions' matching clicks
    std::map<std::string, sqlite::ConversionCounts> goal_by_value;
    if (f.bot != "bot") {
      CT_RETURN_IF_ERROR(
          ConversionsOfHitsByValue(c, q, from_hour, q.to_us, filters, dimension, &goal_by_value));
    }
    sqlite::SetConversions(goal_by_value, rows);
  }
  std::erase_if(*rows, [](const BreakdownRow& r) {
    return r.total == 0 && r.unique == 0 && r.bots == 0 && r.conversions == 0;
  });
  return Status::Ok();
}

}  // namespace ct::pg
