#include "store/sqlite/report_conversions.h"

#include <algorithm>
#include <string_view>

namespace ct::sqlite {
namespace {

// Counted, attributed conversions of the account in [?2, ?3), on link ?4 and of goal ?5 when
// not 0, grouped by `key` (a conversion column or a dimension of the credited click's hit),
// then the filters' parameters from ?6. The account's conversions in the range come from
// conversions_by_account_time, then one primary-key lookup of the click per conversion: CROSS
// JOIN keeps that order (SQLite never reorders a CROSS JOIN), since conversions are far fewer
// than hits. Filter and dimension columns are unqualified: only hits has them.
std::string ConversionsOfHitsSql(std::string_view key, const FilterValues& filters) {
  return "SELECT " + std::string(key) + R"sql(, COUNT(*), SUM(c.value_micros)
      FROM conversions c INDEXED BY conversions_by_account_time
        CROSS JOIN hits h ON h.event_id = c.click_event_id
      WHERE c.account_id = ?1 AND c.time_us >= ?2 AND c.time_us < ?3 AND c.status = 0
        AND c.link_id <> 0 AND (?4 = 0 OR c.link_id = ?4) AND (?5 = 0 OR c.goal_id = ?5))sql" +
         FilterSql(filters) + " GROUP BY 1";
}

[[nodiscard]] Result<Statement> PrepareConversionsOfHits(Db* db, std::string_view key,
                                                         const StatsQuery& q, int64_t from_us,
                                                         int64_t to_us,
                                                         const FilterValues& filters) {
  Result<Statement> s = db->Prepare(ConversionsOfHitsSql(key, filters));
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(q.account_id, from_us, to_us, q.link_id, q.goal_id));
  CT_RETURN_IF_ERROR(BindFilters(&*s, 6, filters));
  return s;
}

}  // namespace

Status ReadGoalRollups(Db* db, const StatsQuery& q, int64_t granularity, int64_t from_us,
                       int64_t to_us, const ConversionSink& add) {
  Result<Statement> s = db->Prepare(R"sql(
      SELECT r.bucket_start_us, r.conversions, r.value_micros
      FROM goals g JOIN goal_rollups r ON r.goal_id = g.id
      WHERE g.id = ?1 AND g.account_id = ?2 AND r.granularity = ?3
        AND r.bucket_start_us >= ?4 AND r.bucket_start_us < ?5
        AND (?6 = 0 OR r.link_id = ?6))sql");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(q.goal_id, q.account_id, granularity, from_us, to_us, q.link_id));
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    add(s->ColumnInt(0), {s->ColumnInt(1), s->ColumnInt(2)});
  }
}

Status ConversionsOfHitsByTime(Db* db, const StatsQuery& q, const FilterValues& filters,
                               const ConversionSink& add) {
  Result<Statement> s = PrepareConversionsOfHits(db, "c.time_us", q, q.from_us, q.to_us, filters);
  if (!s.ok()) return s.status();
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    add(s->ColumnInt(0), {s->ColumnInt(1), s->ColumnInt(2)});
  }
}

Status ConversionsOfHitsByValue(Db* db, const StatsQuery& q, int64_t from_us, int64_t to_us,
                                const FilterValues& filters, Dimension dimension,
                                std::map<std::string, ConversionCounts>* out) {
  Result<Statement> s =
      PrepareConversionsOfHits(db, DimColumn(dimension), q, from_us, to_us, filters);
  if (!s.ok()) return s.status();
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    ConversionCounts& c = (*out)[s->ColumnText(0)];
    c.conversions += s->ColumnInt(1);
    c.value_micros += s->ColumnInt(2);
  }
}

void SetConversions(const std::map<std::string, ConversionCounts>& by_value,
                    std::vector<BreakdownRow>* rows) {
  for (BreakdownRow& r : *rows) r.conversions = r.value_micros = 0;
  for (const auto& [value, c] : by_value) {
    auto it = std::find_if(rows->begin(), rows->end(),
                           [&](const BreakdownRow& r) { return r.value == value; });
    if (it == rows->end()) it = rows->insert(rows->end(), BreakdownRow{value});
    it->conversions = c.conversions;
    it->value_micros = c.value_micros;
  }
}

}  // namespace ct::sqlite
