// What "unique" means (the numbers every report shows):
//   A click is unique if it is the first click of its visitor_key on its link in its UTC day
//   (the day of the event's time_us, not of the commit). The unique count of a minute, hour or
//   day bucket is the number of such first clicks whose time falls in that bucket, so the
//   minute and hour uniques of a day add up to the day's. "First" is in commit order: a late
//   event older than one already committed for the same visitor and day is not unique.
//   HEAD requests (link scanners, previews) are counted only in `head`, never in total/unique.
#include "store/sqlite/commit.h"

#include <string>
#include <unordered_map>

#include "store/sqlite/transaction.h"

namespace ct::sqlite {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kWidths[] = {kMinuteSeconds, kHourSeconds, kDaySeconds};

struct RollupKey {
  int64_t link_id;
  int64_t width;
  int64_t start_us;
  bool operator==(const RollupKey&) const = default;
};
struct RollupKeyHash {
  size_t operator()(const RollupKey& k) const {
    uint64_t h = static_cast<uint64_t>(k.link_id) * 0x9E3779B97F4A7C15ull;
    h ^= static_cast<uint64_t>(k.start_us) + 0x7F4A7C159E3779B9ull + (h << 6) + (h >> 2);
    return h ^ static_cast<uint64_t>(k.width);
  }
};
struct RollupDelta {
  int64_t total = 0;
  int64_t unique = 0;
  int64_t head = 0;
};
using Deltas = std::unordered_map<RollupKey, RollupDelta, RollupKeyHash>;

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
[[nodiscard]] Status InsertHit(Db* db, const HitRecord& hit, bool* is_new) {
  // ON CONFLICT(event_id) rather than INSERT OR IGNORE: only the dedup key may be ignored; any
  // other failure must abort the batch, not pass for a duplicate.
  Result<Statement> stmt = db->Prepare(R"sql(
    INSERT INTO hits (event_id, link_id, account_id, kind, time_us, ip, user_agent, referrer,
                      accept_language, visitor_key)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (event_id) DO NOTHING)sql");
  if (!stmt.ok()) return stmt.status();
  const Event& e = hit.event;
  CT_RETURN_IF_ERROR(stmt->BindAll(Blob{e.id.data(), e.id.size()}, e.link_id, e.account_id,
                                   static_cast<int64_t>(e.kind), e.time_us, std::string_view(e.ip),
                                   std::string_view(e.user_agent), std::string_view(e.referrer),
                                   std::string_view(e.accept_language),
                                   Blob{hit.visitor_key.data(), hit.visitor_key.size()}));
  CT_RETURN_IF_ERROR(stmt->Run());
  *is_new = stmt->Changes() > 0;
  return Status::Ok();
}

// Records the visitor's click for the day; *first=true if it is the first one (unique).
[[nodiscard]] Status MarkVisitorDay(Db* db, const HitRecord& hit, bool* first) {
  Result<Statement> stmt = db->Prepare(R"sql(
    INSERT INTO visitor_days (link_id, day, visitor_key) VALUES (?, ?, ?)
    ON CONFLICT DO NOTHING)sql");
  if (!stmt.ok()) return stmt.status();
  int64_t day = BucketStart(hit.event.time_us, kDaySeconds) / (kDaySeconds * kMicrosPerSecond);
  CT_RETURN_IF_ERROR(
      stmt->BindAll(hit.event.link_id, day, Blob{hit.visitor_key.data(), hit.visitor_key.size()}));
  CT_RETURN_IF_ERROR(stmt->Run());
  *first = stmt->Changes() > 0;
  return Status::Ok();
}

[[nodiscard]] Status UpsertRollups(Db* db, const Deltas& deltas) {
  Result<Statement> stmt = db->Prepare(R"sql(
    INSERT INTO rollups (link_id, granularity, bucket_start_us, total, unique_count, head)
    VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (link_id, granularity, bucket_start_us) DO UPDATE SET
      total = total + excluded.total,
      unique_count = unique_count + excluded.unique_count,
      head = head + excluded.head)sql");
  if (!stmt.ok()) return stmt.status();
  for (const auto& [key, d] : deltas) {
    CT_RETURN_IF_ERROR(
        stmt->BindAll(key.link_id, key.width, key.start_us, d.total, d.unique, d.head));
    CT_RETURN_IF_ERROR(stmt->Run());
  }
  return Status::Ok();
}

[[nodiscard]] Status InsertDeadLetters(Db* db, const CommitBatch& batch, int64_t now_us) {
  Result<Statement> stmt = db->Prepare(R"sql(
    INSERT INTO dead_letters (consumer, position, reason, payload, created_at)
    VALUES (?, ?, ?, ?, ?))sql");
  if (!stmt.ok()) return stmt.status();
  for (const DeadLetter& dl : batch.dead_letters) {
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

}  // namespace

int64_t BucketStart(int64_t time_us, int64_t width_seconds) {
  const int64_t width_us = width_seconds * kMicrosPerSecond;
  int64_t q = time_us / width_us;
  if (time_us % width_us < 0) --q;  // C++ division truncates toward zero; buckets floor
  return q * width_us;
}

Result<CommitResult> ApplyCommit(Db* db, const CommitBatch& batch, int64_t now_us) {
  if (batch.to_position < batch.from_position) {
    return Status::InvalidArgument("commit moves consumer " + batch.consumer + " backwards");
  }
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  CT_RETURN_IF_ERROR(CheckPosition(db, batch));

  CommitResult result;
  // Summed in memory so each touched bucket is written once per batch, not once per hit: a
  // batch of thousands of clicks on a hot link is then three upserts instead of thousands.
  Deltas deltas;
  for (const HitRecord& hit : batch.hits) {
    bool is_new = false;
    CT_RETURN_IF_ERROR(InsertHit(db, hit, &is_new));
    if (!is_new) {
      ++result.duplicates;
      continue;
    }
    ++result.applied;
    RollupDelta delta;
    if (hit.event.kind == EventKind::kHead) {
      delta.head = 1;
    } else {
      bool first = false;
      CT_RETURN_IF_ERROR(MarkVisitorDay(db, hit, &first));
      delta.total = 1;
      delta.unique = first ? 1 : 0;
    }
    for (int64_t width : kWidths) {
      RollupDelta& d = deltas[{hit.event.link_id, width, BucketStart(hit.event.time_us, width)}];
      d.total += delta.total;
      d.unique += delta.unique;
      d.head += delta.head;
    }
  }
  CT_RETURN_IF_ERROR(UpsertRollups(db, deltas));
  CT_RETURN_IF_ERROR(InsertDeadLetters(db, batch, now_us));
  CT_RETURN_IF_ERROR(StorePosition(db, batch, now_us));
  CT_RETURN_IF_ERROR(txn.Commit());
  return result;
}

}  // namespace ct::sqlite
