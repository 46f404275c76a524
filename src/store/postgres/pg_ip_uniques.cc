// ip_30min uniques on PostgreSQL (pg_commit_parts.h DecideIpUniques), the rule of
// store/sqlite/ip_uniques.h. Where SQLite asks one question per click under its single writer,
// this reads every sighting the batch's clicks can see in one query, decides in memory, and
// writes back in three statements: the (link, ip) advisory locks make the read-decide-write
// safe against another tracker committing the same IP on the same link.
#include <algorithm>
#include <iterator>
#include <map>
#include <tuple>

#include "store/postgres/pg_array.h"
#include "store/postgres/pg_commit_parts.h"

namespace ct::pg {
namespace {

// A sighting of one (link, ip), read from ip_sightings or added by this batch.
struct Sighting {
  std::string event_id;
  bool unique = false;
  bool committed = false;  // read from the table (flippable), not added by this batch
  bool has_hit = false;    // its raw hit still exists (a flip needs its dimensions)
  int64_t account_id = 0;
  std::array<std::string, 7> values;
};
// By event time; at one time, insertion order (the earlier committed first).
using Sightings = std::multimap<int64_t, Sighting>;

struct Pair {
  int64_t link_id = 0;
  std::string ip;
  int64_t min_t = 0, max_t = 0;
  Sightings seen;
};

std::string_view IdOf(const Event& e) {
  return {reinterpret_cast<const char*>(e.id.data()), e.id.size()};
}

// The first later sighting within the window, if it is unique and flippable: no longer unique.
struct Flip {
  const Pair* pair;
  int64_t time_us;
  const Sighting* sighting;
};
void FlipNext(const Event& e, Pair* p, std::vector<Flip>* flipped) {
  auto next = p->seen.upper_bound(e.time_us);
  if (next == p->seen.end() || next->first - e.time_us >= kIpUniqueWindowUs) return;
  // Of several at that time only the first committed can be unique: SQLite takes the unique
  // one first (ORDER BY time_us, is_unique DESC).
  auto range = p->seen.equal_range(next->first);
  auto it = std::find_if(range.first, range.second, [](const auto& s) { return s.second.unique; });
  if (it == range.second || !it->second.committed || !it->second.has_hit) return;
  it->second.unique = false;
  flipped->push_back({p, it->first, &it->second});
}

}  // namespace

Status DecideIpUniques(PgConn* c, const CommitBatch& batch, const std::vector<size_t>& clicks,
                       std::set<size_t>* unique, std::vector<RollupChange>* changes) {
  if (clicks.empty()) return Status::Ok();
  std::vector<size_t> order = clicks;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return batch.hits[a].event.time_us < batch.hits[b].event.time_us;
  });
  std::map<std::pair<int64_t, std::string>, Pair> pairs;
  for (size_t i : order) {
    const Event& e = batch.hits[i].event;
    auto [it, fresh] = pairs.try_emplace({e.link_id, e.ip});
    Pair& p = it->second;
    if (fresh) {
      p.link_id = e.link_id;
      p.ip = e.ip;
      p.min_t = p.max_t = e.time_us;
    }
    p.min_t = std::min(p.min_t, e.time_us);
    p.max_t = std::max(p.max_t, e.time_us);
  }
  std::vector<Pair*> by_index;
  ArrayText link, ip, lo, hi;
  for (auto& [key, p] : pairs) {
    by_index.push_back(&p);
    link.Int(p.link_id);
    ip.Text(p.ip);
    // What a click can see: (t - window, t] to decide it, (t, t + window) to flip the next.
    lo.Int(p.min_t - kIpUniqueWindowUs);
    hi.Int(p.max_t + kIpUniqueWindowUs);
  }
  const std::string links = link.Take(), ips = ip.Take();
  // Key order: two trackers locking overlapping pairs cannot wait on each other in a cycle.
  Result<PgResult> locked = c->Exec(R"sql(
    SELECT pg_advisory_xact_lock(k) FROM (
      SELECT DISTINCT hashtextextended(i, l) AS k FROM unnest($1::int8[], $2::text[]) AS p(l, i)
      ORDER BY k) s)sql",
                                    Params().Raw(links).Raw(ips));
  if (!locked.ok()) return locked.status();
  Result<PgResult> r = c->Exec(R"sql(
    SELECT p.n, s.time_us, s.event_id, s.is_unique, h.account_id IS NOT NULL, h.account_id,
           h.country, h.device, h.os, h.browser, h.referrer_domain, h.language, h.destination
    FROM unnest($1::int8[], $2::text[], $3::int8[], $4::int8[]) WITH ORDINALITY AS p(l, i, lo, hi, n)
    JOIN ip_sightings s ON s.link_id = p.l AND s.ip = p.i AND s.time_us > p.lo AND s.time_us < p.hi
    LEFT JOIN hits h ON s.is_unique AND h.time_us = s.time_us AND h.event_id = s.event_id
    ORDER BY p.n, s.time_us, s.is_unique DESC)sql",
                               Params().Raw(links).Raw(ips).Raw(lo.Take()).Raw(hi.Take()));
  if (!r.ok()) return r.status();
  for (int row = 0; row < r->rows(); ++row) {
    Sighting s;
    s.event_id = r->Bytes(row, 2);
    s.unique = r->Bool(row, 3);
    s.committed = true;
    s.has_hit = r->Bool(row, 4);
    s.account_id = r->Int(row, 5);
    for (int d = 0; d < 7; ++d) s.values[d] = r->Str(row, 6 + d);
    by_index[static_cast<size_t>(r->Int(row, 0) - 1)]->seen.emplace(r->Int(row, 1), std::move(s));
  }

  std::vector<Flip> flipped;
  ArrayText add_link, add_ip, add_time, add_id, add_unique;
  ArrayText hit_time, hit_id, hit_unique;  // the raw hits' is_unique: new uniques and flips
  for (size_t i : order) {
    const HitRecord& h = batch.hits[i];
    const Event& e = h.event;
    Pair& p = pairs.at({e.link_id, e.ip});
    // Unique when no sighting lies in (t - window, t].
    auto after = p.seen.upper_bound(e.time_us);
    const bool is_unique =
        after == p.seen.begin() || std::prev(after)->first <= e.time_us - kIpUniqueWindowUs;
    FlipNext(e, &p, &flipped);  // before adding it: the next one is strictly later
    Sighting s;
    s.event_id = std::string(IdOf(e));
    s.unique = is_unique;
    p.seen.emplace(e.time_us, std::move(s));
    add_link.Int(e.link_id);
    add_ip.Text(e.ip);
    add_time.Int(e.time_us);
    add_id.Bytes(IdOf(e));
    add_unique.Bool(is_unique);
    if (is_unique) {
      unique->insert(i);
      hit_time.Int(e.time_us);
      hit_id.Bytes(IdOf(e));
      hit_unique.Bool(true);
    }
  }

  Result<PgResult> ins = c->Exec(R"sql(
    INSERT INTO ip_sightings (link_id, ip, time_us, event_id, is_unique)
    SELECT * FROM unnest($1::int8[], $2::text[], $3::int8[], $4::bytea[], $5::bool[])
    ON CONFLICT DO NOTHING)sql",
                                 Params()
                                     .Raw(add_link.Take())
                                     .Raw(add_ip.Take())
                                     .Raw(add_time.Take())
                                     .Raw(add_id.Take())
                                     .Raw(add_unique.Take()));
  if (!ins.ok()) return ins.status();

  if (!flipped.empty()) {
    ArrayText f_link, f_ip, f_time, f_id;
    for (const Flip& f : flipped) {
      f_link.Int(f.pair->link_id);
      f_ip.Text(f.pair->ip);
      f_time.Int(f.time_us);
      f_id.Bytes(f.sighting->event_id);
      hit_time.Int(f.time_us);
      hit_id.Bytes(f.sighting->event_id);
      hit_unique.Bool(false);
      RollupChange ch;
      ch.link_id = f.pair->link_id;
      ch.account_id = f.sighting->account_id;
      ch.time_us = f.time_us;
      ch.dimensions = true;
      ch.values = f.sighting->values;
      ch.unique = -1;
      changes->push_back(std::move(ch));
    }
    Result<PgResult> up =
        c->Exec(R"sql(
      UPDATE ip_sightings s SET is_unique = false
      FROM unnest($1::int8[], $2::text[], $3::int8[], $4::bytea[]) AS f(l, i, t, id)
      WHERE s.link_id = f.l AND s.ip = f.i AND s.time_us = f.t AND s.event_id = f.id)sql",
                Params().Raw(f_link.Take()).Raw(f_ip.Take()).Raw(f_time.Take()).Raw(f_id.Take()));
    if (!up.ok()) return up.status();
  }
  if (hit_time.size() == 0) return Status::Ok();
  return c
      ->Exec(R"sql(
    UPDATE hits SET is_unique = u.v FROM unnest($1::int8[], $2::bytea[], $3::bool[]) AS u(t, id, v)
    WHERE hits.time_us = u.t AND hits.event_id = u.id)sql",
             Params().Raw(hit_time.Take()).Raw(hit_id.Take()).Raw(hit_unique.Take()))
      .status();
}

}  // namespace ct::pg
