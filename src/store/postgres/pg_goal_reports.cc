#include "store/postgres/pg_goal_reports.h"

#include <algorithm>
#include <string_view>

namespace ct::pg {
namespace {

// The raw hit's column of a dimension (h. = the credited click's hit).
std::string_view HitColumn(Dimension d) {
  switch (d) {
    case Dimension::kCountry:
      return "h.country";
    case Dimension::kDevice:
      return "h.device";
    case Dimension::kOs:
      return "h.os";
    case Dimension::kBrowser:
      return "h.browser";
    case Dimension::kReferrer:
      return "h.referrer_domain";
    case Dimension::kLanguage:
      return "h.language";
    case Dimension::kDestination:
      return "h.destination";
    case Dimension::kBot:
      return "CASE WHEN h.bot THEN 'bot' ELSE 'human' END";
  }
  return "h.country";  // unreachable
}

// Grouped by `key`; the filters' parameters follow from $6, in Dimension order, so one set of
// filters is always the same SQL text (one prepared statement).
Result<PgResult> ConversionsOfHits(PgConn* c, std::string_view key, const StatsQuery& q,
                                   int64_t from_us, int64_t to_us,
                                   const sqlite::FilterValues& filters) {
  std::string sql = "SELECT " + std::string(key) + R"sql(, COUNT(*), SUM(c.value_micros)
      FROM conversions c
        JOIN hits h ON h.time_us = c.click_time_us AND h.event_id = c.click_event_id
      WHERE c.account_id = $1::int8 AND c.time_us >= $2::int8 AND c.time_us < $3::int8
        AND c.status = 0 AND c.link_id <> 0 AND ($4::int8 = 0 OR c.link_id = $4::int8)
        AND ($5::int8 = 0 OR c.goal_id = $5::int8))sql";
  Params p;
  p.Int(q.account_id).Int(from_us).Int(to_us).Int(q.link_id).Int(q.goal_id);
  int n = 5;
  for (int d = 0; d < static_cast<int>(filters.size()); ++d) {
    if (!filters[d]) continue;
    sql += " AND (" + std::string(HitColumn(static_cast<Dimension>(d))) + ") = $" +
           std::to_string(++n);
    p.Text(*filters[d]);
  }
  sql += " GROUP BY 1";
  return c->Exec(sql, p);
}

}  // namespace

Status ReadGoalRollups(PgConn* c, const StatsQuery& q, int64_t granularity, int64_t from_us,
                       int64_t to_us, const sqlite::ConversionSink& add) {
  Result<PgResult> r = c->Exec(R"sql(
      SELECT r.bucket_start_us, r.conversions, r.value_micros
      FROM goals g JOIN goal_rollups r ON r.goal_id = g.id
      WHERE g.id = $1::int8 AND g.account_id = $2::int8 AND r.granularity = $3::int4
        AND r.bucket_start_us >= $4::int8 AND r.bucket_start_us < $5::int8
        AND ($6::int8 = 0 OR r.link_id = $6::int8))sql",
                               Params()
                                   .Int(q.goal_id)
                                   .Int(q.account_id)
                                   .Int(granularity)
                                   .Int(from_us)
                                   .Int(to_us)
                                   .Int(q.link_id));
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) add(r->Int(i, 0), {r->Int(i, 1), r->Int(i, 2)});
  return Status::Ok();
}

Status ConversionsOfHitsByTime(PgConn* c, const StatsQuery& q, const sqlite::FilterValues& filters,
                               const sqlite::ConversionSink& add) {
  Result<PgResult> r = ConversionsOfHits(c, "c.time_us", q, q.from_us, q.to_us, filters);
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) add(r->Int(i, 0), {r->Int(i, 1), r->Int(i, 2)});
  return Status::Ok();
}

Status ConversionsOfHitsByValue(PgConn* c, const StatsQuery& q, int64_t from_us, int64_t to_us,
                                const sqlite::FilterValues& filters, Dimension dimension,
                                std::map<std::string, sqlite::ConversionCounts>* out) {
  Result<PgResult> r = ConversionsOfHits(c, HitColumn(dimension), q, from_us, to_us, filters);
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    sqlite::ConversionCounts& cc = (*out)[r->Str(i, 0)];
    cc.conversions += r->Int(i, 1);
    cc.value_micros += r->Int(i, 2);
  }
  return Status::Ok();
}

}  // namespace ct::pg
