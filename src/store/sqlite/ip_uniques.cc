#include "store/sqlite/ip_uniques.h"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "store/sqlite/commit.h"

namespace ct::sqlite {
namespace {

// The dimension values of a raw hit, in store.h Dimension order (as commit.cc writes them).
constexpr std::string_view kHitDimensionColumns =
    "country, device, os, browser, referrer_domain, language, destination";

}  // namespace

Status IpUniques::Apply() {
  // Event-time order, ties in batch order: each click sees exactly the earlier ones.
  std::stable_sort(hits_.begin(), hits_.end(), [](const HitRecord* a, const HitRecord* b) {
    return a->event.time_us < b->event.time_us;
  });
  for (const HitRecord* hit : hits_) CT_RETURN_IF_ERROR(Decide(*hit));
  return Status::Ok();
}

Status IpUniques::Decide(const HitRecord& hit) {
  const Event& e = hit.event;
  bool unique = false;
  {
    Result<Statement> s = db_->Prepare(R"sql(
      SELECT NOT EXISTS (SELECT 1 FROM ip_sightings
                         WHERE link_id = ? AND ip = ? AND time_us > ? AND time_us <= ?))sql");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(
        s->BindAll(e.link_id, std::string_view(e.ip), e.time_us - kIpUniqueWindowUs, e.time_us));
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    unique = *row && s->ColumnInt(0) != 0;
  }
  // Before inserting the sighting: the next one after it is looked up strictly later.
  CT_RETURN_IF_ERROR(FlipNext(hit));
  {
    Result<Statement> s = db_->Prepare(R"sql(
      INSERT INTO ip_sightings (link_id, ip, time_us, event_id, is_unique)
      VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING)sql");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(e.link_id, std::string_view(e.ip), e.time_us,
                                  Blob{e.id.data(), e.id.size()},
                                  static_cast<int64_t>(unique ? 1 : 0)));
    CT_RETURN_IF_ERROR(s->Run());
  }
  if (!unique) return Status::Ok();
  CT_RETURN_IF_ERROR(SetUnique(e.id.data(), e.id.size(), true));
  RollupDelta delta;
  delta.unique = 1;
  deltas_->AddBuckets(e.link_id, e.account_id, e.time_us, delta);
  const Enrichment& en = hit.enrichment;
  deltas_->AddDimensions(
      e.link_id, e.account_id, e.time_us,
      {en.country, en.device, en.os, en.browser, en.referrer_domain, en.language, e.destination},
      delta);
  return Status::Ok();
}

Status IpUniques::FlipNext(const HitRecord& hit) {
  const Event& e = hit.event;
  std::string next_id;
  int64_t next_time = 0;
  {
    Result<Statement> s = db_->Prepare(R"sql(
      SELECT event_id, time_us, is_unique FROM ip_sightings
      WHERE link_id = ? AND ip = ? AND time_us > ? ORDER BY time_us, is_unique DESC LIMIT 1)sql");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(e.link_id, std::string_view(e.ip), e.time_us));
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    // Of several at the earliest later time only the first committed can be unique: it sorts
    // first. Nothing later, or 30 minutes or more later (out of reach), or not unique: done.
    if (!*row || s->ColumnInt(1) - e.time_us >= kIpUniqueWindowUs || s->ColumnInt(2) == 0) {
      return Status::Ok();
    }
    next_id = s->ColumnText(0);
    next_time = s->ColumnInt(1);
  }
  // Its dimensions come from its raw hit; without one (expired) it stays as it was counted.
  RollupDelta delta;
  delta.unique = -1;
  {
    Result<Statement> s = db_->Prepare("SELECT account_id, " + std::string(kHitDimensionColumns) +
                                       " FROM hits WHERE event_id = ?");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(Blob{next_id.data(), next_id.size()}));
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    deltas_->AddBuckets(e.link_id, s->ColumnInt(0), next_time, delta);
    BatchDeltas::DimValues values;
    for (int dim = 0; dim < kStoredDimensions; ++dim) {
      values[dim] = deltas_->Keep(s->ColumnText(1 + dim));
    }
    deltas_->AddDimensions(e.link_id, s->ColumnInt(0), next_time, values, delta);
  }
  {
    Result<Statement> s = db_->Prepare(R"sql(
      UPDATE ip_sightings SET is_unique = 0 WHERE link_id = ? AND ip = ? AND time_us = ?
                                              AND event_id = ?)sql");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(e.link_id, std::string_view(e.ip), next_time,
                                  Blob{next_id.data(), next_id.size()}));
    CT_RETURN_IF_ERROR(s->Run());
  }
  return SetUnique(next_id.data(), next_id.size(), false);
}

Status IpUniques::SetUnique(const void* event_id, size_t size, bool unique) {
  Result<Statement> s = db_->Prepare("UPDATE hits SET is_unique = ? WHERE event_id = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(static_cast<int64_t>(unique ? 1 : 0), Blob{event_id, size}));
  return s->Run();
}

}  // namespace ct::sqlite
