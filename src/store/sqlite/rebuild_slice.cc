// The counting rules here are commit.cc's and conversions.cc's (README "Definitions"), applied
// to a whole link-day at once: the rebuilt rows of a range the tracker committed in time order
// are the tracker's, row for row (tests/unit/store/sqlite_rebuild_test.cc).
#include "store/sqlite/rebuild_slice.h"

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/sqlite/commit.h"
#include "store/sqlite/hit_row.h"
#include "store/sqlite/rollup_deltas.h"

namespace ct::sqlite {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kHourUs = kHourSeconds * kMicrosPerSecond;
constexpr int64_t kDayUs = kDaySeconds * kMicrosPerSecond;
constexpr int64_t kCounted = static_cast<int64_t>(ConversionStatus::kCounted);

// A hit as stored, and what the rebuild makes of it.
struct StoredHit {
  Event raw;
  std::string visitor_key;
  Enrichment stored;  // as the row has it now
  bool stored_unique = false;
  Enrichment now;  // re-derived
  bool unique = false;
};

// Column list shared by the two hit reads (ReadHit decodes it): hit_row.h's, then the raw
// fields a re-enrichment needs that a HitRow does not carry.
#define CT_HIT_COLUMNS CT_HIT_ROW_COLUMNS ", account_id, visitor_key, flags, visitor_id, classifier"

StoredHit ReadHit(const Statement& s) {
  HitRow row = ReadHitRow(s);
  StoredHit h;
  h.raw.id = row.event_id;
  h.raw.kind = row.kind;
  h.raw.time_us = row.time_us;
  h.raw.link_id = row.link_id;
  h.raw.ip = std::move(row.ip);
  h.raw.user_agent = std::move(row.user_agent);
  h.raw.referrer = std::move(row.referrer);
  h.raw.accept_language = std::move(row.accept_language);
  h.raw.destination = std::move(row.destination);
  h.stored = std::move(row.enrichment);
  h.stored_unique = row.unique;
  constexpr int k = kHitRowColumns;
  h.raw.account_id = s.ColumnInt(k);
  h.visitor_key = s.ColumnText(k + 1);
  h.raw.flags = static_cast<uint8_t>(s.ColumnInt(k + 2));
  h.raw.visitor_id = s.ColumnText(k + 3);
  h.stored.classifier = s.ColumnInt(k + 4);
  return h;
}

bool SameEnrichment(const Enrichment& a, const Enrichment& b) {
  return a.country == b.country && a.device == b.device && a.os == b.os && a.browser == b.browser &&
         a.referrer_domain == b.referrer_domain && a.language == b.language && a.bot == b.bot &&
         a.classifier == b.classifier;
}

// The stored dimension values of a hit, in Dimension order (commit.cc DimensionValues).
std::array<std::string_view, kStoredDimensions> DimensionValues(const Enrichment& en,
                                                                const std::string& destination) {
  return {en.country, en.device, en.os, en.browser, en.referrer_domain, en.language, destination};
}

// The rows of one slice, summed in ordered maps (the order of the inserts is then fixed too).
struct SliceRows {
  std::map<std::pair<int64_t, int64_t>, RollupDelta> buckets;             // (width, start)
  std::map<std::tuple<int64_t, int64_t, std::string>, RollupDelta> dims;  // (hour, dim, value)
  std::map<std::tuple<int64_t, int64_t, int64_t>, RollupDelta> goals;     // (goal, width, start)
  std::map<std::pair<int64_t, std::array<std::string, kStoredDimensions>>, RollupDelta>
      combos;  // (hour, every dimension's value)

  void AddBuckets(int64_t time_us, const RollupDelta& d) {
    for (int64_t width : kRollupWidths) buckets[{width, BucketStart(time_us, width)}].Add(d);
  }
  void AddDimensions(int64_t time_us, const Enrichment& en, const std::string& destination,
                     const RollupDelta& d) {
    const int64_t hour = BucketStart(time_us, kHourSeconds);
    const auto values = DimensionValues(en, destination);
    std::array<std::string, kStoredDimensions> combo;
    for (int dim = 0; dim < kStoredDimensions; ++dim) {
      combo[dim] = values[dim];
      if (values[dim].empty()) continue;  // unknown is derived by the reports (commit.cc)
      dims[{hour, dim, std::string(values[dim])}].Add(d);
    }
    combos[{hour, std::move(combo)}].Add(d);
  }
  void AddGoal(int64_t goal_id, int64_t time_us, int64_t value_micros) {
    for (int64_t width : kRollupWidths) {
      RollupDelta& d = goals[{goal_id, width, BucketStart(time_us, width)}];
      ++d.conversions;
      d.value_micros += value_micros;
    }
  }
};

[[nodiscard]] Status ReadLinkHits(Db* db, int64_t link_id, int64_t day_us,
                                  std::vector<StoredHit>* out) {
  // One seek per hour of hits_by_hour_link, which yields each hour's rows in (time, event id)
  // order: the day's hits in the order "first" is decided by.
  for (int64_t hour = day_us / kHourUs; hour < (day_us + kDayUs) / kHourUs; ++hour) {
    // Prepared per hour: a cached statement is reset when its Statement goes out of scope.
    Result<Statement> s = db->Prepare("SELECT " CT_HIT_COLUMNS
                                      " FROM hits WHERE time_us / 3600000000 = ? AND "
                                      "link_id = ? ORDER BY time_us, event_id");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(hour, link_id));
    for (;;) {
      Result<bool> row = s->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out->push_back(ReadHit(*s));
    }
  }
  return Status::Ok();
}

Result<std::optional<int64_t>> QueryOptionalInt(Db* db, std::string_view sql, int64_t arg) {
  Result<Statement> s = db->Prepare(sql);
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(arg));
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  return std::optional<int64_t>(s->ColumnInt(0));
}

Result<std::vector<int64_t>> QueryIds(Db* db, std::string_view sql, int64_t arg) {
  Result<Statement> s = db->Prepare(sql);
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(arg));
  std::vector<int64_t> ids;
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return ids;
    ids.push_back(s->ColumnInt(0));
  }
}

// The account counts uniques by IP (store.h UniqueDefinition::kIp30Min)? A value this build
// does not know reads as the default, as SqliteStore::ReadAccount does.
Result<bool> CountsUniquesByIp(Db* db, int64_t account_id) {
  Result<std::optional<int64_t>> v =
      QueryOptionalInt(db, "SELECT unique_definition FROM accounts WHERE id = ?", account_id);
  if (!v.ok()) return v.status();
  return v->value_or(0) == static_cast<int64_t>(UniqueDefinition::kIp30Min);
}

// ip_30min (ip_uniques.h): the newest human click per IP on the link in the 30 minutes before
// the day, as stored. The job runs day by day, so the previous day's slice has already
// reclassified them; they lie in the day's previous hour (hits_by_hour_link: one seek).
[[nodiscard]] Status SeedIpSightings(Db* db, int64_t link_id, int64_t day_us,
                                     std::unordered_map<std::string, int64_t>* last_seen) {
  Result<Statement> s = db->Prepare(R"sql(
    SELECT ip, MAX(time_us) FROM hits
    WHERE time_us / 3600000000 = ? AND link_id = ? AND time_us >= ? AND kind != ? AND bot = 0
    GROUP BY ip)sql");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(day_us / kHourUs - 1, link_id, day_us - kIpUniqueWindowUs,
                                static_cast<int64_t>(EventKind::kHead)));
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    (*last_seen)[s->ColumnText(0)] = s->ColumnInt(1);
  }
}

// Rewrites the link-day's IP sightings (the tracker's record for ip_30min) from the rebuilt
// hits, so later commits judge late clicks against the rebuilt flags.
[[nodiscard]] Status WriteIpSightings(Db* db, int64_t link_id, int64_t day_us,
                                      const std::vector<StoredHit>& hits) {
  Result<Statement> del =
      db->Prepare("DELETE FROM ip_sightings WHERE link_id = ? AND time_us >= ? AND time_us < ?");
  if (!del.ok()) return del.status();
  CT_RETURN_IF_ERROR(del->BindAll(link_id, day_us, day_us + kDayUs));
  CT_RETURN_IF_ERROR(del->Run());
  Result<Statement> ins = db->Prepare(
      "INSERT INTO ip_sightings (link_id, ip, time_us, event_id, is_unique) VALUES (?, ?, ?, ?, "
      "?)");
  if (!ins.ok()) return ins.status();
  for (const StoredHit& h : hits) {
    if (h.raw.kind == EventKind::kHead || h.now.bot) continue;
    CT_RETURN_IF_ERROR(ins->BindAll(link_id, std::string_view(h.raw.ip), h.raw.time_us,
                                    Blob{h.raw.id.data(), h.raw.id.size()},
                                    static_cast<int64_t>(h.unique ? 1 : 0)));
    CT_RETURN_IF_ERROR(ins->Run());
  }
  return Status::Ok();
}

// The enrichment a conversion's click has after the rebuild: the slice's own result for a
// click of the same link-day, else the stored hit re-derived when the job covers its time, else
// as stored. nullopt: the click's hit is gone.
Result<std::optional<Enrichment>> ClickEnrichment(
    Db* db, const SliceContext& ctx, const std::string& click_id,
    const std::unordered_map<std::string, const StoredHit*>& in_slice, std::string* destination) {
  if (auto it = in_slice.find(click_id); it != in_slice.end()) {
    *destination = it->second->raw.destination;
    return std::optional<Enrichment>(it->second->now);
  }
  Result<Statement> s = db->Prepare("SELECT " CT_HIT_COLUMNS " FROM hits WHERE event_id = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(Blob{click_id.data(), click_id.size()}));
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Enrichment>();
  StoredHit h = ReadHit(*s);
  *destination = h.raw.destination;
  if (h.raw.time_us >= ctx.range_from_us && h.raw.time_us < ctx.range_to_us) {
    return std::optional<Enrichment>((*ctx.reclassify)(h.raw, h.stored.country));
  }
  return std::optional<Enrichment>(h.stored);
}

// Deletes the link's derived rows of the day.
[[nodiscard]] Status DeleteLinkDay(Db* db, int64_t link_id, int64_t account_id, int64_t day_us) {
  const int64_t end = day_us + kDayUs;
  Result<Statement> r = db->Prepare(
      "DELETE FROM rollups WHERE link_id = ? AND granularity = ? AND bucket_start_us >= ? AND "
      "bucket_start_us < ?");
  if (!r.ok()) return r.status();
  for (int64_t width : kRollupWidths) {
    CT_RETURN_IF_ERROR(r->BindAll(link_id, width, day_us, end));
    CT_RETURN_IF_ERROR(r->Run());
  }
  // dim_rollups and combo_rollups are keyed hour first: one seek per (hour, link).
  for (const char* sql : {"DELETE FROM dim_rollups WHERE bucket_start_us = ? AND link_id = ?",
                          "DELETE FROM combo_rollups WHERE bucket_start_us = ? AND link_id = ?"}) {
    Result<Statement> d = db->Prepare(sql);
    if (!d.ok()) return d.status();
    for (int64_t hour = day_us; hour < end; hour += kHourUs) {
      CT_RETURN_IF_ERROR(d->BindAll(hour, link_id));
      CT_RETURN_IF_ERROR(d->Run());
    }
  }
  Result<Statement> v = db->Prepare("DELETE FROM visitor_days WHERE link_id = ? AND day = ?");
  if (!v.ok()) return v.status();
  CT_RETURN_IF_ERROR(v->BindAll(link_id, day_us / kDayUs));
  CT_RETURN_IF_ERROR(v->Run());
  // Every goal of the account, deleted ones too: their conversions still count.
  Result<std::vector<int64_t>> goals =
      QueryIds(db, "SELECT id FROM goals WHERE account_id = ?", account_id);
  if (!goals.ok()) return goals.status();
  Result<Statement> g = db->Prepare(
      "DELETE FROM goal_rollups WHERE goal_id = ? AND granularity = ? AND bucket_start_us >= ? "
      "AND bucket_start_us < ? AND link_id = ?");
  if (!g.ok()) return g.status();
  for (int64_t goal : *goals) {
    for (int64_t width : kRollupWidths) {
      CT_RETURN_IF_ERROR(g->BindAll(goal, width, day_us, end, link_id));
      CT_RETURN_IF_ERROR(g->Run());
    }
  }
  return Status::Ok();
}

// Inserts rollups (link_id != 0) or account_rollups rows for `id`.
[[nodiscard]] Status InsertBuckets(Db* db, bool account, int64_t id, const SliceRows& rows) {
  Result<Statement> s = db->Prepare(
      account ? "INSERT INTO account_rollups (account_id, granularity, bucket_start_us, total, "
                "unique_count, head, bots, conversions, value_micros) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
              : "INSERT INTO rollups (link_id, granularity, bucket_start_us, total, "
                "unique_count, head, bots, conversions, value_micros) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!s.ok()) return s.status();
  for (const auto& [key, d] : rows.buckets) {
    CT_RETURN_IF_ERROR(s->BindAll(id, key.first, key.second, d.total, d.unique, d.head, d.bots,
                                  d.conversions, d.value_micros));
    CT_RETURN_IF_ERROR(s->Run());
  }
  return Status::Ok();
}

[[nodiscard]] Status InsertGoals(Db* db, int64_t link_id, const SliceRows& rows) {
  Result<Statement> s = db->Prepare(
      "INSERT INTO goal_rollups (goal_id, granularity, bucket_start_us, link_id, conversions, "
      "value_micros) VALUES (?, ?, ?, ?, ?, ?)");
  if (!s.ok()) return s.status();
  for (const auto& [key, d] : rows.goals) {
    const auto& [goal, width, start] = key;
    CT_RETURN_IF_ERROR(s->BindAll(goal, width, start, link_id, d.conversions, d.value_micros));
    CT_RETURN_IF_ERROR(s->Run());
  }
  return Status::Ok();
}

[[nodiscard]] Status WriteLinkDay(Db* db, int64_t account_id, int64_t link_id, int64_t day_us,
                                  const SliceRows& rows, const std::set<std::string>& visitors) {
  CT_RETURN_IF_ERROR(InsertBuckets(db, /*account=*/false, link_id, rows));
  Result<Statement> d = db->Prepare(
      "INSERT INTO dim_rollups (link_id, dim, bucket_start_us, value, total, unique_count, bots, "
      "conversions, value_micros) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!d.ok()) return d.status();
  for (const auto& [key, v] : rows.dims) {
    const auto& [hour, dim, value] = key;
    CT_RETURN_IF_ERROR(d->BindAll(link_id, dim, hour, std::string_view(value), v.total, v.unique,
                                  v.bots, v.conversions, v.value_micros));
    CT_RETURN_IF_ERROR(d->Run());
  }
  Result<Statement> c = db->Prepare(
      "INSERT INTO combo_rollups (bucket_start_us, link_id, country, device, os, browser, "
      "referrer_domain, language, destination, total, unique_count, bots, conversions, "
      "value_micros) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!c.ok()) return c.status();
  for (const auto& [key, v] : rows.combos) {
    const auto& [hour, x] = key;
    CT_RETURN_IF_ERROR(c->BindAll(
        hour, link_id, std::string_view(x[0]), std::string_view(x[1]), std::string_view(x[2]),
        std::string_view(x[3]), std::string_view(x[4]), std::string_view(x[5]),
        std::string_view(x[6]), v.total, v.unique, v.bots, v.conversions, v.value_micros));
    CT_RETURN_IF_ERROR(c->Run());
  }
  // The link's destinations, as the tracker lists them with its combo_rollups rows (the table
  // only grows, so rows of deleted combinations stay: harmless, see schema.cc v13).
  Result<Statement> dl = db->Prepare(
      "INSERT OR IGNORE INTO account_destination_links (account_id, destination, link_id) "
      "VALUES (?, ?, ?)");
  if (!dl.ok()) return dl.status();
  for (const auto& [key, v] : rows.combos) {
    CT_RETURN_IF_ERROR(dl->BindAll(account_id, std::string_view(key.second[6]), link_id));
    CT_RETURN_IF_ERROR(dl->Run());
  }
  Result<Statement> vd =
      db->Prepare("INSERT INTO visitor_days (link_id, day, visitor_key) VALUES (?, ?, ?)");
  if (!vd.ok()) return vd.status();
  for (const std::string& visitor : visitors) {
    CT_RETURN_IF_ERROR(vd->BindAll(link_id, day_us / kDayUs, Blob{visitor.data(), visitor.size()}));
    CT_RETURN_IF_ERROR(vd->Run());
  }
  return InsertGoals(db, link_id, rows);
}

// Rewrites the hits whose enrichment, unique flag or classifier changed; the others are not
// touched (a rebuild that changes nothing writes no hit).
[[nodiscard]] Status UpdateHits(Db* db, const std::vector<StoredHit>& hits, SliceStats* stats) {
  Result<Statement> s = db->Prepare(R"sql(
    UPDATE hits SET country = ?, device = ?, os = ?, browser = ?, referrer_domain = ?,
                    language = ?, bot = ?, is_unique = ?, classifier = ?
    WHERE event_id = ?)sql");
  if (!s.ok()) return s.status();
  for (const StoredHit& h : hits) {
    if (SameEnrichment(h.stored, h.now) && h.stored_unique == h.unique) continue;
    const Enrichment& en = h.now;
    CT_RETURN_IF_ERROR(
        s->BindAll(std::string_view(en.country), std::string_view(en.device),
                   std::string_view(en.os), std::string_view(en.browser),
                   std::string_view(en.referrer_domain), std::string_view(en.language),
                   static_cast<int64_t>(en.bot ? 1 : 0), static_cast<int64_t>(h.unique ? 1 : 0),
                   en.classifier, Blob{h.raw.id.data(), h.raw.id.size()}));
    CT_RETURN_IF_ERROR(s->Run());
    ++stats->changed_hits;
  }
  return Status::Ok();
}

// Deletes the account's hour and day rows of [day_us, day_us + 1 day) from `table`, keyed
// (account_id, <key_columns>, granularity, bucket_start_us, ...): one range seek per value of
// the key columns in `keys` (each as many values as key_columns).
[[nodiscard]] Status DeleteAccountDayRows(Db* db, std::string_view table,
                                          const std::vector<std::string_view>& key_columns,
                                          const std::vector<std::vector<int64_t>>& keys,
                                          int64_t account_id, int64_t day_us) {
  std::string sql = "DELETE FROM " + std::string(table) + " WHERE account_id = ?";
  for (std::string_view col : key_columns) sql += " AND " + std::string(col) + " = ?";
  sql += " AND granularity = ? AND bucket_start_us >= ? AND bucket_start_us < ?";
  Result<Statement> del = db->Prepare(sql);
  if (!del.ok()) return del.status();
  const int n = static_cast<int>(key_columns.size());
  for (const std::vector<int64_t>& key : keys) {
    for (int64_t width : {kHourSeconds, kDaySeconds}) {
      CT_RETURN_IF_ERROR(del->Bind(1, account_id));
      for (int i = 0; i < n; ++i) CT_RETURN_IF_ERROR(del->Bind(2 + i, key[i]));
      CT_RETURN_IF_ERROR(del->Bind(n + 2, width));
      CT_RETURN_IF_ERROR(del->Bind(n + 3, day_us));
      CT_RETURN_IF_ERROR(del->Bind(n + 4, day_us + kDayUs));
      CT_RETURN_IF_ERROR(del->Run());
    }
  }
  return Status::Ok();
}

// Inserts `rows` with `insert_sql`, whose parameters are the key's (bound by bind_key as
// 1..key_params) and then total, unique_count, bots, conversions, value_micros.
template <typename Rows, typename BindKey>
[[nodiscard]] Status InsertCountedRows(Db* db, std::string_view insert_sql, const Rows& rows,
                                       int key_params, const BindKey& bind_key) {
  Result<Statement> ins = db->Prepare(insert_sql);
  if (!ins.ok()) return ins.status();
  for (const auto& [key, d] : rows) {
    CT_RETURN_IF_ERROR(bind_key(&*ins, key));
    int i = key_params;
    for (int64_t v : {d.total, d.unique, d.bots, d.conversions, d.value_micros}) {
      CT_RETURN_IF_ERROR(ins->Bind(++i, v));
    }
    CT_RETURN_IF_ERROR(ins->Run());
  }
  return Status::Ok();
}

}  // namespace

Status RebuildLinkDay(Db* db, const SliceContext& ctx, int64_t link_id, int64_t day_us,
                      SliceStats* stats) {
  std::vector<StoredHit> hits;
  CT_RETURN_IF_ERROR(ReadLinkHits(db, link_id, day_us, &hits));
  Result<std::optional<int64_t>> owner =
      QueryOptionalInt(db, "SELECT account_id FROM links WHERE id = ?", link_id);
  if (!owner.ok()) return owner.status();
  // A hit of a link the links table does not know still names its account.
  const int64_t account_id = owner->value_or(hits.empty() ? 0 : hits.front().raw.account_id);

  Result<bool> by_ip = CountsUniquesByIp(db, account_id);
  if (!by_ip.ok()) return by_ip.status();
  std::unordered_map<std::string, int64_t> ip_last_seen;  // ip_30min: newest human click per IP
  if (*by_ip) CT_RETURN_IF_ERROR(SeedIpSightings(db, link_id, day_us, &ip_last_seen));

  // Hits, in (time, event id) order: the same deltas as ApplyCommit gives each. Two clicks of
  // one IP in the same microsecond: the tracker makes the first committed unique, the rebuild
  // the lower event id.
  SliceRows rows;
  std::set<std::string> visitors;  // the day's human clickers: visitor_days (per_visitor_day)
  std::unordered_map<std::string, const StoredHit*> by_id;
  for (StoredHit& h : hits) {
    h.now = (*ctx.reclassify)(h.raw, h.stored.country);
    const bool head = h.raw.kind == EventKind::kHead;
    const bool human = !head && !h.now.bot;
    RollupDelta d;
    if (head) {
      d.head = 1;
    } else if (!human) {
      d.bots = 1;  // bots never take a visitor's "first"
    } else {
      if (*by_ip) {
        // Unique when no human click of the IP on the link lies in (t - 30 min, t].
        auto [seen, first] = ip_last_seen.try_emplace(h.raw.ip, h.raw.time_us);
        h.unique = first || h.raw.time_us - seen->second >= kIpUniqueWindowUs;
        seen->second = h.raw.time_us;
      } else {
        h.unique = visitors.insert(h.visitor_key).second;
      }
      d.total = 1;
      d.unique = h.unique ? 1 : 0;
    }
    rows.AddBuckets(h.raw.time_us, d);
    if (!head) rows.AddDimensions(h.raw.time_us, h.now, h.raw.destination, d);
    by_id.emplace(std::string(reinterpret_cast<const char*>(h.raw.id.data()), h.raw.id.size()), &h);
  }
  stats->hits += static_cast<int64_t>(hits.size());

  // Counted conversions credited to the link, in the buckets of their own time, under their
  // click's dimension values (conversions.cc Count). Attribution and status are not redone:
  // the conversions table is the record postbacks were sent from.
  Result<Statement> c = db->Prepare(R"sql(
    SELECT goal_id, time_us, click_event_id, value_micros FROM conversions
    WHERE account_id = ? AND time_us >= ? AND time_us < ? AND link_id = ? AND status = ?
    ORDER BY time_us, event_id)sql");
  if (!c.ok()) return c.status();
  CT_RETURN_IF_ERROR(c->BindAll(account_id, day_us, day_us + kDayUs, link_id, kCounted));
  struct Counted {
    int64_t goal_id, time_us, value_micros;
    std::string click_id;
  };
  std::vector<Counted> counted;
  for (;;) {
    Result<bool> row = c->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    counted.push_back({c->ColumnInt(0), c->ColumnInt(1), c->ColumnInt(3), c->ColumnText(2)});
  }
  for (const Counted& conv : counted) {
    RollupDelta d;
    d.conversions = 1;
    d.value_micros = conv.value_micros;
    rows.AddBuckets(conv.time_us, d);
    rows.AddGoal(conv.goal_id, conv.time_us, conv.value_micros);
    std::string destination;
    Result<std::optional<Enrichment>> click =
        ClickEnrichment(db, ctx, conv.click_id, by_id, &destination);
    if (!click.ok()) return click.status();
    if (click->has_value()) rows.AddDimensions(conv.time_us, **click, destination, d);
    ++stats->conversions;
  }

  CT_RETURN_IF_ERROR(DeleteLinkDay(db, link_id, account_id, day_us));
  CT_RETURN_IF_ERROR(WriteLinkDay(db, account_id, link_id, day_us, rows, visitors));
  if (*by_ip) CT_RETURN_IF_ERROR(WriteIpSightings(db, link_id, day_us, hits));
  return UpdateHits(db, hits, stats);
}

Status RebuildAccountDay(Db* db, int64_t account_id, int64_t day_us, SliceStats* stats) {
  const int64_t end = day_us + kDayUs;
  SliceRows rows;
  Result<std::vector<int64_t>> links =
      QueryIds(db, "SELECT id FROM links WHERE account_id = ? ORDER BY id", account_id);
  if (!links.ok()) return links.status();
  for (int64_t link : *links) {
    for (int64_t width : kRollupWidths) {
      Result<Statement> r = db->Prepare(R"sql(
        SELECT bucket_start_us, total, unique_count, head, bots, conversions, value_micros
        FROM rollups WHERE link_id = ? AND granularity = ? AND bucket_start_us >= ?
                           AND bucket_start_us < ?)sql");
      if (!r.ok()) return r.status();
      CT_RETURN_IF_ERROR(r->BindAll(link, width, day_us, end));
      for (;;) {
        Result<bool> row = r->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        RollupDelta d{r->ColumnInt(1), r->ColumnInt(2), r->ColumnInt(3),
                      r->ColumnInt(4), r->ColumnInt(5), r->ColumnInt(6)};
        rows.buckets[{width, r->ColumnInt(0)}].Add(d);
      }
    }
  }
  // The account's dimension rows: its links' dim_rollups of the day, per hour and for the day.
  // One scan of each hour's rows (keyed hour first) rather than a seek per link and hour.
  std::map<std::tuple<int64_t, int64_t, int64_t, std::string>, RollupDelta>
      dims;  // (width, start, dim, value)
  for (int64_t hour = day_us; hour < end; hour += kHourUs) {
    // Prepared per hour: a cached statement is reset when its Statement goes out of scope.
    Result<Statement> r = db->Prepare(R"sql(
      SELECT dim, value, SUM(total), SUM(unique_count), SUM(bots), SUM(conversions),
             SUM(value_micros)
      FROM dim_rollups
      WHERE bucket_start_us = ? AND +link_id IN (SELECT id FROM links WHERE account_id = ?)
      GROUP BY dim, value)sql");
    if (!r.ok()) return r.status();
    CT_RETURN_IF_ERROR(r->BindAll(hour, account_id));
    for (;;) {
      Result<bool> row = r->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      RollupDelta d;
      d.total = r->ColumnInt(2);
      d.unique = r->ColumnInt(3);
      d.bots = r->ColumnInt(4);
      d.conversions = r->ColumnInt(5);
      d.value_micros = r->ColumnInt(6);
      dims[{kHourSeconds, hour, r->ColumnInt(0), r->ColumnText(1)}].Add(d);
      dims[{kDaySeconds, day_us, r->ColumnInt(0), r->ColumnText(1)}].Add(d);
    }
  }
  // The account's combinations without the destination: its links' combo_rollups of the day,
  // per hour and for the day, one scan of each hour's rows as above.
  std::map<std::pair<int64_t, int64_t>, std::map<std::array<std::string, 6>, RollupDelta>>
      combos;  // (width, start) -> values -> counts
  for (int64_t hour = day_us; hour < end; hour += kHourUs) {
    Result<Statement> r = db->Prepare(R"sql(
      SELECT country, device, os, browser, referrer_domain, language, SUM(total),
             SUM(unique_count), SUM(bots), SUM(conversions), SUM(value_micros)
      FROM combo_rollups
      WHERE bucket_start_us = ? AND +link_id IN (SELECT id FROM links WHERE account_id = ?)
      GROUP BY 1, 2, 3, 4, 5, 6)sql");
    if (!r.ok()) return r.status();
    CT_RETURN_IF_ERROR(r->BindAll(hour, account_id));
    for (;;) {
      Result<bool> row = r->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      std::array<std::string, 6> values;
      for (int i = 0; i < 6; ++i) values[i] = r->ColumnText(i);
      RollupDelta d;
      d.total = r->ColumnInt(6);
      d.unique = r->ColumnInt(7);
      d.bots = r->ColumnInt(8);
      d.conversions = r->ColumnInt(9);
      d.value_micros = r->ColumnInt(10);
      combos[{kHourSeconds, hour}][values].Add(d);
      combos[{kDaySeconds, day_us}][values].Add(d);
    }
  }
  // Unattributed counted conversions: the account's buckets and goal rows with link_id 0.
  Result<Statement> c = db->Prepare(R"sql(
    SELECT goal_id, time_us, value_micros FROM conversions
    WHERE account_id = ? AND time_us >= ? AND time_us < ? AND link_id = 0 AND status = ?)sql");
  if (!c.ok()) return c.status();
  CT_RETURN_IF_ERROR(c->BindAll(account_id, day_us, end, kCounted));
  for (;;) {
    Result<bool> row = c->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    RollupDelta d;
    d.conversions = 1;
    d.value_micros = c->ColumnInt(2);
    rows.AddBuckets(c->ColumnInt(1), d);
    rows.AddGoal(c->ColumnInt(0), c->ColumnInt(1), c->ColumnInt(2));
    ++stats->conversions;
  }

  Result<Statement> del = db->Prepare(
      "DELETE FROM account_rollups WHERE account_id = ? AND granularity = ? AND "
      "bucket_start_us >= ? AND bucket_start_us < ?");
  if (!del.ok()) return del.status();
  for (int64_t width : kRollupWidths) {
    CT_RETURN_IF_ERROR(del->BindAll(account_id, width, day_us, end));
    CT_RETURN_IF_ERROR(del->Run());
  }
  Result<std::vector<int64_t>> goals =
      QueryIds(db, "SELECT id FROM goals WHERE account_id = ?", account_id);
  if (!goals.ok()) return goals.status();
  Result<Statement> g = db->Prepare(
      "DELETE FROM goal_rollups WHERE goal_id = ? AND granularity = ? AND bucket_start_us >= ? "
      "AND bucket_start_us < ? AND link_id = 0");
  if (!g.ok()) return g.status();
  for (int64_t goal : *goals) {
    for (int64_t width : kRollupWidths) {
      CT_RETURN_IF_ERROR(g->BindAll(goal, width, day_us, end));
      CT_RETURN_IF_ERROR(g->Run());
    }
  }
  // The account's pairs of known values: its combinations' (as the tracker's BatchDeltas).
  std::map<std::tuple<int64_t, int64_t, int64_t, int64_t, std::string, std::string>, RollupDelta>
      pairs;  // (width, start, dim_a, dim_b, value_a, value_b)
  for (const auto& [bucket, by_values] : combos) {
    for (const auto& [x, d] : by_values) {
      for (int64_t a = 0; a < 6; ++a) {
        if (x[a].empty()) continue;
        for (int64_t b = a + 1; b < 6; ++b) {
          if (!x[b].empty()) pairs[{bucket.first, bucket.second, a, b, x[a], x[b]}].Add(d);
        }
      }
    }
  }

  std::vector<std::vector<int64_t>> dim_keys, pair_keys;
  for (int64_t dim = 0; dim < kStoredDimensions; ++dim) dim_keys.push_back({dim});
  for (int64_t a = 0; a < 6; ++a) {
    for (int64_t b = a + 1; b < 6; ++b) pair_keys.push_back({a, b});
  }
  CT_RETURN_IF_ERROR(
      DeleteAccountDayRows(db, "account_dim_rollups", {"dim"}, dim_keys, account_id, day_us));
  CT_RETURN_IF_ERROR(
      DeleteAccountDayRows(db, "account_combo_rollups", {}, {{}}, account_id, day_us));
  CT_RETURN_IF_ERROR(DeleteAccountDayRows(db, "account_pair_rollups", {"dim_a", "dim_b"}, pair_keys,
                                          account_id, day_us));
  CT_RETURN_IF_ERROR(InsertCountedRows(
      db,
      "INSERT INTO account_dim_rollups (account_id, dim, granularity, bucket_start_us, value, "
      "total, unique_count, bots, conversions, value_micros) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "?)",
      dims, 5, [&](Statement* s, const auto& key) {
        const auto& [width, start, dim, value] = key;
        return s->BindAll(account_id, dim, width, start, std::string_view(value));
      }));
  for (const auto& [bucket, by_values] : combos) {
    CT_RETURN_IF_ERROR(InsertCountedRows(
        db,
        "INSERT INTO account_combo_rollups (account_id, granularity, bucket_start_us, country, "
        "device, os, browser, referrer_domain, language, total, unique_count, bots, conversions, "
        "value_micros) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        by_values, 9, [&](Statement* s, const std::array<std::string, 6>& x) {
          return s->BindAll(account_id, bucket.first, bucket.second, std::string_view(x[0]),
                            std::string_view(x[1]), std::string_view(x[2]), std::string_view(x[3]),
                            std::string_view(x[4]), std::string_view(x[5]));
        }));
  }
  CT_RETURN_IF_ERROR(InsertCountedRows(
      db,
      "INSERT INTO account_pair_rollups (account_id, dim_a, dim_b, granularity, bucket_start_us, "
      "value_a, value_b, total, unique_count, bots, conversions, value_micros) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      pairs, 7, [&](Statement* s, const auto& key) {
        const auto& [width, start, a, b, value_a, value_b] = key;
        return s->BindAll(account_id, a, b, width, start, std::string_view(value_a),
                          std::string_view(value_b));
      }));
  CT_RETURN_IF_ERROR(InsertBuckets(db, /*account=*/true, account_id, rows));
  return InsertGoals(db, /*link_id=*/0, rows);
}

}  // namespace ct::sqlite
