#include "store/sqlite/edge_ranges.h"

#include <map>
#include <string_view>

namespace ct::sqlite {
namespace {

// Positions are u64 on the wire and INTEGER (i64) in SQLite; the cast round-trips all values.
int64_t ToDb(uint64_t position) { return static_cast<int64_t>(position); }

[[nodiscard]] Status InsertRange(Db* db, const EdgeRange& r) {
  Result<Statement> stmt = db->Prepare(R"sql(
    INSERT INTO edge_ranges (edge, from_pos, to_pos) VALUES (?, ?, ?)
    ON CONFLICT (edge, from_pos) DO UPDATE SET to_pos = MAX(to_pos, excluded.to_pos))sql");
  if (!stmt.ok()) return stmt.status();
  CT_RETURN_IF_ERROR(stmt->BindAll(std::string_view(r.edge), ToDb(r.from), ToDb(r.to)));
  return stmt->Run();
}

// The furthest end of a recorded range that starts at or below `below` and ends past it;
// `below` itself if none does.
[[nodiscard]] Result<uint64_t> Extend(Db* db, const std::string& edge, uint64_t below) {
  Result<Statement> stmt = db->Prepare(R"sql(
    SELECT MAX(to_pos) FROM edge_ranges WHERE edge = ? AND from_pos <= ? AND to_pos > ?)sql");
  if (!stmt.ok()) return stmt.status();
  CT_RETURN_IF_ERROR(stmt->BindAll(std::string_view(edge), ToDb(below), ToDb(below)));
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row || stmt->ColumnIsNull(0)) return below;
  return static_cast<uint64_t>(stmt->ColumnInt(0));
}

[[nodiscard]] Status StoreWatermark(Db* db, const std::string& edge, uint64_t below) {
  Result<Statement> del = db->Prepare("DELETE FROM edge_ranges WHERE edge = ? AND to_pos <= ?");
  if (!del.ok()) return del.status();
  CT_RETURN_IF_ERROR(del->BindAll(std::string_view(edge), ToDb(below)));
  CT_RETURN_IF_ERROR(del->Run());
  Result<Statement> up = db->Prepare(R"sql(
    INSERT INTO edge_watermarks (edge, committed_below) VALUES (?, ?)
    ON CONFLICT (edge) DO UPDATE SET committed_below = excluded.committed_below)sql");
  if (!up.ok()) return up.status();
  CT_RETURN_IF_ERROR(up->BindAll(std::string_view(edge), ToDb(below)));
  return up->Run();
}

}  // namespace

Result<uint64_t> QueryEdgeWatermark(Db* db, const std::string& edge) {
  Result<Statement> stmt =
      db->Prepare("SELECT committed_below FROM edge_watermarks WHERE edge = ?");
  if (!stmt.ok()) return stmt.status();
  CT_RETURN_IF_ERROR(stmt->BindAll(std::string_view(edge)));
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  return *row ? static_cast<uint64_t>(stmt->ColumnInt(0)) : uint64_t{0};
}

Status RecordEdgeRanges(Db* db, const std::vector<EdgeRange>& ranges,
                        std::vector<std::pair<std::string, uint64_t>>* watermarks) {
  std::map<std::string, uint64_t> below;  // per edge of the batch: its committed_below
  for (const EdgeRange& r : ranges) {
    auto it = below.find(r.edge);
    if (it == below.end()) {
      Result<uint64_t> w = QueryEdgeWatermark(db, r.edge);
      if (!w.ok()) return w.status();
      it = below.emplace(r.edge, *w).first;
    }
    if (r.to <= it->second || r.to <= r.from) continue;  // already below the watermark
    CT_RETURN_IF_ERROR(InsertRange(db, r));
  }
  for (auto& [edge, w] : below) {
    while (true) {  // each step jumps over one range (or the overlapping ones at once)
      Result<uint64_t> next = Extend(db, edge, w);
      if (!next.ok()) return next.status();
      if (*next == w) break;
      w = *next;
    }
    CT_RETURN_IF_ERROR(StoreWatermark(db, edge, w));
    watermarks->emplace_back(edge, w);
  }
  return Status::Ok();
}

}  // namespace ct::sqlite
