#include "store/sqlite/rollup_deltas.h"

#include <functional>
#include <utility>

namespace ct::sqlite {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

uint64_t Mix(uint64_t h, uint64_t v) {
  return h ^ (v + 0x7F4A7C159E3779B9ull + (h << 6) + (h >> 2));
}

// The tail of every counter upsert but goal_rollups': a conflicting row adds the batch's sums.
#define CT_ADD_COUNTERS                                                                \
  " DO UPDATE SET total = total + excluded.total,"                                     \
  " unique_count = unique_count + excluded.unique_count, bots = bots + excluded.bots," \
  " conversions = conversions + excluded.conversions,"                                 \
  " value_micros = value_micros + excluded.value_micros"

}  // namespace

int64_t BucketStart(int64_t time_us, int64_t width_seconds) {
  const int64_t width_us = width_seconds * kMicrosPerSecond;
  int64_t q = time_us / width_us;
  if (time_us % width_us < 0) --q;  // C++ division truncates toward zero; buckets floor
  return q * width_us;
}

void RollupDelta::Add(const RollupDelta& d) {
  total += d.total;
  unique += d.unique;
  head += d.head;
  bots += d.bots;
  conversions += d.conversions;
  value_micros += d.value_micros;
}

size_t BatchDeltas::KeyHash::operator()(const Key& k) const {
  uint64_t h = static_cast<uint64_t>(k.id) * 0x9E3779B97F4A7C15ull;
  h = Mix(h, static_cast<uint64_t>(k.start_us));
  h = Mix(h, static_cast<uint64_t>(k.link_id));
  return h ^ static_cast<uint64_t>(k.width);
}

size_t BatchDeltas::DimKeyHash::operator()(const DimKey& k) const {
  uint64_t h = static_cast<uint64_t>(k.link_id) * 0x9E3779B97F4A7C15ull;
  h = Mix(h, static_cast<uint64_t>(k.start_us));
  return Mix(h, std::hash<std::string_view>()(k.value) + static_cast<uint64_t>(k.dim));
}

void BatchDeltas::AddBuckets(int64_t link_id, int64_t account_id, int64_t time_us,
                             const RollupDelta& delta) {
  for (int64_t width : kRollupWidths) {
    const int64_t start = BucketStart(time_us, width);
    if (link_id != 0) links_[{link_id, width, start, 0}].Add(delta);
    accounts_[{account_id, width, start, 0}].Add(delta);
  }
}

size_t BatchDeltas::ComboKeyHash::operator()(const ComboKey& k) const {
  uint64_t h = static_cast<uint64_t>(k.link_id) * 0x9E3779B97F4A7C15ull;
  h = Mix(h, static_cast<uint64_t>(k.start_us));
  for (std::string_view v : k.values) h = Mix(h, std::hash<std::string_view>()(v));
  return h;
}

size_t BatchDeltas::PairKeyHash::operator()(const PairKey& k) const {
  uint64_t h = static_cast<uint64_t>(k.account_id) * 0x9E3779B97F4A7C15ull;
  h = Mix(h, static_cast<uint64_t>(k.start_us));
  h = Mix(h, static_cast<uint64_t>(k.dim_a * 8 + k.dim_b));
  h = Mix(h, std::hash<std::string_view>()(k.value_a));
  return Mix(h, std::hash<std::string_view>()(k.value_b));
}

size_t BatchDeltas::DestinationKeyHash::operator()(const DestinationKey& k) const {
  uint64_t h = static_cast<uint64_t>(k.link_id) * 0x9E3779B97F4A7C15ull;
  return Mix(h, std::hash<std::string_view>()(k.destination));
}

void BatchDeltas::AddDimensions(int64_t link_id, int64_t account_id, int64_t time_us,
                                const DimValues& values, const RollupDelta& delta) {
  const int64_t hour = BucketStart(time_us, kHourSeconds);
  const int64_t day = BucketStart(time_us, kDaySeconds);
  for (int dim = 0; dim < static_cast<int>(values.size()); ++dim) {
    // Unknown ("") is not stored per dimension: a breakdown derives it as the rollups' count
    // minus the known values', which spares the most common rows (direct visits, no geo data).
    if (values[dim].empty()) continue;
    dims_[{link_id, hour, dim, values[dim]}].Add(delta);
    account_hour_dims_[{account_id, hour, dim, values[dim]}].Add(delta);
    account_day_dims_[{account_id, day, dim, values[dim]}].Add(delta);
  }
  combos_[{link_id, hour, values}].Add(delta);
  DimValues no_destination = values;
  no_destination[6] = {};
  account_hour_combos_[{account_id, hour, no_destination}].Add(delta);
  account_day_combos_[{account_id, day, no_destination}].Add(delta);
  // Pairs of known values among the six dimensions before the destination (index 6).
  for (int a = 0; a < 6; ++a) {
    if (values[a].empty()) continue;
    for (int b = a + 1; b < 6; ++b) {
      if (values[b].empty()) continue;
      account_hour_pairs_[{account_id, hour, a, b, values[a], values[b]}].Add(delta);
      account_day_pairs_[{account_id, day, a, b, values[a], values[b]}].Add(delta);
    }
  }
  destination_links_.insert({account_id, link_id, values[6]});
}

void BatchDeltas::AddGoal(int64_t goal_id, int64_t link_id, int64_t time_us, int64_t value_micros) {
  for (int64_t width : kRollupWidths) {
    RollupDelta& d = goals_[{goal_id, width, BucketStart(time_us, width), link_id}];
    ++d.conversions;
    d.value_micros += value_micros;
  }
}

std::string_view BatchDeltas::Keep(std::string value) {
  return kept_.emplace_back(std::move(value));
}

Status BatchDeltas::Write(Db* db) const {
  CT_RETURN_IF_ERROR(WriteRollups(db, "rollups", "link_id", links_));
  CT_RETURN_IF_ERROR(WriteRollups(db, "account_rollups", "account_id", accounts_));
  CT_RETURN_IF_ERROR(WriteDimensions(db));
  CT_RETURN_IF_ERROR(WriteAccountDimensions(db));
  CT_RETURN_IF_ERROR(WriteCombos(db));
  CT_RETURN_IF_ERROR(WriteAccountCombos(db));
  CT_RETURN_IF_ERROR(WriteAccountPairs(db));
  CT_RETURN_IF_ERROR(WriteDestinationLinks(db));
  return WriteGoals(db);
}

// `table` is rollups (keyed by link_id) or account_rollups (keyed by account_id): the same
// counters, summed per key.
Status BatchDeltas::WriteRollups(Db* db, std::string_view table, std::string_view id_column,
                                 const Deltas& deltas) {
  if (deltas.empty()) return Status::Ok();
  const std::string sql = "INSERT INTO " + std::string(table) + " (" + std::string(id_column) +
                          R"sql(, granularity, bucket_start_us, total, unique_count, head, bots,
                           conversions, value_micros)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT ()sql" + std::string(id_column) +
                          ", granularity, bucket_start_us)" CT_ADD_COUNTERS
                          ", head = head + excluded.head";
  Result<Statement> stmt = db->Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  for (const auto& [key, d] : deltas) {
    CT_RETURN_IF_ERROR(stmt->BindAll(key.id, key.width, key.start_us, d.total, d.unique, d.head,
                                     d.bots, d.conversions, d.value_micros));
    CT_RETURN_IF_ERROR(stmt->Run());
  }
  return Status::Ok();
}

Status BatchDeltas::WriteDimensions(Db* db) const {
  if (dims_.empty()) return Status::Ok();
  Result<Statement> stmt = db->Prepare(R"sql(
    INSERT INTO dim_rollups (link_id, dim, bucket_start_us, value, total, unique_count, bots,
                             conversions, value_micros)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (bucket_start_us, link_id, dim, value) )sql" CT_ADD_COUNTERS);
  if (!stmt.ok()) return stmt.status();
  for (const auto& [key, d] : dims_) {
    CT_RETURN_IF_ERROR(stmt->BindAll(key.link_id, static_cast<int64_t>(key.dim), key.start_us,
                                     key.value, d.total, d.unique, d.bots, d.conversions,
                                     d.value_micros));
    CT_RETURN_IF_ERROR(stmt->Run());
  }
  return Status::Ok();
}

Status BatchDeltas::WriteAccountDimensions(Db* db) const {
  if (account_hour_dims_.empty()) return Status::Ok();
  Result<Statement> stmt = db->Prepare(R"sql(
    INSERT INTO account_dim_rollups (account_id, dim, granularity, bucket_start_us, value, total,
                                     unique_count, bots, conversions, value_micros)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (account_id, dim, granularity, bucket_start_us, value) )sql" CT_ADD_COUNTERS);
  if (!stmt.ok()) return stmt.status();
  for (const auto* rows : {&account_hour_dims_, &account_day_dims_}) {
    const int64_t width = rows == &account_hour_dims_ ? kHourSeconds : kDaySeconds;
    for (const auto& [key, d] : *rows) {
      CT_RETURN_IF_ERROR(stmt->BindAll(key.link_id, static_cast<int64_t>(key.dim), width,
                                       key.start_us, key.value, d.total, d.unique, d.bots,
                                       d.conversions, d.value_micros));
      CT_RETURN_IF_ERROR(stmt->Run());
    }
  }
  return Status::Ok();
}

Status BatchDeltas::WriteCombos(Db* db) const {
  if (combos_.empty()) return Status::Ok();
  Result<Statement> stmt = db->Prepare(R"sql(
    INSERT INTO combo_rollups (bucket_start_us, link_id, country, device, os, browser,
                               referrer_domain, language, destination, total, unique_count,
                               bots, conversions, value_micros)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (bucket_start_us, link_id, country, device, os, browser, referrer_domain,
                 language, destination) )sql" CT_ADD_COUNTERS);
  if (!stmt.ok()) return stmt.status();
  for (const auto& [key, d] : combos_) {
    const DimValues& v = key.values;
    CT_RETURN_IF_ERROR(stmt->BindAll(key.start_us, key.link_id, v[0], v[1], v[2], v[3], v[4], v[5],
                                     v[6], d.total, d.unique, d.bots, d.conversions,
                                     d.value_micros));
    CT_RETURN_IF_ERROR(stmt->Run());
  }
  return Status::Ok();
}

Status BatchDeltas::WriteAccountCombos(Db* db) const {
  if (account_hour_combos_.empty()) return Status::Ok();
  Result<Statement> stmt = db->Prepare(R"sql(
    INSERT INTO account_combo_rollups (account_id, granularity, bucket_start_us, country, device,
                                       os, browser, referrer_domain, language, total,
                                       unique_count, bots, conversions, value_micros)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (account_id, granularity, bucket_start_us, country, device, os, browser,
                 referrer_domain, language) )sql" CT_ADD_COUNTERS);
  if (!stmt.ok()) return stmt.status();
  for (const auto* rows : {&account_hour_combos_, &account_day_combos_}) {
    const int64_t width = rows == &account_hour_combos_ ? kHourSeconds : kDaySeconds;
    for (const auto& [key, d] : *rows) {
      const DimValues& v = key.values;
      CT_RETURN_IF_ERROR(stmt->BindAll(key.link_id, width, key.start_us, v[0], v[1], v[2], v[3],
                                       v[4], v[5], d.total, d.unique, d.bots, d.conversions,
                                       d.value_micros));
      CT_RETURN_IF_ERROR(stmt->Run());
    }
  }
  return Status::Ok();
}

Status BatchDeltas::WriteAccountPairs(Db* db) const {
  if (account_hour_pairs_.empty()) return Status::Ok();
  Result<Statement> stmt = db->Prepare(R"sql(
    INSERT INTO account_pair_rollups (account_id, dim_a, dim_b, granularity, bucket_start_us,
                                      value_a, value_b, total, unique_count, bots, conversions,
                                      value_micros)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (account_id, dim_a, dim_b, granularity, bucket_start_us, value_a, value_b)
    )sql" CT_ADD_COUNTERS);
  if (!stmt.ok()) return stmt.status();
  for (const auto* rows : {&account_hour_pairs_, &account_day_pairs_}) {
    const int64_t width = rows == &account_hour_pairs_ ? kHourSeconds : kDaySeconds;
    for (const auto& [key, d] : *rows) {
      CT_RETURN_IF_ERROR(stmt->BindAll(key.account_id, static_cast<int64_t>(key.dim_a),
                                       static_cast<int64_t>(key.dim_b), width, key.start_us,
                                       key.value_a, key.value_b, d.total, d.unique, d.bots,
                                       d.conversions, d.value_micros));
      CT_RETURN_IF_ERROR(stmt->Run());
    }
  }
  return Status::Ok();
}

Status BatchDeltas::WriteDestinationLinks(Db* db) const {
  if (destination_links_.empty()) return Status::Ok();
  Result<Statement> stmt = db->Prepare(
      "INSERT OR IGNORE INTO account_destination_links (account_id, destination, link_id) "
      "VALUES (?, ?, ?)");
  if (!stmt.ok()) return stmt.status();
  for (const DestinationKey& k : destination_links_) {
    CT_RETURN_IF_ERROR(stmt->BindAll(k.account_id, k.destination, k.link_id));
    CT_RETURN_IF_ERROR(stmt->Run());
  }
  return Status::Ok();
}

Status BatchDeltas::WriteGoals(Db* db) const {
  if (goals_.empty()) return Status::Ok();
  Result<Statement> stmt = db->Prepare(R"sql(
    INSERT INTO goal_rollups (goal_id, granularity, bucket_start_us, link_id, conversions,
                              value_micros)
    VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (goal_id, granularity, bucket_start_us, link_id) DO UPDATE SET
      conversions = conversions + excluded.conversions,
      value_micros = value_micros + excluded.value_micros)sql");
  if (!stmt.ok()) return stmt.status();
  for (const auto& [key, d] : goals_) {
    CT_RETURN_IF_ERROR(
        stmt->BindAll(key.id, key.width, key.start_us, key.link_id, d.conversions, d.value_micros));
    CT_RETURN_IF_ERROR(stmt->Run());
  }
  return Status::Ok();
}

}  // namespace ct::sqlite
