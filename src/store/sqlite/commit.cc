// What the numbers of every report mean (README "Definitions"):
//   total   human clicks: GET requests on a link whose hit was not classified as a bot
//           (Enrichment.bot false).
//   unique  of those, by the account's UniqueDefinition. per_visitor_day (the default): the
//           first click of its visitor_key on its link in its UTC day (the day of
//           the event's time_us, not of the commit). The unique count of a minute, hour or day
//           bucket is the number of such first clicks whose time falls in that bucket, so the
//           minute and hour uniques of a day add up to the day's. "First" is in commit order: a
//           late event older than one already committed for the same visitor and day is not
//           unique. Bots never mark a visitor's day, so a bot's click cannot take a human's
//           "first". ip_30min: no human click from its IP on its link in the 30 minutes
//           before it, by event time (store/sqlite/ip_uniques.h: decided after the batch's
//           other work, in event-time order; visitor_days is not used).
//   bots    GET requests classified as bots (crawler list, prefetch/preview): counted here
//           only, never in total or unique.
//   head    HEAD requests (link scanners, previews), counted only here, never in total, unique
//           or bots.
// Each hit adds to the link's minute, hour and day rollups, to the same three of its account
// (account_rollups), and, unless it is a HEAD, to one hourly dim_rollups row per dimension
// whose value is known (country, device, os, browser, referrer domain, language,
// destination), the account's hourly and daily account_dim_rollups rows of the same, and the
// link's hourly combo_rollups row of its whole combination of values (filtered reports). A
// breakdown's unknown ("") row is the hour rollups' count minus the known rows', and its bot/human
// rows are the rollups' bots and total/unique (store/sqlite/reports.cc). A pixel's impressions
// count as a link's clicks (total = human impressions). Conversions are not hits:
// store/sqlite/conversions.cc records and counts them (conversions, value_micros).
#include "store/sqlite/commit.h"

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/edge_ranges.h"
#include "store/sqlite/batch_lookups.h"
#include "store/sqlite/conversions.h"
#include "store/sqlite/ip_uniques.h"
#include "store/sqlite/macro_values.h"
#include "store/sqlite/outbox_writer.h"
#include "store/sqlite/reconciliation.h"
#include "store/sqlite/rollup_deltas.h"
#include "store/sqlite/transaction.h"

namespace ct::sqlite {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

constexpr std::string_view kBotValue = "bot";
constexpr std::string_view kHumanValue = "human";

// Positions are u64 on the wire and INTEGER (i64) in SQLite; the cast round-trips all values.
int64_t ToDb(uint64_t position) { return static_cast<int64_t>(position); }

[[nodiscard]] Status CheckPosition(Db* db, const CommitBatch& batch) {
  Result<Statement> stmt = db->Prepare("SELECT position FROM consumer_offsets WHERE consumer = ?");
  if (!stmt.ok()) return stmt.status();
  CT_RETURN_IF_ERROR(stmt->BindAll(std::string_view(batch.consumer)));
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  uint64_t stored = *row ? static_cast<uint64_t>(stmt->ColumnInt(0)) : 0;
  if (stored != batch.from_position) {
    // A zombie or duplicate consumer: someone else already moved the position.
    return Status::FailedPrecondition("consumer " + batch.consumer + " is at " +
                                      std::to_string(stored) + ", batch starts at " +
                                      std::to_string(batch.from_position));
  }
  return Status::Ok();
}

// Inserts the hit; sets *is_new=false when its event id was committed before (a duplicate).
// is_unique is decided in the same statement when `by_day` (a human click of a per_visitor_day
// account): the visitor has no row for the link and day yet (MarkVisitorDay adds it next, for
// new hits only). Otherwise it is 0, and IpUniques may set it. Cheaper than flagging the
// row afterwards, and the visitor_days page it reads is the one the insert then writes.
// `seq` is the hit's commit sequence number (the live stream's cursor), used only if it is new.
[[nodiscard]] Status InsertHit(Db* db, const HitRecord& hit, bool by_day, int64_t day, int64_t seq,
                               bool* is_new) {
  // ON CONFLICT(event_id) rather than INSERT OR IGNORE: only the dedup key may be ignored; any
  // other failure must abort the batch, not pass for a duplicate.
  Result<Statement> stmt = db->Prepare(R"sql(
    INSERT INTO hits (event_id, link_id, account_id, kind, time_us, ip, user_agent, referrer,
                      accept_language, visitor_key, country, device, os, browser,
                      referrer_domain, language, destination, bot, flags, visitor_id,
                      classifier, commit_seq, is_unique)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
            ? AND NOT EXISTS (SELECT 1 FROM visitor_days
                              WHERE link_id = ? AND day = ? AND visitor_key = ?))
    ON CONFLICT (event_id) DO NOTHING)sql");
  if (!stmt.ok()) return stmt.status();
  const Event& e = hit.event;
  const Enrichment& en = hit.enrichment;
  const Blob visitor{hit.visitor_key.data(), hit.visitor_key.size()};
  CT_RETURN_IF_ERROR(stmt->BindAll(
      Blob{e.id.data(), e.id.size()}, e.link_id, e.account_id, static_cast<int64_t>(e.kind),
      e.time_us, std::string_view(e.ip), std::string_view(e.user_agent),
      std::string_view(e.referrer), std::string_view(e.accept_language), visitor,
      std::string_view(en.country), std::string_view(en.device), std::string_view(en.os),
      std::string_view(en.browser), std::string_view(en.referrer_domain),
      std::string_view(en.language), std::string_view(e.destination),
      static_cast<int64_t>(en.bot ? 1 : 0), static_cast<int64_t>(e.flags),
      std::string_view(e.visitor_id), en.classifier, seq, static_cast<int64_t>(by_day ? 1 : 0),
      e.link_id, day, visitor));
  CT_RETURN_IF_ERROR(stmt->Run());
  *is_new = stmt->Changes() > 0;
  return Status::Ok();
}

// The live stream's counter (hit_commit_seq): read once per commit, written back once. The
// commit holds the write lock, so numbers follow commit order with no gaps between commits.
[[nodiscard]] Result<int64_t> ReadLastSeq(Db* db) {
  return db->QueryInt("SELECT last FROM hit_commit_seq WHERE id = 1");
}

[[nodiscard]] Status WriteLastSeq(Db* db, int64_t last) {
  Result<Statement> stmt = db->Prepare("UPDATE hit_commit_seq SET last = ? WHERE id = 1");
  if (!stmt.ok()) return stmt.status();
  CT_RETURN_IF_ERROR(stmt->BindAll(last));
  return stmt->Run();
}

int64_t UtcDay(int64_t time_us) {
  return BucketStart(time_us, kDaySeconds) / (kDaySeconds * kMicrosPerSecond);
}

// Records the visitor's click for the day; *first=true if it is the first one (unique).
[[nodiscard]] Status MarkVisitorDay(Db* db, const HitRecord& hit, bool* first) {
  Result<Statement> stmt = db->Prepare(R"sql(
    INSERT INTO visitor_days (link_id, day, visitor_key) VALUES (?, ?, ?)
    ON CONFLICT DO NOTHING)sql");
  if (!stmt.ok()) return stmt.status();
  CT_RETURN_IF_ERROR(stmt->BindAll(hit.event.link_id, UtcDay(hit.event.time_us),
                                   Blob{hit.visitor_key.data(), hit.visitor_key.size()}));
  CT_RETURN_IF_ERROR(stmt->Run());
  *first = stmt->Changes() > 0;
  return Status::Ok();
}

// The hit's value of each stored Dimension, in enum order (store.h). kBot is not stored: its
// "human" and "bot" rows are the rollups' total/unique and bots.
std::array<std::string_view, kStoredDimensions> DimensionValues(const HitRecord& hit) {
  const Enrichment& en = hit.enrichment;
  return {en.country,           en.device, en.os, en.browser, en.referrer_domain, en.language,
          hit.event.destination};
}

// The click or impression postbacks a new human click or impression fires. The account's
// postbacks are read once per batch (BatchLookups): an account without any costs no statement
// per click.
[[nodiscard]] Status WriteHitDeliveries(BatchLookups* lookups, OutboxWriter* outbox,
                                        const HitRecord& hit) {
  const Event& e = hit.event;
  Result<const std::vector<PostbackRow>*> postbacks = lookups->Postbacks(e.account_id);
  if (!postbacks.ok()) return postbacks.status();
  std::optional<postback::MacroValues> values;  // computed for the first postback that fires
  for (const PostbackRow& pb : **postbacks) {
    if (!PostbackFires(pb, e.kind, /*goal_id=*/0, /*attributed=*/true)) continue;
    if (!values) {
      Result<const LinkRef*> link = lookups->Link(e.account_id, e.link_id);
      if (!link.ok()) return link.status();
      values = HitMacros(hit, **link);
    }
    CT_RETURN_IF_ERROR(outbox->Add(e, pb, *values));
  }
  return Status::Ok();
}

// Which dead letters and losses are new (store/edge_ranges.h): the batch edge's committed_below
// and the ranges committed above it, read only when an item has a range. The write lock makes
// the read stable to commit.
[[nodiscard]] Result<NewItems> ClaimNewItems(Db* db, const CommitBatch& batch) {
  if (!HasRangedItems(batch)) return AllNew(batch);
  Result<Statement> get = db->Prepare("SELECT committed_below FROM edge_watermarks WHERE edge = ?");
  if (!get.ok()) return get.status();
  CT_RETURN_IF_ERROR(get->BindAll(std::string_view(batch.edge)));
  Result<bool> row = get->Step();
  if (!row.ok()) return row.status();
  const uint64_t below = *row ? static_cast<uint64_t>(get->ColumnInt(0)) : 0;
  Result<Statement> ranges = db->Prepare("SELECT from_pos, to_pos FROM edge_ranges WHERE edge = ?");
  if (!ranges.ok()) return ranges.status();
  CT_RETURN_IF_ERROR(ranges->BindAll(std::string_view(batch.edge)));
  std::vector<std::pair<uint64_t, uint64_t>> committed;
  for (;;) {
    Result<bool> r = ranges->Step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    committed.emplace_back(static_cast<uint64_t>(ranges->ColumnInt(0)),
                           static_cast<uint64_t>(ranges->ColumnInt(1)));
  }
  RangeClaims claims(below, committed);
  return ClaimItems(batch, &claims);
}

[[nodiscard]] Status InsertDeadLetters(Db* db, const CommitBatch& batch,
                                       const std::vector<bool>& keep, int64_t now_us) {
  Result<Statement> stmt = db->Prepare(R"sql(
    INSERT INTO dead_letters (consumer, position, reason, payload, created_at)
    VALUES (?, ?, ?, ?, ?))sql");
  if (!stmt.ok()) return stmt.status();
  for (size_t i = 0; i < batch.dead_letters.size(); ++i) {
    if (!keep[i]) continue;  // this range's copy is kept already
    const DeadLetter& dl = batch.dead_letters[i];
    CT_RETURN_IF_ERROR(stmt->BindAll(std::string_view(batch.consumer), ToDb(dl.position),
                                     std::string_view(dl.reason),
                                     Blob{dl.payload.data(), dl.payload.size()}, now_us));
    CT_RETURN_IF_ERROR(stmt->Run());
  }
  return Status::Ok();
}

[[nodiscard]] Status StorePosition(Db* db, const CommitBatch& batch, int64_t now_us) {
  Result<Statement> stmt = db->Prepare(R"sql(
    INSERT INTO consumer_offsets (consumer, position, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (consumer) DO UPDATE SET
      position = excluded.position, updated_at = excluded.updated_at)sql");
  if (!stmt.ok()) return stmt.status();
  CT_RETURN_IF_ERROR(
      stmt->BindAll(std::string_view(batch.consumer), ToDb(batch.to_position), now_us));
  return stmt->Run();
}

// Records the batch's journal ranges and moves each edge's committed_below over the ones that
// now chain from it (store/edge_ranges.h); fills result->watermarks. The write lock makes the
// read-modify-write safe.
[[nodiscard]] Status ApplyEdgeRanges(Db* db, const CommitBatch& batch, int64_t now_us,
                                     CommitResult* result) {
  std::map<std::string, std::vector<PendingRange>> by_edge;
  for (const EdgeRange& r : batch.edge_ranges) {
    if (r.to > r.from)
      by_edge[r.edge].push_back({r.from, r.to, r.through_us});
    else
      by_edge[r.edge];  // an empty range still reports the edge's watermark
  }
  for (auto& [edge, ranges] : by_edge) {
    Result<Statement> get = db->Prepare(
        "SELECT committed_below, committed_through_us FROM edge_watermarks WHERE edge = ?");
    if (!get.ok()) return get.status();
    CT_RETURN_IF_ERROR(get->BindAll(std::string_view(edge)));
    Result<bool> row = get->Step();
    if (!row.ok()) return row.status();
    const EdgeAdvance before =
        *row ? EdgeAdvance{static_cast<uint64_t>(get->ColumnInt(0)), get->ColumnInt(1)}
             : EdgeAdvance{};
    Result<Statement> ins = db->Prepare(R"sql(
      INSERT INTO edge_ranges (edge, from_pos, to_pos, through_us) VALUES (?, ?, ?, ?)
      ON CONFLICT (edge, from_pos) DO UPDATE SET to_pos = MAX(to_pos, excluded.to_pos),
                                                 through_us = MAX(through_us, excluded.through_us))sql");
    if (!ins.ok()) return ins.status();
    for (const PendingRange& r : ranges) {
      if (r.to <= before.committed_below) continue;  // a redelivery the watermark passed
      CT_RETURN_IF_ERROR(
          ins->BindAll(std::string_view(edge), ToDb(r.from), ToDb(r.to), r.through_us));
      CT_RETURN_IF_ERROR(ins->Run());
    }
    Result<Statement> pending = db->Prepare(
        "SELECT from_pos, to_pos, through_us FROM edge_ranges WHERE edge = ? ORDER BY from_pos");
    if (!pending.ok()) return pending.status();
    CT_RETURN_IF_ERROR(pending->BindAll(std::string_view(edge)));
    std::vector<PendingRange> all;
    for (;;) {
      Result<bool> r = pending->Step();
      if (!r.ok()) return r.status();
      if (!*r) break;
      all.push_back({static_cast<uint64_t>(pending->ColumnInt(0)),
                     static_cast<uint64_t>(pending->ColumnInt(1)), pending->ColumnInt(2)});
    }
    const EdgeAdvance next = AdvanceEdge(before.committed_below, before.committed_through_us, all);
    Result<Statement> up = db->Prepare(R"sql(
      INSERT INTO edge_watermarks (edge, committed_below, committed_through_us, updated_at)
      VALUES (?, ?, ?, ?)
      ON CONFLICT (edge) DO UPDATE SET committed_below = excluded.committed_below,
                                       committed_through_us = excluded.committed_through_us,
                                       updated_at = excluded.updated_at)sql");
    if (!up.ok()) return up.status();
    CT_RETURN_IF_ERROR(up->BindAll(std::string_view(edge), ToDb(next.committed_below),
                                   next.committed_through_us, now_us));
    CT_RETURN_IF_ERROR(up->Run());
    // Journal positions stay far below 2^63, so the signed compare is the unsigned one.
    Result<Statement> del = db->Prepare("DELETE FROM edge_ranges WHERE edge = ? AND to_pos <= ?");
    if (!del.ok()) return del.status();
    CT_RETURN_IF_ERROR(del->BindAll(std::string_view(edge), ToDb(next.committed_below)));
    CT_RETURN_IF_ERROR(del->Run());
    result->watermarks.emplace_back(edge, next.committed_below);
  }
  return Status::Ok();
}

}  // namespace

Result<CommitResult> ApplyCommit(Db* db, const CommitBatch& batch, int64_t now_us) {
  if (batch.to_position < batch.from_position) {
    return Status::InvalidArgument("commit moves consumer " + batch.consumer + " backwards");
  }
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  CT_RETURN_IF_ERROR(CheckPosition(db, batch));

  CommitResult result;
  BatchDeltas deltas;
  BatchLookups lookups(db);
  OutboxWriter outbox(db, now_us);
  IpUniques ip_uniques(db, &deltas);
  const ConversionContext conversions{db, &lookups, &deltas, &outbox};
  // Reconciliation counts what this transaction actually applies, per event hour.
  ReconciliationDeltas recon;
  CT_RETURN_IF_ERROR(recon.AddTallies(db, batch, now_us));
  Result<int64_t> last_seq = ReadLastSeq(db);
  if (!last_seq.ok()) return last_seq.status();
  const int64_t first_seq = *last_seq + 1;
  // In batch order, so a conversion finds a click committed earlier in the same batch.
  for (const HitRecord& hit : batch.hits) {
    ReconciliationDeltas::Row& counts = recon.At(batch.edge, hit.event.time_us);
    if (hit.event.kind == EventKind::kConversion) {
      const uint64_t applied_before = result.applied;
      CT_RETURN_IF_ERROR(ApplyConversion(conversions, hit, &result));
      ++(result.applied > applied_before ? counts.committed : counts.duplicates);
      continue;
    }
    const bool human = hit.event.kind != EventKind::kHead && !hit.enrichment.bot;
    bool by_ip = false;
    if (human) {
      Result<UniqueDefinition> uniques = lookups.Uniques(hit.event.account_id);
      if (!uniques.ok()) return uniques.status();
      by_ip = *uniques == UniqueDefinition::kIp30Min;
    }
    bool is_new = false;
    CT_RETURN_IF_ERROR(
        InsertHit(db, hit, human && !by_ip, UtcDay(hit.event.time_us), *last_seq + 1, &is_new));
    if (!is_new) {
      ++result.duplicates;
      ++counts.duplicates;
      continue;
    }
    ++*last_seq;
    ++result.applied;
    ++counts.committed;
    // A pixel's impressions count exactly as a link's clicks do.
    RollupDelta delta;
    if (hit.event.kind == EventKind::kHead) {
      delta.head = 1;
    } else if (!human) {
      delta.bots = 1;  // never a visitor's "first": bots do not mark visitor_days
    } else if (by_ip) {
      ip_uniques.Add(&hit);  // its unique, if any, is added after the loop
      delta.total = 1;
    } else {
      bool first = false;
      CT_RETURN_IF_ERROR(MarkVisitorDay(db, hit, &first));  // agrees with the row's is_unique
      delta.total = 1;
      delta.unique = first ? 1 : 0;
    }
    const int64_t t = hit.event.time_us;
    deltas.AddBuckets(hit.event.link_id, hit.event.account_id, t, delta);
    if (hit.event.kind == EventKind::kHead) continue;
    deltas.AddDimensions(hit.event.link_id, hit.event.account_id, t, DimensionValues(hit), delta);
    if (human) CT_RETURN_IF_ERROR(WriteHitDeliveries(&lookups, &outbox, hit));
  }
  // After the loop: the batch's ip_30min clicks are decided in event-time order, not batch order.
  CT_RETURN_IF_ERROR(ip_uniques.Apply());
  CT_RETURN_IF_ERROR(deltas.Write(db));
  // Before ApplyEdgeRanges: the claims compare with the ranges committed before this batch.
  Result<NewItems> fresh = ClaimNewItems(db, batch);
  if (!fresh.ok()) return fresh.status();
  CT_RETURN_IF_ERROR(InsertDeadLetters(db, batch, fresh->dead_letters, now_us));
  for (size_t i = 0; i < batch.dead_letters.size(); ++i) {
    if (fresh->dead_letters[i]) ++recon.At(batch.edge, batch.dead_letters[i].time_us).dead_lettered;
  }
  for (size_t i = 0; i < batch.losses.size(); ++i) {
    const RecordLoss& loss = batch.losses[i];
    if (fresh->losses[i]) {
      recon.At(batch.edge, loss.time_us).corrupted += static_cast<int64_t>(loss.records);
    }
  }
  CT_RETURN_IF_ERROR(recon.Write(db));
  if (*last_seq >= first_seq) CT_RETURN_IF_ERROR(WriteLastSeq(db, *last_seq));
  CT_RETURN_IF_ERROR(ApplyEdgeRanges(db, batch, now_us, &result));
  CT_RETURN_IF_ERROR(StorePosition(db, batch, now_us));
  CT_RETURN_IF_ERROR(txn.Commit());
  result.deliveries = outbox.written();
  return result;
}

}  // namespace ct::sqlite
