#include "store/sqlite/conversions.h"

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "store/sqlite/commit.h"
#include "store/sqlite/macro_values.h"

namespace ct::sqlite {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
// conversion_keys.kind
constexpr int64_t kOrderKey = 1;
constexpr int64_t kClickKey = 2;

// A human click's hit row, as attribution reads it.
struct ClickHit {
  EventId id{};
  int64_t link_id = 0;
  int64_t time_us = 0;
  std::string visitor_id;
  Enrichment enrichment;
  std::string destination;
};

// The hit of click `id` if it is a human click of the account in [from_us, to_us].
Result<std::optional<ClickHit>> FindClick(Db* db, const EventId& id, int64_t account_id,
                                          int64_t from_us, int64_t to_us) {
  Result<Statement> s = db->Prepare(R"sql(
    SELECT link_id, time_us, visitor_id, country, device, os, browser, referrer_domain,
           language, destination
    FROM hits WHERE event_id = ? AND account_id = ? AND kind = ? AND bot = 0
                AND time_us BETWEEN ? AND ?)sql");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(Blob{id.data(), id.size()}, account_id,
                                static_cast<int64_t>(EventKind::kClick), from_us, to_us));
  Result<bool> found = s->Step();
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<ClickHit>();
  ClickHit c;
  c.id = id;
  c.link_id = s->ColumnInt(0);
  c.time_us = s->ColumnInt(1);
  c.visitor_id = s->ColumnText(2);
  c.enrichment.country = s->ColumnText(3);
  c.enrichment.device = s->ColumnText(4);
  c.enrichment.os = s->ColumnText(5);
  c.enrichment.browser = s->ColumnText(6);
  c.enrichment.referrer_domain = s->ColumnText(7);
  c.enrichment.language = s->ColumnText(8);
  c.destination = s->ColumnText(9);
  return std::optional<ClickHit>(std::move(c));
}

// Step 2 of the design: the click the conversion names, if it is in the goal's window; with
// kFirstClick, its visitor's first click instead when that one is of the account, in the
// window and earlier.
Result<std::optional<ClickHit>> Attribute(Db* db, const Event& e, const GoalRow& goal) {
  std::optional<EventId> named = ParseClickId(e.click_ref);
  if (!named) return std::optional<ClickHit>();
  const int64_t from = e.time_us - goal.window_seconds * kMicrosPerSecond;
  Result<std::optional<ClickHit>> last =
      FindClick(db, *named, e.account_id, from, e.time_us + kClickClockSlackUs);
  if (!last.ok() || !last->has_value() || goal.attribution != AttributionModel::kFirstClick) {
    return last;
  }
  // ct_vid is the visitor's first click id; a click that set it has none (or its own).
  std::optional<EventId> first = ParseClickId((*last)->visitor_id);
  if (!first || *first == *named) return last;
  Result<std::optional<ClickHit>> earliest =
      FindClick(db, *first, e.account_id, from, (*last)->time_us);
  if (!earliest.ok() || earliest->has_value()) return earliest;
  return last;
}

Result<bool> KeyCounted(Db* db, int64_t goal_id, int64_t kind, Blob key) {
  Result<Statement> s =
      db->Prepare("SELECT 1 FROM conversion_keys WHERE goal_id = ? AND kind = ? AND key = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(goal_id, kind, key));
  return s->Step();
}

// Records that `key` counted for the goal. ON CONFLICT: kEvery counts a click again.
Status MarkKey(Db* db, int64_t goal_id, int64_t kind, Blob key, const EventId& event_id) {
  Result<Statement> s = db->Prepare(R"sql(
    INSERT INTO conversion_keys (goal_id, kind, key, event_id) VALUES (?, ?, ?, ?)
    ON CONFLICT DO NOTHING)sql");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(goal_id, kind, key, Blob{event_id.data(), event_id.size()}));
  return s->Run();
}

Blob OrderKey(const ConversionRow& c) { return Blob{c.order_id.data(), c.order_id.size()}; }
Blob ClickKey(const ConversionRow& c) {
  return Blob{c.click_event_id.data(), c.click_event_id.size()};
}

// Step 4: duplicates by order id (every mode), a missing order id, a click already converted.
Result<ConversionStatus> DedupStatus(Db* db, const GoalRow& goal, const ConversionRow& c) {
  if (!c.order_id.empty()) {
    Result<bool> seen = KeyCounted(db, goal.id, kOrderKey, OrderKey(c));
    if (!seen.ok()) return seen.status();
    if (*seen) return ConversionStatus::kDuplicateOrder;
  } else if (goal.counting == ConversionCounting::kOncePerOrder) {
    return ConversionStatus::kMissingOrderId;
  }
  if (goal.counting == ConversionCounting::kOncePerClick && c.attributed()) {
    Result<bool> seen = KeyCounted(db, goal.id, kClickKey, ClickKey(c));
    if (!seen.ok()) return seen.status();
    if (*seen) return ConversionStatus::kDuplicateClick;
  }
  return ConversionStatus::kCounted;
}

// Step 5: the row, any status. *is_new=false when the event id is already there (re-delivered).
Status InsertConversion(Db* db, const ConversionRow& c, const Event& e, bool* is_new) {
  Result<Statement> s = db->Prepare(R"sql(
    INSERT INTO conversions (event_id, account_id, goal_id, time_us, link_id, click_event_id,
                             click_time_us, value_micros, currency, order_id, click_ref, status,
                             flags, ip, user_agent, referrer)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (event_id) DO NOTHING)sql");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(Blob{c.event_id.data(), c.event_id.size()}, c.account_id, c.goal_id,
                                c.time_us, c.link_id));
  if (c.attributed()) {
    CT_RETURN_IF_ERROR(s->Bind(6, ClickKey(c)));
  } else {
    CT_RETURN_IF_ERROR(s->BindNull(6));
  }
  int i = 6;
  for (int64_t v : {c.click_time_us, c.value_micros}) CT_RETURN_IF_ERROR(s->Bind(++i, v));
  for (std::string_view v : {std::string_view(c.currency), std::string_view(c.order_id),
                             std::string_view(c.click_ref)}) {
    CT_RETURN_IF_ERROR(s->Bind(++i, v));
  }
  CT_RETURN_IF_ERROR(s->Bind(++i, static_cast<int64_t>(c.status)));
  CT_RETURN_IF_ERROR(s->Bind(++i, static_cast<int64_t>(e.flags)));
  for (std::string_view v :
       {std::string_view(e.ip), std::string_view(e.user_agent), std::string_view(e.referrer)}) {
    CT_RETURN_IF_ERROR(s->Bind(++i, v));
  }
  CT_RETURN_IF_ERROR(s->Run());
  *is_new = s->Changes() > 0;
  return Status::Ok();
}

// Step 5 for a counted conversion: account (and link) buckets, the click's dimension values in
// the conversion's hour, and the goal's rollups.
void Count(BatchDeltas* deltas, const ConversionRow& c, const ClickHit* click) {
  RollupDelta d;
  d.conversions = 1;
  d.value_micros = c.value_micros;
  deltas->AddBuckets(c.link_id, c.account_id, c.time_us, d);
  deltas->AddGoal(c.goal_id, c.link_id, c.time_us, c.value_micros);
  if (click == nullptr) return;
  const Enrichment& en = click->enrichment;
  const std::array<const std::string*, kStoredDimensions> values = {
      &en.country,  &en.device,         &en.os, &en.browser, &en.referrer_domain,
      &en.language, &click->destination};
  BatchDeltas::DimValues kept;
  for (int dim = 0; dim < kStoredDimensions; ++dim) kept[dim] = deltas->Keep(*values[dim]);
  deltas->AddDimensions(c.link_id, c.account_id, c.time_us, kept, d);
}

// Step 6: the postbacks it fires, and the piggyback pixels the browser did not fire.
Status WriteDeliveries(const ConversionContext& ctx, const Event& e, const GoalRow& goal,
                       const ConversionRow& c, const ClickHit* click) {
  Result<const std::vector<PostbackRow>*> postbacks = ctx.lookups->Postbacks(e.account_id);
  if (!postbacks.ok()) return postbacks.status();
  const bool piggyback = !goal.piggyback_urls.empty() && (e.flags & kFlagPiggybackServed) == 0;
  bool fires = piggyback;
  for (const PostbackRow& pb : **postbacks) {
    fires = fires || PostbackFires(pb, EventKind::kConversion, goal.id, c.attributed());
  }
  if (!fires) return Status::Ok();  // no macro values to compute
  static const LinkRef kNoLink;
  const LinkRef* link = &kNoLink;
  if (c.attributed()) {
    Result<const LinkRef*> ref = ctx.lookups->Link(e.account_id, c.link_id);
    if (!ref.ok()) return ref.status();
    link = *ref;
  }
  const postback::MacroValues values =
      ConversionMacros(e, goal, c, click ? click->enrichment : Enrichment{}, *link);
  for (const PostbackRow& pb : **postbacks) {
    if (!PostbackFires(pb, EventKind::kConversion, goal.id, c.attributed())) continue;
    CT_RETURN_IF_ERROR(ctx.outbox->Add(e, pb, values));
  }
  if (piggyback) {
    for (size_t i = 0; i < goal.piggyback_urls.size(); ++i) {
      CT_RETURN_IF_ERROR(ctx.outbox->AddPiggyback(e, i, goal.piggyback_urls[i], values));
    }
  }
  return Status::Ok();
}

}  // namespace

Status ApplyConversion(const ConversionContext& ctx, const HitRecord& hit, CommitResult* result) {
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

  Result<const GoalRow*> goal = ctx.lookups->Goal(e.account_id, e.goal_id);
  if (!goal.ok()) return goal.status();
  std::optional<ClickHit> click;
  if (*goal == nullptr) {
    c.status = ConversionStatus::kUnknownGoal;
  } else {
    const GoalRow& g = **goal;
    // Step 3: the value, in the goal's currency.
    if ((e.flags & kFlagHasValue) == 0) c.value_micros = g.default_value_micros;
    c.currency = g.currency;
    // Step 1: a bot loaded the pixel (a server-to-server call is never one), a foreign currency.
    if (hit.enrichment.bot && !c.server_to_server) {
      c.status = ConversionStatus::kBot;
    } else if (!e.currency.empty() && e.currency != g.currency) {
      c.status = ConversionStatus::kCurrencyMismatch;
    }
    // Step 2, for every status of a known goal: the conversions list shows the click either way.
    Result<std::optional<ClickHit>> credited = Attribute(ctx.db, e, g);
    if (!credited.ok()) return credited.status();
    click = std::move(*credited);
    if (click) {
      c.link_id = click->link_id;
      c.click_event_id = click->id;
      c.click_time_us = click->time_us;
    }
    if (c.status == ConversionStatus::kCounted) {
      Result<ConversionStatus> status = DedupStatus(ctx.db, g, c);
      if (!status.ok()) return status.status();
      c.status = *status;
    }
  }

  bool is_new = false;
  CT_RETURN_IF_ERROR(InsertConversion(ctx.db, c, e, &is_new));
  if (!is_new) {
    ++result->duplicates;  // committed before: its keys, rollups and deliveries exist
    return Status::Ok();
  }
  ++result->applied;
  if (c.status != ConversionStatus::kCounted) return Status::Ok();
  ++result->conversions;
  const GoalRow& g = **goal;
  if (!c.order_id.empty()) {
    CT_RETURN_IF_ERROR(MarkKey(ctx.db, g.id, kOrderKey, OrderKey(c), c.event_id));
  }
  if (c.attributed()) {
    CT_RETURN_IF_ERROR(MarkKey(ctx.db, g.id, kClickKey, ClickKey(c), c.event_id));
  }
  Count(ctx.deltas, c, click ? &*click : nullptr);
  return WriteDeliveries(ctx, e, g, c, click ? &*click : nullptr);
}

}  // namespace ct::sqlite
