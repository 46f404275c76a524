// PostgresStore::Commit: the tracker's batch in ONE transaction, with the SQLite commit's
// semantics (store/sqlite/commit.cc says what every count means) and its exactly-once rule:
// hits dedup on their primary key (time_us, event_id) with ON CONFLICT DO NOTHING, and only the
// rows that insert returns touch rollups, uniques and the outbox. So a batch delivered again,
// by the bus or by an edge re-shipping hours later, to this tracker or another, changes nothing
// but its journal ranges.
//
// Round trips stay few: every table gets one statement per batch taking whole columns as array
// parameters (INSERT ... SELECT FROM unnest(...)), rollups summed in memory first. Rows are
// inserted in key order, so two trackers committing overlapping keys lock them in the same
// order (no deadlock cycle within a table, and the tables come in a fixed order); a deadlock or
// serialization failure the server reports anyway is retried with the whole transaction.
//
// Conversions and ip_30min uniques are decided by their own files after the hits are in
// (pg_commit_parts.h); their rollup changes are summed with the hits' here.
#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "store/edge_ranges.h"
#include "store/postgres/pg_array.h"
#include "store/postgres/pg_commit_parts.h"
#include "store/postgres/pg_pair_rollups.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_schema.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/batch_lookups.h"
#include "store/sqlite/macro_values.h"
#include "store/sqlite/outbox_writer.h"

namespace ct {

using pg::ArrayText;
using pg::Params;
using pg::PgConn;
using pg::PgResult;

namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kWidths[] = {60, 3600, 86400};
constexpr int kCommitAttempts = 5;

int64_t BucketStart(int64_t t, int64_t width_s) {
  const int64_t w = width_s * kMicrosPerSecond;
  int64_t q = t / w;
  if (t % w < 0) --q;
  return q * w;
}

struct Delta {
  int64_t total = 0, unique = 0, head = 0, bots = 0, conversions = 0, value_micros = 0;
  void Add(const Delta& d) {
    total += d.total;
    unique += d.unique;
    head += d.head;
    bots += d.bots;
    conversions += d.conversions;
    value_micros += d.value_micros;
  }
};

// Ordered maps: the upserts then run in key order (see the file comment).
using BucketKey = std::tuple<int64_t, int64_t, int64_t>;                     // id, width, start
using DimKey = std::tuple<int64_t, int64_t, int64_t, int64_t, std::string>;  // id, dim, width,
                                                                             // start, value
using ComboValues = std::array<std::string, 7>;
using ComboKey = std::tuple<int64_t, int64_t, int64_t, ComboValues>;  // id, width, start, values

struct Deltas {
  std::map<BucketKey, Delta> links, accounts;
  std::map<DimKey, Delta> dims, account_dims;
  std::map<ComboKey, Delta> combos, account_combos;
};

// `dimensions` false: the buckets only (a HEAD, an unattributed conversion); link 0: the
// account's only.
void AddHit(const HitRecord& hit, const Delta& d, Deltas* out, bool dimensions) {
  const Event& e = hit.event;
  for (int64_t w : kWidths) {
    const int64_t start = BucketStart(e.time_us, w);
    if (e.link_id != 0) out->links[{e.link_id, w, start}].Add(d);
    out->accounts[{e.account_id, w, start}].Add(d);
  }
  if (!dimensions) return;
  const Enrichment& en = hit.enrichment;
  const ComboValues values = {en.country,         en.device,   en.os,        en.browser,
                              en.referrer_domain, en.language, e.destination};
  const int64_t hour = BucketStart(e.time_us, 3600), day = BucketStart(e.time_us, 86400);
  for (int dim = 0; dim < 7; ++dim) {
    if (values[dim].empty()) continue;  // unknown: derived from the rollups when read
    out->dims[{e.link_id, dim, 3600, hour, values[dim]}].Add(d);
    out->account_dims[{e.account_id, dim, 3600, hour, values[dim]}].Add(d);
    out->account_dims[{e.account_id, dim, 86400, day, values[dim]}].Add(d);
  }
  out->combos[{e.link_id, 3600, hour, values}].Add(d);
  ComboValues no_destination = values;
  no_destination[6].clear();
  out->account_combos[{e.account_id, 3600, hour, no_destination}].Add(d);
  out->account_combos[{e.account_id, 86400, day, no_destination}].Add(d);
}

// What a conversion or an ip_30min flip asks for (pg_commit_parts.h), as a hit's values.
void AddChange(const pg::RollupChange& ch, Deltas* out) {
  HitRecord h;
  h.event.link_id = ch.link_id;
  h.event.account_id = ch.account_id;
  h.event.time_us = ch.time_us;
  Enrichment& en = h.enrichment;
  en.country = ch.values[0];
  en.device = ch.values[1];
  en.os = ch.values[2];
  en.browser = ch.values[3];
  en.referrer_domain = ch.values[4];
  en.language = ch.values[5];
  h.event.destination = ch.values[6];
  Delta d;
  d.unique = ch.unique;
  d.conversions = ch.conversions;
  d.value_micros = ch.value_micros;
  AddHit(h, d, out, ch.dimensions);
}

constexpr const char* kAddCounts =
    " DO UPDATE SET total = t.total + excluded.total,"
    " unique_count = t.unique_count + excluded.unique_count, bots = t.bots + excluded.bots,"
    " conversions = t.conversions + excluded.conversions,"
    " value_micros = t.value_micros + excluded.value_micros";

Status WriteBuckets(PgConn* c, const char* table, const char* id_col,
                    const std::map<BucketKey, Delta>& m) {
  if (m.empty()) return Status::Ok();
  ArrayText id, w, start, total, uniq, head, bots, conversions, value;
  for (const auto& [k, d] : m) {
    id.Int(std::get<0>(k));
    w.Int(std::get<1>(k));
    start.Int(std::get<2>(k));
    total.Int(d.total);
    uniq.Int(d.unique);
    head.Int(d.head);
    bots.Int(d.bots);
    conversions.Int(d.conversions);
    value.Int(d.value_micros);
  }
  const std::string sql =
      std::string("INSERT INTO ") + table + " AS t (" + id_col +
      ", granularity, bucket_start_us, total, unique_count, head, bots, conversions, "
      "value_micros) SELECT * FROM unnest($1::int8[], $2::int4[], $3::int8[], $4::int8[], "
      "$5::int8[], $6::int8[], $7::int8[], $8::int8[], $9::int8[]) ON CONFLICT (" +
      id_col + ", granularity, bucket_start_us)" + kAddCounts + ", head = t.head + excluded.head";
  return c
      ->Exec(sql, Params()
                      .Raw(id.Take())
                      .Raw(w.Take())
                      .Raw(start.Take())
                      .Raw(total.Take())
                      .Raw(uniq.Take())
                      .Raw(head.Take())
                      .Raw(bots.Take())
                      .Raw(conversions.Take())
                      .Raw(value.Take()))
      .status();
}

// The count columns every rollup upsert ends with (kAddCounts adds them on conflict).
struct CountColumns {
  static constexpr const char* kNames = "total, unique_count, bots, conversions, value_micros";
  ArrayText total, uniq, bots, conversions, value;
  void Add(const Delta& d) {
    total.Int(d.total);
    uniq.Int(d.unique);
    bots.Int(d.bots);
    conversions.Int(d.conversions);
    value.Int(d.value_micros);
  }
  void AppendTo(Params* p) {
    p->Raw(total.Take())
        .Raw(uniq.Take())
        .Raw(bots.Take())
        .Raw(conversions.Take())
        .Raw(value.Take());
  }
};

// dim_rollups (per link, hourly only: no granularity column) or account_dim_rollups (hour and
// day rows, with granularity).
Status WriteDimMap(PgConn* c, const std::map<DimKey, Delta>& m, const std::string& table,
                   const std::string& id_col, bool with_granularity) {
  if (m.empty()) return Status::Ok();
  ArrayText id, dim, w, start, value;
  CountColumns counts;
  for (const auto& [k, x] : m) {
    id.Int(std::get<0>(k));
    dim.Int(std::get<1>(k));
    w.Int(std::get<2>(k));
    start.Int(std::get<3>(k));
    value.Text(std::get<4>(k));
    counts.Add(x);
  }
  const std::string keys =
      id_col + ", dim, " + (with_granularity ? "granularity, " : "") + "bucket_start_us, value";
  const std::string types =
      with_granularity ? "$1::int8[], $2::int2[], $3::int4[], $4::int8[], $5::text[], $6::int8[], "
                         "$7::int8[], $8::int8[], $9::int8[], $10::int8[]"
                       : "$1::int8[], $2::int2[], $3::int8[], $4::text[], $5::int8[], $6::int8[], "
                         "$7::int8[], $8::int8[], $9::int8[]";
  Params p;
  p.Raw(id.Take()).Raw(dim.Take());
  if (with_granularity) p.Raw(w.Take());
  p.Raw(start.Take()).Raw(value.Take());
  counts.AppendTo(&p);
  return c
      ->Exec("INSERT INTO " + table + " AS t (" + keys + ", " + CountColumns::kNames +
                 ") SELECT * FROM unnest(" + types + ") ON CONFLICT (" + keys + ")" + kAddCounts,
             p)
      .status();
}

Status WriteDims(PgConn* c, const Deltas& d) {
  CT_RETURN_IF_ERROR(WriteDimMap(c, d.dims, "dim_rollups", "link_id", false));
  return WriteDimMap(c, d.account_dims, "account_dim_rollups", "account_id", true);
}

Status WriteCombos(PgConn* c, const std::map<ComboKey, Delta>& m, bool account) {
  if (m.empty()) return Status::Ok();
  ArrayText id, w, start;
  std::array<ArrayText, 7> v;
  CountColumns counts;
  for (const auto& [k, x] : m) {
    id.Int(std::get<0>(k));
    w.Int(std::get<1>(k));
    start.Int(std::get<2>(k));
    for (int i = 0; i < 7; ++i) v[i].Text(std::get<3>(k)[i]);
    counts.Add(x);
  }
  Params p;
  std::string sql;
  if (account) {
    sql =
        "INSERT INTO account_combo_rollups AS t (account_id, granularity, bucket_start_us, "
        "country, device, os, browser, referrer_domain, language, total, unique_count, bots, "
        "conversions, value_micros) "
        "SELECT * FROM unnest($1::int8[], $2::int4[], $3::int8[], $4::text[], $5::text[], "
        "$6::text[], $7::text[], $8::text[], $9::text[], $10::int8[], $11::int8[], $12::int8[], "
        "$13::int8[], $14::int8[]) "
        "ON CONFLICT (account_id, granularity, bucket_start_us, country, device, os, browser, "
        "referrer_domain, language)";
    p.Raw(id.Take()).Raw(w.Take()).Raw(start.Take());
    for (int i = 0; i < 6; ++i) p.Raw(v[i].Take());
  } else {
    sql =
        "INSERT INTO combo_rollups AS t (link_id, bucket_start_us, country, device, os, browser, "
        "referrer_domain, language, destination, total, unique_count, bots, conversions, "
        "value_micros) "
        "SELECT * FROM unnest($1::int8[], $2::int8[], $3::text[], $4::text[], $5::text[], "
        "$6::text[], $7::text[], $8::text[], $9::text[], $10::int8[], $11::int8[], $12::int8[], "
        "$13::int8[], $14::int8[]) "
        "ON CONFLICT (link_id, bucket_start_us, country, device, os, browser, referrer_domain, "
        "language, destination)";
    p.Raw(id.Take()).Raw(start.Take());
    for (int i = 0; i < 7; ++i) p.Raw(v[i].Take());
  }
  counts.AppendTo(&p);
  return c->Exec(sql + kAddCounts, p).status();
}

// The consumer's position compare-and-set; the row stays locked to commit, so a zombie
// consumer with the same name waits, then loses.
Status CheckPosition(PgConn* c, const CommitBatch& batch) {
  Result<PgResult> ins = c->Exec(
      "INSERT INTO consumer_offsets (consumer, position, updated_at) VALUES ($1, 0, 0) "
      "ON CONFLICT DO NOTHING",
      Params().Text(batch.consumer));
  if (!ins.ok()) return ins.status();
  Result<PgResult> r =
      c->Exec("SELECT position FROM consumer_offsets WHERE consumer = $1 FOR UPDATE",
              Params().Text(batch.consumer));
  if (!r.ok()) return r.status();
  const uint64_t stored = static_cast<uint64_t>(r->Int(0, 0));
  if (stored != batch.from_position) {
    return Status::FailedPrecondition("consumer " + batch.consumer + " is at " +
                                      std::to_string(stored) + ", batch starts at " +
                                      std::to_string(batch.from_position));
  }
  return Status::Ok();
}

struct ReconRow {
  int64_t answered = 0, journaled = 0, committed = 0, duplicates = 0, dead_lettered = 0,
          corrupted = 0;
};
using Recon = std::map<std::pair<int64_t, std::string>, ReconRow>;  // (hour, edge): PK order

Status AddTallies(PgConn* c, const CommitBatch& batch, int64_t now_us, Recon* recon) {
  for (const Tally& t : batch.tallies) {
    const std::string_view run(reinterpret_cast<const char*>(t.run.data()), t.run.size());
    // Applied only when its seq is beyond the run's last (a re-read copy is already counted);
    // the upsert says which in one statement.
    Result<PgResult> r =
        c->Exec(R"sql(
      INSERT INTO reconciliation_runs AS r (edge, run, seq, applied_at)
      VALUES ($1, $2::bytea, $3::int8, $4::int8)
      ON CONFLICT (edge, run) DO UPDATE SET seq = excluded.seq, applied_at = excluded.applied_at
      WHERE r.seq < excluded.seq RETURNING 1)sql",
                Params().Text(t.edge).Bytes(run).Int(static_cast<int64_t>(t.seq)).Int(now_us));
    if (!r.ok()) return r.status();
    if (r->rows() == 0) continue;
    Result<PgResult> e =
        c->Exec(R"sql(
      INSERT INTO reconciliation_edges (edge, as_of, final) VALUES ($1, $2::int8, $3::bool)
      ON CONFLICT (edge) DO UPDATE SET as_of = excluded.as_of, final = excluded.final
      WHERE excluded.as_of >= reconciliation_edges.as_of)sql",
                Params().Text(t.edge).Int(t.as_of_us).Bool((t.flags & kTallyFinal) != 0));
    if (!e.ok()) return e.status();
    for (const TallyRow& row : t.rows) {
      ReconRow& x = (*recon)[{row.hour_us, t.edge}];
      x.answered += static_cast<int64_t>(row.answered);
      x.journaled += static_cast<int64_t>(row.journaled);
    }
  }
  return Status::Ok();
}

Status WriteRecon(PgConn* c, const Recon& recon) {
  if (recon.empty()) return Status::Ok();
  ArrayText hour, edge, a, j, cm, d, dl, co;
  for (const auto& [k, x] : recon) {
    hour.Int(k.first);
    edge.Text(k.second);
    a.Int(x.answered);
    j.Int(x.journaled);
    cm.Int(x.committed);
    d.Int(x.duplicates);
    dl.Int(x.dead_lettered);
    co.Int(x.corrupted);
  }
  return c
      ->Exec(R"sql(
    INSERT INTO reconciliation AS t (hour, edge, answered, journaled, committed, duplicates,
                                     dead_lettered, corrupted)
    SELECT * FROM unnest($1::int8[], $2::text[], $3::int8[], $4::int8[], $5::int8[], $6::int8[],
                         $7::int8[], $8::int8[])
    ON CONFLICT (hour, edge) DO UPDATE SET
      answered = t.answered + excluded.answered, journaled = t.journaled + excluded.journaled,
      committed = t.committed + excluded.committed,
      duplicates = t.duplicates + excluded.duplicates,
      dead_lettered = t.dead_lettered + excluded.dead_lettered,
      corrupted = t.corrupted + excluded.corrupted)sql",
             Params()
                 .Raw(hour.Take())
                 .Raw(edge.Take())
                 .Raw(a.Take())
                 .Raw(j.Take())
                 .Raw(cm.Take())
                 .Raw(d.Take())
                 .Raw(dl.Take())
                 .Raw(co.Take()))
      .status();
}

// Records the ranges and moves each edge's committed_below (store/edge_ranges.h). The edge's
// watermark row is locked first (edges in sorted order), so two trackers committing ranges of
// one edge apply them one after the other and neither misses the other's.
Status ApplyEdgeRanges(PgConn* c, const CommitBatch& batch, int64_t now_us, CommitResult* result) {
  // One entry per (edge, from): a fetch can hold a message and its re-shipped copy, and one
  // upsert statement may not touch a row twice. The longer range wins, as the upsert says.
  std::map<std::string, std::map<uint64_t, PendingRange>> by_edge;
  for (const EdgeRange& r : batch.edge_ranges) {
    if (r.to <= r.from) continue;
    PendingRange& p = by_edge[r.edge][r.from];
    p.from = r.from;
    p.to = std::max(p.to, r.to);
    p.through_us = std::max(p.through_us, r.through_us);
  }
  for (auto& [edge, ranges] : by_edge) {
    Result<PgResult> ins = c->Exec(
        "INSERT INTO edge_watermarks (edge, committed_below, updated_at) VALUES ($1, 0, $2::int8) "
        "ON CONFLICT DO NOTHING",
        Params().Text(edge).Int(now_us));
    if (!ins.ok()) return ins.status();
    Result<PgResult> w = c->Exec(
        "SELECT committed_below, committed_through_us FROM edge_watermarks WHERE edge = $1 "
        "FOR UPDATE",
        Params().Text(edge));
    if (!w.ok()) return w.status();
    const EdgeAdvance before{static_cast<uint64_t>(w->Int(0, 0)), w->Int(0, 1)};
    ArrayText from, to, through;
    for (const auto& [f, r] : ranges) {
      if (r.to <= before.committed_below) continue;  // redelivered: the watermark passed it
      from.Int(static_cast<int64_t>(f));
      to.Int(static_cast<int64_t>(r.to));
      through.Int(r.through_us);
    }
    if (from.size() > 0) {
      Result<PgResult> r =
          c->Exec(R"sql(
        INSERT INTO edge_ranges AS r (edge, from_pos, to_pos, through_us)
        SELECT $1, f, t, h FROM unnest($2::int8[], $3::int8[], $4::int8[]) AS u(f, t, h)
        ON CONFLICT (edge, from_pos) DO UPDATE SET to_pos = GREATEST(r.to_pos, excluded.to_pos),
          through_us = GREATEST(r.through_us, excluded.through_us))sql",
                  Params().Text(edge).Raw(from.Take()).Raw(to.Take()).Raw(through.Take()));
      if (!r.ok()) return r.status();
    }
    Result<PgResult> all = c->Exec(
        "SELECT from_pos, to_pos, through_us FROM edge_ranges WHERE edge = $1 ORDER BY from_pos",
        Params().Text(edge));
    if (!all.ok()) return all.status();
    std::vector<PendingRange> pending;
    for (int i = 0; i < all->rows(); ++i) {
      pending.push_back({static_cast<uint64_t>(all->Int(i, 0)),
                         static_cast<uint64_t>(all->Int(i, 1)), all->Int(i, 2)});
    }
    const EdgeAdvance next =
        AdvanceEdge(before.committed_below, before.committed_through_us, pending);
    if (next.committed_below != before.committed_below) {
      Result<PgResult> up = c->Exec(
          "UPDATE edge_watermarks SET committed_below = $2::int8, committed_through_us = "
          "$3::int8, updated_at = $4::int8 WHERE edge = $1",
          Params()
              .Text(edge)
              .Int(static_cast<int64_t>(next.committed_below))
              .Int(next.committed_through_us)
              .Int(now_us));
      if (!up.ok()) return up.status();
      Result<PgResult> del =
          c->Exec("DELETE FROM edge_ranges WHERE edge = $1 AND to_pos <= $2::int8",
                  Params().Text(edge).Int(static_cast<int64_t>(next.committed_below)));
      if (!del.ok()) return del.status();
    }
    result->watermarks.emplace_back(edge, next.committed_below);
  }
  return Status::Ok();
}

// Which dead letters and losses are new (store/edge_ranges.h): the batch edge's committed_below
// (its row locked, as ApplyEdgeRanges does, so a concurrent commit of the edge waits) and the
// ranges committed above it, read only when an item has a range.
Result<NewItems> ClaimNewItems(PgConn* c, const CommitBatch& batch, int64_t now_us) {
  if (!HasRangedItems(batch)) return AllNew(batch);
  Result<PgResult> ins = c->Exec(
      "INSERT INTO edge_watermarks (edge, committed_below, updated_at) VALUES ($1, 0, $2::int8) "
      "ON CONFLICT DO NOTHING",
      Params().Text(batch.edge).Int(now_us));
  if (!ins.ok()) return ins.status();
  Result<PgResult> w =
      c->Exec("SELECT committed_below FROM edge_watermarks WHERE edge = $1 FOR UPDATE",
              Params().Text(batch.edge));
  if (!w.ok()) return w.status();
  Result<PgResult> all = c->Exec("SELECT from_pos, to_pos FROM edge_ranges WHERE edge = $1",
                                 Params().Text(batch.edge));
  if (!all.ok()) return all.status();
  std::vector<std::pair<uint64_t, uint64_t>> committed;
  for (int i = 0; i < all->rows(); ++i) {
    committed.emplace_back(static_cast<uint64_t>(all->Int(i, 0)),
                           static_cast<uint64_t>(all->Int(i, 1)));
  }
  RangeClaims claims(static_cast<uint64_t>(w->Int(0, 0)), committed);
  return ClaimItems(batch, &claims);
}

// The click and impression postbacks the new human hits fire: one outbox row per (event,
// postback), id derived from both, ON CONFLICT DO NOTHING (store/sqlite/outbox_writer.h).
Status WriteHitDeliveries(PgConn* c, const std::vector<const HitRecord*>& fired, int64_t now_us,
                          CommitResult* result) {
  if (fired.empty()) return Status::Ok();
  std::set<int64_t> account_set;
  for (const HitRecord* h : fired) account_set.insert(h->event.account_id);
  ArrayText accounts;
  for (int64_t a : account_set) accounts.Int(a);
  Result<PgResult> pr = c->Exec(
      "SELECT " CT_PG_POSTBACK_COLUMNS
      " FROM postbacks WHERE account_id = ANY($1::int8[]) AND deleted_at IS NULL ORDER BY id",
      Params().Raw(accounts.Take()));
  if (!pr.ok()) return pr.status();
  if (pr->rows() == 0) return Status::Ok();  // the common case: one query, no more
  std::map<int64_t, std::vector<PostbackRow>> postbacks;
  for (int i = 0; i < pr->rows(); ++i) {
    Result<PostbackRow> row = pg::ReadPostbackRow(*pr, i);
    if (!row.ok()) return row.status();
    postbacks[row->account_id].push_back(std::move(*row));
  }
  std::map<std::pair<int64_t, int64_t>, sqlite::LinkRef> links;
  ArrayText id, account, postback, event, kind, time, method, url, body;
  size_t n = 0;
  for (const HitRecord* h : fired) {
    const Event& e = h->event;
    auto pbs = postbacks.find(e.account_id);
    if (pbs == postbacks.end()) continue;
    std::optional<postback::MacroValues> values;
    for (const PostbackRow& pb : pbs->second) {
      if (!sqlite::PostbackFires(pb, e.kind, /*goal_id=*/0, /*attributed=*/true)) continue;
      if (!values) {
        auto key = std::make_pair(e.account_id, e.link_id);
        auto it = links.find(key);
        if (it == links.end()) {
          Result<PgResult> l = c->Exec(
              "SELECT slug, domain FROM links WHERE id = $1::int8 AND account_id = $2::int8",
              Params().Int(e.link_id).Int(e.account_id));
          if (!l.ok()) return l.status();
          sqlite::LinkRef ref;
          if (l->rows() > 0) ref = {l->Str(0, 0), l->Str(0, 1)};
          it = links.emplace(key, std::move(ref)).first;
        }
        values = sqlite::HitMacros(*h, it->second);
      }
      const bool post = pb.method == "POST";
      id.Text(sqlite::DeliveryId(e.id, pb.id));
      account.Int(e.account_id);
      postback.Int(pb.id);
      event.Bytes(std::string_view(reinterpret_cast<const char*>(e.id.data()), e.id.size()));
      kind.Int(static_cast<int64_t>(e.kind));
      time.Int(e.time_us);
      method.Text(post ? "POST" : "GET");
      url.Text(postback::ExpandTemplate(pb.url_template, *values));
      body.Text(post ? postback::JsonBody(*values) : std::string());
      ++n;
    }
  }
  if (n == 0) return Status::Ok();
  Result<PgResult> r = c->Exec(R"sql(
    INSERT INTO outbox (id, account_id, postback_id, event_id, event_kind, event_time_us, method,
                        url, body, state, created_at, next_attempt_us)
    SELECT i, a, p, e, k, t, m, u, b, 0, $10::int8, $10::int8
    FROM unnest($1::text[], $2::int8[], $3::int8[], $4::bytea[], $5::int2[], $6::int8[],
                $7::text[], $8::text[], $9::text[]) AS x(i, a, p, e, k, t, m, u, b)
    ORDER BY i
    ON CONFLICT (id) DO NOTHING)sql",
                               Params()
                                   .Raw(id.Take())
                                   .Raw(account.Take())
                                   .Raw(postback.Take())
                                   .Raw(event.Take())
                                   .Raw(kind.Take())
                                   .Raw(time.Take())
                                   .Raw(method.Take())
                                   .Raw(url.Take())
                                   .Raw(body.Take())
                                   .Int(now_us));
  if (!r.ok()) return r.status();
  result->deliveries += static_cast<uint64_t>(r->affected());
  return Status::Ok();
}

std::string_view IdView(const EventId& id) {
  return {reinterpret_cast<const char*>(id.data()), id.size()};
}

}  // namespace

Result<CommitResult> PostgresStore::Commit(const CommitBatch& batch) {
  for (int attempt = 1;; ++attempt) {
    Result<CommitResult> r = CommitOnce(batch);
    if (r.ok() || attempt == kCommitAttempts) return r;
    // Only a deadlock or serialization failure is worth an immediate retry: the transaction
    // was rolled back whole, and the other committer has moved on.
    const std::string& m = r.status().message();
    if (r.status().code() != StatusCode::kUnavailable ||
        (m.find("deadlock") == std::string::npos && m.find("serializ") == std::string::npos)) {
      return r;
    }
  }
}

Result<CommitResult> PostgresStore::CommitOnce(const CommitBatch& batch) {
  if (batch.to_position < batch.from_position) {
    return Status::InvalidArgument("commit moves consumer " + batch.consumer + " backwards");
  }
  Result<pg::Lease> lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  PgConn* c = lease->get();
  const int64_t now_us = clock_->NowMicros();

  // Partitions first, outside the transaction (DDL locks the parent table briefly).
  {
    std::set<int64_t> days;
    for (const HitRecord& h : batch.hits) days.insert(pg::PartitionDay(h.event.time_us));
    // Tomorrow's too, ahead of its first event: a long-running tracker then creates each day
    // before midnight, not in the first commit that needs it (cached: no statement after).
    days.insert(pg::PartitionDay(now_us) + 1);
    CT_RETURN_IF_ERROR(EnsureDays(c, std::vector<int64_t>(days.begin(), days.end())));
  }

  CT_RETURN_IF_ERROR(c->Run("BEGIN"));
  CT_RETURN_IF_ERROR(CheckPosition(c, batch));
  CommitResult result;
  Recon recon;
  CT_RETURN_IF_ERROR(AddTallies(c, batch, now_us, &recon));

  // How each account counts uniques.
  std::map<int64_t, UniqueDefinition> uniques;
  {
    std::set<int64_t> ids;
    for (const HitRecord& h : batch.hits) ids.insert(h.event.account_id);
    if (!ids.empty()) {
      ArrayText a;
      for (int64_t id : ids) a.Int(id);
      Result<PgResult> r =
          c->Exec("SELECT id, unique_definition FROM accounts WHERE id = ANY($1::int8[])",
                  Params().Raw(a.Take()));
      if (!r.ok()) return r.status();
      for (int i = 0; i < r->rows(); ++i) {
        uniques[r->Int(i, 0)] = static_cast<UniqueDefinition>(r->Int(i, 1));
      }
    }
  }
  // Conversions are not hits: pg_commit_conversions.cc applies them after the hits.
  auto conversion = [](const HitRecord& h) { return h.event.kind == EventKind::kConversion; };
  auto human = [&](const HitRecord& h) {
    return h.event.kind != EventKind::kHead && !conversion(h) && !h.enrichment.bot;
  };
  auto by_ip = [&](const HitRecord& h) {
    return human(h) && uniques[h.event.account_id] == UniqueDefinition::kIp30Min;
  };

  // 1. The hits, in key order; the insert returns exactly the ones that are new.
  std::vector<size_t> order(batch.hits.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Event &x = batch.hits[a].event, &y = batch.hits[b].event;
    return std::tie(x.time_us, x.id) < std::tie(y.time_us, y.id);
  });
  std::set<std::pair<int64_t, std::string>> inserted;
  if (!std::all_of(batch.hits.begin(), batch.hits.end(), conversion)) {
    std::array<ArrayText, 21> col;
    for (size_t i : order) {
      const HitRecord& h = batch.hits[i];
      if (conversion(h)) continue;
      const Event& e = h.event;
      const Enrichment& en = h.enrichment;
      col[0].Int(e.time_us);
      col[1].Bytes(IdView(e.id));
      col[2].Int(e.link_id);
      col[3].Int(e.account_id);
      col[4].Int(static_cast<int64_t>(e.kind));
      col[5].Text(e.ip);
      col[6].Text(e.user_agent);
      col[7].Text(e.referrer);
      col[8].Text(e.accept_language);
      col[9].Bytes(h.visitor_key);
      col[10].Text(en.country);
      col[11].Text(en.device);
      col[12].Text(en.os);
      col[13].Text(en.browser);
      col[14].Text(en.referrer_domain);
      col[15].Text(en.language);
      col[16].Text(e.destination);
      col[17].Bool(en.bot);
      col[18].Int(static_cast<int64_t>(e.flags));
      col[19].Text(e.visitor_id);
      col[20].Int(en.classifier);
    }
    Params p;
    for (ArrayText& a : col) p.Raw(a.Take());
    Result<PgResult> r = c->Exec(R"sql(
      INSERT INTO hits (time_us, event_id, link_id, account_id, kind, ip, user_agent, referrer,
                        accept_language, visitor_key, country, device, os, browser,
                        referrer_domain, language, destination, bot, flags, visitor_id,
                        classifier)
      SELECT * FROM unnest($1::int8[], $2::bytea[], $3::int8[], $4::int8[], $5::int2[],
                           $6::text[], $7::text[], $8::text[], $9::text[], $10::bytea[],
                           $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
                           $16::text[], $17::text[], $18::bool[], $19::int2[], $20::text[],
                           $21::int8[])
      ON CONFLICT (time_us, event_id) DO NOTHING
      RETURNING time_us, event_id)sql",
                                 p);
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->rows(); ++i) inserted.emplace(r->Int(i, 0), r->Bytes(i, 1));
  }

  // 2. In batch order: which hits are new (an id twice in one batch is new once), and the
  // visitor days the new human ones claim.
  std::vector<bool> is_new(batch.hits.size(), false);
  std::map<std::tuple<int64_t, int64_t, std::string>, size_t> first_of_day;  // -> hit index
  std::vector<size_t> ip_clicks;  // of ip_30min accounts: decided by pg_ip_uniques.cc
  for (size_t i = 0; i < batch.hits.size(); ++i) {
    const HitRecord& h = batch.hits[i];
    if (conversion(h)) continue;
    ReconRow& counts = recon[{HourStartMicros(h.event.time_us), batch.edge}];
    auto it = inserted.find({h.event.time_us, std::string(IdView(h.event.id))});
    if (it == inserted.end()) {
      ++result.duplicates;
      ++counts.duplicates;
      continue;
    }
    inserted.erase(it);
    is_new[i] = true;
    ++result.applied;
    ++counts.committed;
    if (by_ip(h)) {
      ip_clicks.push_back(i);
    } else if (human(h)) {
      const int64_t day = pg::PartitionDay(h.event.time_us);
      first_of_day.try_emplace({h.event.link_id, day, h.visitor_key}, i);
    }
  }
  std::set<size_t> unique_hits;
  if (!first_of_day.empty()) {
    ArrayText link, day, key;
    for (const auto& [k, i] : first_of_day) {
      link.Int(std::get<0>(k));
      day.Int(std::get<1>(k));
      key.Bytes(std::get<2>(k));
    }
    Result<PgResult> r = c->Exec(R"sql(
      INSERT INTO visitor_days (link_id, day, visitor_key)
      SELECT * FROM unnest($1::int8[], $2::int8[], $3::bytea[])
      ON CONFLICT DO NOTHING RETURNING link_id, day, visitor_key)sql",
                                 Params().Raw(link.Take()).Raw(day.Take()).Raw(key.Take()));
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->rows(); ++i) {
      unique_hits.insert(first_of_day.at({r->Int(i, 0), r->Int(i, 1), r->Bytes(i, 2)}));
    }
    if (!unique_hits.empty()) {
      ArrayText t, id;
      for (size_t i : unique_hits) {
        t.Int(batch.hits[i].event.time_us);
        id.Bytes(IdView(batch.hits[i].event.id));
      }
      Result<PgResult> u = c->Exec(R"sql(
        UPDATE hits SET is_unique = true FROM unnest($1::int8[], $2::bytea[]) AS u(t, id)
        WHERE hits.time_us = u.t AND hits.event_id = u.id)sql",
                                   Params().Raw(t.Take()).Raw(id.Take()));
      if (!u.ok()) return u.status();
    }
  }

  std::vector<pg::RollupChange> changes;
  CT_RETURN_IF_ERROR(pg::DecideIpUniques(c, batch, ip_clicks, &unique_hits, &changes));

  // 3. Rollups of the new hits, and the postbacks their human clicks fire; the conversions.
  Deltas deltas;
  std::vector<const HitRecord*> fired;
  for (size_t i = 0; i < batch.hits.size(); ++i) {
    if (!is_new[i]) continue;
    const HitRecord& h = batch.hits[i];
    Delta d;
    if (h.event.kind == EventKind::kHead) {
      d.head = 1;
    } else if (!human(h)) {
      d.bots = 1;
    } else {
      d.total = 1;
      d.unique = unique_hits.count(i) ? 1 : 0;
      fired.push_back(&h);
    }
    AddHit(h, d, &deltas, h.event.kind != EventKind::kHead);
  }
  CT_RETURN_IF_ERROR(pg::ApplyConversions(
      c, batch, is_new, now_us,
      [&](const HitRecord& h, bool fresh) {
        ++(fresh ? recon[{HourStartMicros(h.event.time_us), batch.edge}].committed
                 : recon[{HourStartMicros(h.event.time_us), batch.edge}].duplicates);
      },
      &result, &changes));
  for (const pg::RollupChange& ch : changes) AddChange(ch, &deltas);
  CT_RETURN_IF_ERROR(WriteBuckets(c, "rollups", "link_id", deltas.links));
  CT_RETURN_IF_ERROR(WriteBuckets(c, "account_rollups", "account_id", deltas.accounts));
  CT_RETURN_IF_ERROR(WriteDims(c, deltas));
  CT_RETURN_IF_ERROR(WriteCombos(c, deltas.combos, /*account=*/false));
  CT_RETURN_IF_ERROR(WriteCombos(c, deltas.account_combos, /*account=*/true));
  CT_RETURN_IF_ERROR(pg::WritePairRollups(c, deltas.account_combos));
  CT_RETURN_IF_ERROR(pg::WriteDestinationLinksOf(c, deltas.combos));
  CT_RETURN_IF_ERROR(WriteHitDeliveries(c, fired, now_us, &result));

  // 4. Dead letters, losses, reconciliation, journal ranges, the position. Dead letters and
  // losses count once per journal range: their claims compare with the ranges committed before
  // this batch, so before ApplyEdgeRanges.
  Result<NewItems> fresh = ClaimNewItems(c, batch, now_us);
  if (!fresh.ok()) return fresh.status();
  bool any_dead_letter = false;
  for (bool b : fresh->dead_letters) any_dead_letter = any_dead_letter || b;
  if (any_dead_letter) {
    ArrayText pos, reason, payload;
    for (size_t i = 0; i < batch.dead_letters.size(); ++i) {
      if (!fresh->dead_letters[i]) continue;  // this range's copy is kept already
      const DeadLetter& dl = batch.dead_letters[i];
      pos.Int(static_cast<int64_t>(dl.position));
      reason.Text(dl.reason);
      payload.Bytes(dl.payload);
      ++recon[{HourStartMicros(dl.time_us), batch.edge}].dead_lettered;
    }
    Result<PgResult> r = c->Exec(R"sql(
      INSERT INTO dead_letters (consumer, position, reason, payload, created_at)
      SELECT $1, p, r, d, $5::int8 FROM unnest($2::int8[], $3::text[], $4::bytea[]) AS x(p, r, d))sql",
                                 Params()
                                     .Text(batch.consumer)
                                     .Raw(pos.Take())
                                     .Raw(reason.Take())
                                     .Raw(payload.Take())
                                     .Int(now_us));
    if (!r.ok()) return r.status();
  }
  for (size_t i = 0; i < batch.losses.size(); ++i) {
    if (!fresh->losses[i]) continue;
    const RecordLoss& loss = batch.losses[i];
    recon[{HourStartMicros(loss.time_us), batch.edge}].corrupted +=
        static_cast<int64_t>(loss.records);
  }
  CT_RETURN_IF_ERROR(WriteRecon(c, recon));
  CT_RETURN_IF_ERROR(ApplyEdgeRanges(c, batch, now_us, &result));
  Result<PgResult> pos = c->Exec(
      "UPDATE consumer_offsets SET position = $2::int8, updated_at = $3::int8 WHERE consumer = $1",
      Params().Text(batch.consumer).Int(static_cast<int64_t>(batch.to_position)).Int(now_us));
  if (!pos.ok()) return pos.status();
  CT_RETURN_IF_ERROR(pg::AssignCommitSeqs(c, batch.hits, is_new));  // last: see its comment
  CT_RETURN_IF_ERROR(c->Run("COMMIT"));
  return result;
}

}  // namespace ct
