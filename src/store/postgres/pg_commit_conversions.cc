// Conversions in PostgresStore::Commit (pg_commit_parts.h ApplyConversions), with the steps and
// statuses of store/sqlite/conversions.cc (docs/design/conversions.md "Attribution and
// counting").
//
// SQLite checks conversion_keys, then writes: its single writer makes that safe. Here several
// trackers commit at once, so the dedup is the unique keys themselves, never a read first:
//   1. the conversions row goes in first, ON CONFLICT (event_id) DO NOTHING: a redelivered
//      event (to this tracker or another, concurrently or hours later) stops there;
//   2. a counted one then claims its keys with INSERT ... ON CONFLICT DO NOTHING RETURNING: the
//      order id (every counting mode), then the click (kOncePerClick: a conflict makes it a
//      duplicate click, and the order key just claimed is given back). A second tracker
//      claiming the same key waits on the first one's row lock and then sees it committed (a
//      duplicate) or rolled back (its own claim wins): exactly once, whatever the timing;
//   3. a status the claims changed is written to the row.
//
// Attribution finds the named click by primary key (time_us, event_id) in the one millisecond
// its id carries (common/event.h: an edge-made id starts with the millisecond of its event's
// time_us), so it is a probe of one partition's index, not a scan of the goal's window; ids
// that do not carry their hit's time (none the edge makes) are not found.
#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "store/postgres/pg_array.h"
#include "store/postgres/pg_commit_parts.h"
#include "store/postgres/pg_rows.h"
#include "store/sqlite/batch_lookups.h"
#include "store/sqlite/conversions.h"
#include "store/sqlite/macro_values.h"
#include "store/sqlite/outbox_writer.h"

namespace ct::pg {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kWidths[] = {60, 3600, 86400};
// conversion_keys.kind, as SQLite.
constexpr int64_t kOrderKey = 1;
constexpr int64_t kClickKey = 2;

int64_t BucketStart(int64_t t, int64_t width_s) {
  const int64_t w = width_s * kMicrosPerSecond;
  int64_t q = t / w;
  if (t % w < 0) --q;
  return q * w;
}

std::string_view Bytes(const EventId& id) {
  return {reinterpret_cast<const char*>(id.data()), id.size()};
}

// A human click's hit row, as attribution reads it.
struct ClickHit {
  EventId id{};
  int64_t link_id = 0;
  int64_t time_us = 0;
  std::string visitor_id;
  Enrichment enrichment;
  std::string destination;
};

// The goals, postbacks and links the batch's conversions need, each read once per batch.
class Lookups {
 public:
  explicit Lookups(PgConn* c) : c_(c) {}

  // The live goal of the account; nullptr when unknown, deleted or another account's.
  Result<const GoalRow*> Goal(int64_t account_id, int64_t goal_id) {
    auto it = goals_.find({account_id, goal_id});
    if (it == goals_.end()) {
      Result<PgResult> r = c_->Exec("SELECT " CT_PG_GOAL_COLUMNS
                                    " FROM goals WHERE id = $1::int8 AND account_id = $2::int8 "
                                    "AND deleted_at IS NULL",
                                    Params().Int(goal_id).Int(account_id));
      if (!r.ok()) return r.status();
      std::optional<GoalRow> goal;
      if (r->rows() > 0) {
        Result<GoalRow> row = ReadGoalRow(*r, 0);
        if (!row.ok()) return row.status();
        goal = std::move(*row);
      }
      it = goals_.emplace(std::make_pair(account_id, goal_id), std::move(goal)).first;
    }
    return it->second ? &*it->second : nullptr;
  }

  // The account's live postbacks, disabled ones included (their rows wait for them).
  Result<const std::vector<PostbackRow>*> Postbacks(int64_t account_id) {
    auto it = postbacks_.find(account_id);
    if (it == postbacks_.end()) {
      Result<PgResult> r = c_->Exec("SELECT " CT_PG_POSTBACK_COLUMNS
                                    " FROM postbacks WHERE account_id = $1::int8 "
                                    "AND deleted_at IS NULL ORDER BY id",
                                    Params().Int(account_id));
      if (!r.ok()) return r.status();
      std::vector<PostbackRow> rows;
      for (int i = 0; i < r->rows(); ++i) {
        Result<PostbackRow> row = ReadPostbackRow(*r, i);
        if (!row.ok()) return row.status();
        rows.push_back(std::move(*row));
      }
      it = postbacks_.emplace(account_id, std::move(rows)).first;
    }
    return &it->second;
  }

  // The link's slug and domain (deleted links too); empty when unknown in the account.
  Result<const sqlite::LinkRef*> Link(int64_t account_id, int64_t link_id) {
    auto it = links_.find({account_id, link_id});
    if (it == links_.end()) {
      Result<PgResult> r =
          c_->Exec("SELECT slug, domain FROM links WHERE id = $1::int8 AND account_id = $2::int8",
                   Params().Int(link_id).Int(account_id));
      if (!r.ok()) return r.status();
      sqlite::LinkRef ref;
      if (r->rows() > 0) ref = {r->Str(0, 0), r->Str(0, 1)};
      it = links_.emplace(std::make_pair(account_id, link_id), std::move(ref)).first;
    }
    return &it->second;
  }

 private:
  PgConn* c_;
  std::map<std::pair<int64_t, int64_t>, std::optional<GoalRow>> goals_;
  std::map<int64_t, std::vector<PostbackRow>> postbacks_;
  std::map<std::pair<int64_t, int64_t>, sqlite::LinkRef> links_;
};

// The outbox rows of the batch's conversions, written in one statement at the end.
struct OutboxRows {
  ArrayText id, account, postback, event, time, method, url, body;
  void Add(const std::string& delivery_id, const Event& e, int64_t postback_id, bool post,
           const std::string& expanded, const std::string& json) {
    id.Text(delivery_id);
    account.Int(e.account_id);
    postback.Int(postback_id);
    event.Bytes(Bytes(e.id));
    time.Int(e.time_us);
    method.Text(post ? "POST" : "GET");
    url.Text(expanded);
    body.Text(json);
  }
};

class Applier {
 public:
  Applier(PgConn* c, const CommitBatch& batch, const std::vector<bool>& is_new,
          std::vector<RollupChange>* changes)
      : c_(c), batch_(batch), lookups_(c), changes_(changes) {
    // Clicks this commit inserts, by id: a conversion may not be credited to one that comes
    // after it in the batch (SQLite applies the batch in order).
    for (size_t i = 0; i < batch.hits.size(); ++i) {
      if (is_new[i] && batch.hits[i].event.kind != EventKind::kConversion) {
        new_at_.emplace(std::string(Bytes(batch.hits[i].event.id)), i);
      }
    }
  }

  // One conversion (batch.hits[index]); *is_new false when its event id was committed before.
  Status Apply(size_t index, bool* is_new, CommitResult* result);
  Status WriteGoalRollups();
  Status WriteOutbox(int64_t now_us, CommitResult* result);

 private:
  Result<std::optional<ClickHit>> FindClick(size_t index, const EventId& id, int64_t account_id,
                                            int64_t from_us, int64_t to_us);
  Result<std::optional<ClickHit>> Attribute(size_t index, const Event& e, const GoalRow& goal);
  Result<bool> Insert(const ConversionRow& c, const Event& e);
  Result<bool> Claim(int64_t goal_id, int64_t kind, std::string_view key, const EventId& event);
  Status Unclaim(int64_t goal_id, int64_t kind, std::string_view key, const EventId& event);
  Result<ConversionStatus> ClaimKeys(const GoalRow& goal, const ConversionRow& c);
  void Count(const ConversionRow& c, const ClickHit* click);
  Status Deliveries(const Event& e, const GoalRow& goal, const ConversionRow& c,
                    const ClickHit* click);

  PgConn* c_;
  const CommitBatch& batch_;
  Lookups lookups_;
  std::vector<RollupChange>* changes_;
  std::map<std::string, size_t> new_at_;
  // goal_rollups: (goal, width, start, link) -> (conversions, value), in key order.
  std::map<std::tuple<int64_t, int64_t, int64_t, int64_t>, std::pair<int64_t, int64_t>> goals_;
  OutboxRows outbox_;
  size_t outbox_rows_ = 0;
};

Result<std::optional<ClickHit>> Applier::FindClick(size_t index, const EventId& id,
                                                   int64_t account_id, int64_t from_us,
                                                   int64_t to_us) {
  auto later = new_at_.find(std::string(Bytes(id)));
  if (later != new_at_.end() && later->second > index) return std::optional<ClickHit>();
  int64_t ms = 0;
  for (int i = 0; i < 6; ++i) ms = (ms << 8) | id[static_cast<size_t>(i)];
  const int64_t lo = std::max(from_us, ms * 1000), hi = std::min(to_us, ms * 1000 + 999);
  if (lo > hi) return std::optional<ClickHit>();
  Result<PgResult> r = c_->Exec(R"sql(
    SELECT link_id, time_us, visitor_id, country, device, os, browser, referrer_domain, language,
           destination
    FROM hits WHERE time_us BETWEEN $3::int8 AND $4::int8 AND event_id = $1::bytea
      AND account_id = $2::int8 AND kind = 1 AND NOT bot
    LIMIT 1)sql",
                                Params().Bytes(Bytes(id)).Int(account_id).Int(lo).Int(hi));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<ClickHit>();
  ClickHit h;
  h.id = id;
  h.link_id = r->Int(0, 0);
  h.time_us = r->Int(0, 1);
  h.visitor_id = r->Str(0, 2);
  h.enrichment.country = r->Str(0, 3);
  h.enrichment.device = r->Str(0, 4);
  h.enrichment.os = r->Str(0, 5);
  h.enrichment.browser = r->Str(0, 6);
  h.enrichment.referrer_domain = r->Str(0, 7);
  h.enrichment.language = r->Str(0, 8);
  h.destination = r->Str(0, 9);
  return std::optional<ClickHit>(std::move(h));
}

// The click the conversion names, if in the goal's window; with kFirstClick, its visitor's
// first click instead when that one is of the account, in the window and earlier.
Result<std::optional<ClickHit>> Applier::Attribute(size_t index, const Event& e,
                                                   const GoalRow& goal) {
  std::optional<EventId> named = ParseClickId(e.click_ref);
  if (!named) return std::optional<ClickHit>();
  const int64_t from = e.time_us - goal.window_seconds * kMicrosPerSecond;
  Result<std::optional<ClickHit>> last =
      FindClick(index, *named, e.account_id, from, e.time_us + sqlite::kClickClockSlackUs);
  if (!last.ok() || !last->has_value() || goal.attribution != AttributionModel::kFirstClick) {
    return last;
  }
  std::optional<EventId> first = ParseClickId((*last)->visitor_id);
  if (!first || *first == *named) return last;
  Result<std::optional<ClickHit>> earliest =
      FindClick(index, *first, e.account_id, from, (*last)->time_us);
  if (!earliest.ok() || earliest->has_value()) return earliest;
  return last;
}

Result<bool> Applier::Insert(const ConversionRow& c, const Event& e) {
  Params p;
  p.Bytes(Bytes(c.event_id)).Int(c.account_id).Int(c.goal_id).Int(c.time_us).Int(c.link_id);
  if (c.attributed()) {
    p.Bytes(Bytes(c.click_event_id));
  } else {
    p.Null();
  }
  p.Int(c.click_time_us)
      .Int(c.value_micros)
      .Text(c.currency)
      .Text(c.order_id)
      .Text(c.click_ref)
      .Int(static_cast<int64_t>(c.status))
      .Int(static_cast<int64_t>(e.flags))
      .Text(e.ip)
      .Text(e.user_agent)
      .Text(e.referrer);
  Result<PgResult> r = c_->Exec(R"sql(
    INSERT INTO conversions (event_id, account_id, goal_id, time_us, link_id, click_event_id,
                             click_time_us, value_micros, currency, order_id, click_ref, status,
                             flags, ip, user_agent, referrer)
    VALUES ($1::bytea, $2::int8, $3::int8, $4::int8, $5::int8, $6::bytea, $7::int8, $8::int8,
            $9, $10, $11, $12::int2, $13::int2, $14, $15, $16)
    ON CONFLICT (event_id) DO NOTHING RETURNING 1)sql",
                                p);
  if (!r.ok()) return r.status();
  return r->rows() > 0;
}

Result<bool> Applier::Claim(int64_t goal_id, int64_t kind, std::string_view key,
                            const EventId& event) {
  Result<PgResult> r = c_->Exec(R"sql(
    INSERT INTO conversion_keys (goal_id, kind, key, event_id)
    VALUES ($1::int8, $2::int2, $3::bytea, $4::bytea) ON CONFLICT DO NOTHING RETURNING 1)sql",
                                Params().Int(goal_id).Int(kind).Bytes(key).Bytes(Bytes(event)));
  if (!r.ok()) return r.status();
  return r->rows() > 0;
}

Status Applier::Unclaim(int64_t goal_id, int64_t kind, std::string_view key, const EventId& event) {
  return c_
      ->Exec(R"sql(
    DELETE FROM conversion_keys
    WHERE goal_id = $1::int8 AND kind = $2::int2 AND key = $3::bytea AND event_id = $4::bytea)sql",
             Params().Int(goal_id).Int(kind).Bytes(key).Bytes(Bytes(event)))
      .status();
}

// Step 4 of the design on the unique keys: kCounted, or the duplicate status that stops it.
Result<ConversionStatus> Applier::ClaimKeys(const GoalRow& goal, const ConversionRow& c) {
  const bool order = !c.order_id.empty();
  if (order) {
    Result<bool> claimed = Claim(goal.id, kOrderKey, c.order_id, c.event_id);
    if (!claimed.ok()) return claimed.status();
    if (!*claimed) return ConversionStatus::kDuplicateOrder;
  }
  if (!c.attributed()) return ConversionStatus::kCounted;
  // kEvery and kOncePerOrder record the click too (as SQLite) but never stop on it.
  Result<bool> claimed = Claim(goal.id, kClickKey, Bytes(c.click_event_id), c.event_id);
  if (!claimed.ok()) return claimed.status();
  if (*claimed || goal.counting != ConversionCounting::kOncePerClick) {
    return ConversionStatus::kCounted;
  }
  if (order) CT_RETURN_IF_ERROR(Unclaim(goal.id, kOrderKey, c.order_id, c.event_id));
  return ConversionStatus::kDuplicateClick;
}

// Step 5 for a counted conversion: account (and link) buckets, the click's dimension values in
// the conversion's hour, and the goal's rollups.
void Applier::Count(const ConversionRow& c, const ClickHit* click) {
  RollupChange ch;
  ch.link_id = c.link_id;
  ch.account_id = c.account_id;
  ch.time_us = c.time_us;
  ch.conversions = 1;
  ch.value_micros = c.value_micros;
  if (click != nullptr) {
    const Enrichment& en = click->enrichment;
    ch.dimensions = true;
    ch.values = {en.country,  en.device,         en.os, en.browser, en.referrer_domain,
                 en.language, click->destination};
  }
  changes_->push_back(std::move(ch));
  for (int64_t w : kWidths) {
    auto& g = goals_[{c.goal_id, w, BucketStart(c.time_us, w), c.link_id}];
    ++g.first;
    g.second += c.value_micros;
  }
}

// Step 6: the postbacks it fires, and the piggyback pixels the browser did not fire.
Status Applier::Deliveries(const Event& e, const GoalRow& goal, const ConversionRow& c,
                           const ClickHit* click) {
  Result<const std::vector<PostbackRow>*> postbacks = lookups_.Postbacks(e.account_id);
  if (!postbacks.ok()) return postbacks.status();
  const bool piggyback = !goal.piggyback_urls.empty() && (e.flags & kFlagPiggybackServed) == 0;
  bool fires = piggyback;
  for (const PostbackRow& pb : **postbacks) {
    fires = fires || sqlite::PostbackFires(pb, EventKind::kConversion, goal.id, c.attributed());
  }
  if (!fires) return Status::Ok();
  static const sqlite::LinkRef kNoLink;
  const sqlite::LinkRef* link = &kNoLink;
  if (c.attributed()) {
    Result<const sqlite::LinkRef*> ref = lookups_.Link(e.account_id, c.link_id);
    if (!ref.ok()) return ref.status();
    link = *ref;
  }
  const postback::MacroValues values =
      sqlite::ConversionMacros(e, goal, c, click ? click->enrichment : Enrichment{}, *link);
  for (const PostbackRow& pb : **postbacks) {
    if (!sqlite::PostbackFires(pb, EventKind::kConversion, goal.id, c.attributed())) continue;
    const bool post = pb.method == "POST";
    outbox_.Add(sqlite::DeliveryId(e.id, pb.id), e, pb.id, post,
                postback::ExpandTemplate(pb.url_template, values),
                post ? postback::JsonBody(values) : std::string());
    ++outbox_rows_;
  }
  if (piggyback) {
    for (size_t i = 0; i < goal.piggyback_urls.size(); ++i) {
      outbox_.Add(sqlite::PiggybackDeliveryId(e.id, i), e, /*postback_id=*/0, /*post=*/false,
                  postback::ExpandTemplate(goal.piggyback_urls[i], values), std::string());
      ++outbox_rows_;
    }
  }
  return Status::Ok();
}

Status Applier::Apply(size_t index, bool* is_new, CommitResult* result) {
  const HitRecord& hit = batch_.hits[index];
  const Event& e = hit.event;
  ConversionRow c;
  c.event_id = e.id;
  c.account_id = e.account_id;
  c.goal_id = e.goal_id;
  c.time_us = e.time_us;
  c.order_id = e.order_id;
  c.click_ref = e.click_ref;
  c.server_to_server = (e.flags & kFlagServerToServer) != 0;
  c.value_micros = (e.flags & kFlagHasValue) != 0 ? e.value_micros : 0;
  c.currency = e.currency;

  Result<const GoalRow*> goal = lookups_.Goal(e.account_id, e.goal_id);
  if (!goal.ok()) return goal.status();
  std::optional<ClickHit> click;
  if (*goal == nullptr) {
    c.status = ConversionStatus::kUnknownGoal;
  } else {
    const GoalRow& g = **goal;
    if ((e.flags & kFlagHasValue) == 0) c.value_micros = g.default_value_micros;
    c.currency = g.currency;
    if (hit.enrichment.bot && !c.server_to_server) {
      c.status = ConversionStatus::kBot;
    } else if (!e.currency.empty() && e.currency != g.currency) {
      c.status = ConversionStatus::kCurrencyMismatch;
    } else if (c.order_id.empty() && g.counting == ConversionCounting::kOncePerOrder) {
      c.status = ConversionStatus::kMissingOrderId;
    }
    Result<std::optional<ClickHit>> credited = Attribute(index, e, g);
    if (!credited.ok()) return credited.status();
    click = std::move(*credited);
    if (click) {
      c.link_id = click->link_id;
      c.click_event_id = click->id;
      c.click_time_us = click->time_us;
    }
  }

  Result<bool> inserted = Insert(c, e);
  if (!inserted.ok()) return inserted.status();
  *is_new = *inserted;
  if (!*is_new) {
    ++result->duplicates;  // committed before: its keys, rollups and deliveries exist
    return Status::Ok();
  }
  ++result->applied;
  if (c.status != ConversionStatus::kCounted) return Status::Ok();
  const GoalRow& g = **goal;
  Result<ConversionStatus> status = ClaimKeys(g, c);
  if (!status.ok()) return status.status();
  if (*status != ConversionStatus::kCounted) {
    c.status = *status;
    return c_
        ->Exec("UPDATE conversions SET status = $2::int2 WHERE event_id = $1::bytea",
               Params().Bytes(Bytes(c.event_id)).Int(static_cast<int64_t>(c.status)))
        .status();
  }
  ++result->conversions;
  Count(c, click ? &*click : nullptr);
  return Deliveries(e, g, c, click ? &*click : nullptr);
}

Status Applier::WriteGoalRollups() {
  if (goals_.empty()) return Status::Ok();
  ArrayText goal, width, start, link, conversions, value;
  for (const auto& [k, v] : goals_) {
    goal.Int(std::get<0>(k));
    width.Int(std::get<1>(k));
    start.Int(std::get<2>(k));
    link.Int(std::get<3>(k));
    conversions.Int(v.first);
    value.Int(v.second);
  }
  return c_
      ->Exec(R"sql(
    INSERT INTO goal_rollups AS t (goal_id, granularity, bucket_start_us, link_id, conversions,
                                   value_micros)
    SELECT * FROM unnest($1::int8[], $2::int4[], $3::int8[], $4::int8[], $5::int8[], $6::int8[])
    ON CONFLICT (goal_id, granularity, bucket_start_us, link_id) DO UPDATE SET
      conversions = t.conversions + excluded.conversions,
      value_micros = t.value_micros + excluded.value_micros)sql",
             Params()
                 .Raw(goal.Take())
                 .Raw(width.Take())
                 .Raw(start.Take())
                 .Raw(link.Take())
                 .Raw(conversions.Take())
                 .Raw(value.Take()))
      .status();
}

// ON CONFLICT DO NOTHING: the id is derived from the event, so a row already there is this very
// delivery (never a second one).
Status Applier::WriteOutbox(int64_t now_us, CommitResult* result) {
  if (outbox_rows_ == 0) return Status::Ok();
  Result<PgResult> r = c_->Exec(R"sql(
    INSERT INTO outbox (id, account_id, postback_id, event_id, event_kind, event_time_us, method,
                        url, body, state, created_at, next_attempt_us)
    SELECT i, a, p, e, 4, t, m, u, b, 0, $9::int8, $9::int8
    FROM unnest($1::text[], $2::int8[], $3::int8[], $4::bytea[], $5::int8[], $6::text[],
                $7::text[], $8::text[]) AS x(i, a, p, e, t, m, u, b)
    ORDER BY i
    ON CONFLICT (id) DO NOTHING)sql",
                                Params()
                                    .Raw(outbox_.id.Take())
                                    .Raw(outbox_.account.Take())
                                    .Raw(outbox_.postback.Take())
                                    .Raw(outbox_.event.Take())
                                    .Raw(outbox_.time.Take())
                                    .Raw(outbox_.method.Take())
                                    .Raw(outbox_.url.Take())
                                    .Raw(outbox_.body.Take())
                                    .Int(now_us));
  if (!r.ok()) return r.status();
  result->deliveries += static_cast<uint64_t>(r->affected());
  return Status::Ok();
}

}  // namespace

Status ApplyConversions(PgConn* c, const CommitBatch& batch, const std::vector<bool>& is_new,
                        int64_t now_us, const ConversionSeen& seen, CommitResult* result,
                        std::vector<RollupChange>* changes) {
  Applier applier(c, batch, is_new, changes);
  bool any = false;
  for (size_t i = 0; i < batch.hits.size(); ++i) {
    if (batch.hits[i].event.kind != EventKind::kConversion) continue;
    any = true;
    bool fresh = false;
    CT_RETURN_IF_ERROR(applier.Apply(i, &fresh, result));
    seen(batch.hits[i], fresh);
  }
  if (!any) return Status::Ok();
  CT_RETURN_IF_ERROR(applier.WriteGoalRollups());
  return applier.WriteOutbox(now_us, result);
}

}  // namespace ct::pg
