#include "store/sqlite/reconciliation.h"

#include "store/sqlite/statement.h"

namespace ct::sqlite {

Status ReconciliationDeltas::AddTallies(Db* db, const CommitBatch& batch, int64_t now_us) {
  for (const Tally& t : batch.tallies) {
    const Blob run{t.run.data(), t.run.size()};
    {
      Result<Statement> s =
          db->Prepare("SELECT seq FROM reconciliation_runs WHERE edge = ? AND run = ?");
      if (!s.ok()) return s.status();
      CT_RETURN_IF_ERROR(s->BindAll(std::string_view(t.edge), run));
      Result<bool> row = s->Step();
      if (!row.ok()) return row.status();
      // Tallies of a run are in the journal in seq order, so anything at or below the last
      // applied seq is a copy read again (a rewrite after an fsync failure): already counted.
      if (*row && static_cast<uint64_t>(s->ColumnInt(0)) >= t.seq) continue;
    }
    {
      Result<Statement> s = db->Prepare(R"sql(
        INSERT INTO reconciliation_runs (edge, run, seq, applied_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (edge, run) DO UPDATE SET seq = excluded.seq,
                                              applied_at = excluded.applied_at)sql");
      if (!s.ok()) return s.status();
      CT_RETURN_IF_ERROR(
          s->BindAll(std::string_view(t.edge), run, static_cast<int64_t>(t.seq), now_us));
      CT_RETURN_IF_ERROR(s->Run());
    }
    {
      Result<Statement> s = db->Prepare(R"sql(
        INSERT INTO reconciliation_edges (edge, as_of, final) VALUES (?, ?, ?)
        ON CONFLICT (edge) DO UPDATE SET as_of = excluded.as_of, final = excluded.final
        WHERE excluded.as_of >= reconciliation_edges.as_of)sql");
      if (!s.ok()) return s.status();
      CT_RETURN_IF_ERROR(s->BindAll(std::string_view(t.edge), t.as_of_us,
                                    static_cast<int64_t>((t.flags & kTallyFinal) ? 1 : 0)));
      CT_RETURN_IF_ERROR(s->Run());
    }
    for (const TallyRow& r : t.rows) {
      Row& row = At(t.edge, r.hour_us);
      row.answered += static_cast<int64_t>(r.answered);
      row.journaled += static_cast<int64_t>(r.journaled);
    }
  }
  return Status::Ok();
}

Status ReconciliationDeltas::Write(Db* db) const {
  if (rows_.empty()) return Status::Ok();
  Result<Statement> s = db->Prepare(R"sql(
    INSERT INTO reconciliation (edge, hour, answered, journaled, committed, duplicates,
                                dead_lettered, corrupted)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (hour, edge) DO UPDATE SET
      answered = answered + excluded.answered,
      journaled = journaled + excluded.journaled,
      committed = committed + excluded.committed,
      duplicates = duplicates + excluded.duplicates,
      dead_lettered = dead_lettered + excluded.dead_lettered,
      corrupted = corrupted + excluded.corrupted)sql");
  if (!s.ok()) return s.status();
  for (const auto& [key, r] : rows_) {
    CT_RETURN_IF_ERROR(s->BindAll(std::string_view(key.first), key.second, r.answered, r.journaled,
                                  r.committed, r.duplicates, r.dead_lettered, r.corrupted));
    CT_RETURN_IF_ERROR(s->Run());
  }
  return Status::Ok();
}

Result<ReconciliationData> QueryReconciliation(Db* db, int64_t from_us, int64_t to_us) {
  ReconciliationData out;
  {
    Result<Statement> s = db->Prepare(R"sql(
      SELECT edge, hour, answered, journaled, committed, duplicates, dead_lettered, corrupted
      FROM reconciliation WHERE hour >= ? AND hour < ? ORDER BY hour, edge)sql");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(from_us, to_us));
    while (true) {
      Result<bool> row = s->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      ReconciliationRow r;
      r.edge = s->ColumnText(0);
      r.hour_us = s->ColumnInt(1);
      r.answered = s->ColumnInt(2);
      r.journaled = s->ColumnInt(3);
      r.committed = s->ColumnInt(4);
      r.duplicates = s->ColumnInt(5);
      r.dead_lettered = s->ColumnInt(6);
      r.corrupted = s->ColumnInt(7);
      out.rows.push_back(std::move(r));
    }
  }
  Result<Statement> s =
      db->Prepare("SELECT edge, as_of, final FROM reconciliation_edges ORDER BY edge");
  if (!s.ok()) return s.status();
  while (true) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.edges.push_back({s->ColumnText(0), s->ColumnInt(1), s->ColumnInt(2) != 0});
  }
  return out;
}

}  // namespace ct::sqlite
