#include "store/sqlite/rebuilder.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>
#include <utility>

#include "common/time_format.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/transaction.h"

namespace ct::sqlite {
namespace {

constexpr int64_t kHourUs = 3'600'000'000;
constexpr int64_t kDayUs = 86'400'000'000;
constexpr int64_t kCounted = static_cast<int64_t>(ConversionStatus::kCounted);

int64_t FloorTo(int64_t t, int64_t width) {
  int64_t q = t / width;
  if (t % width < 0) --q;
  return q * width;
}
int64_t CeilTo(int64_t t, int64_t width) {
  const int64_t f = FloorTo(t, width);
  return f == t ? t : f + width;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::optional<int64_t>> RetainedSince(Db* db) {
  Result<Statement> s = db->Prepare("SELECT since_us FROM hits_retained WHERE id = 1");
  if (!s.ok()) return s.status();
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  return std::optional<int64_t>(s->ColumnInt(0));
}

Status PastRetention(int64_t from_us, int64_t since_us, const std::string& what) {
  return Status::FailedPrecondition(
      "cannot rebuild " + what + ": raw hits before " + FormatIso8601(since_us) +
      " may have expired (tracker.hits_retention_days), and rebuilding without them would zero "
      "real counts; the earliest hour that still has raw hits is " +
      FormatIso8601(CeilTo(since_us, kHourUs)) +
      ", and a rebuild covers whole UTC days: use --from " +
      FormatIso8601(CeilTo(since_us, kDayUs)) + " or later");
}

Result<std::vector<int64_t>> Ids(Statement* s) {
  std::vector<int64_t> ids;
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return ids;
    ids.push_back(s->ColumnInt(0));
  }
}

}  // namespace

Rebuilder::Rebuilder(RebuildOptions options, std::unique_ptr<Db> db)
    : options_(std::move(options)), db_(std::move(db)) {}

Result<std::unique_ptr<Rebuilder>> Rebuilder::Start(RebuildOptions options) {
  if (!options.reclassify) return Status::InvalidArgument("rebuild needs a reclassifier");
  options.from_us = FloorTo(options.from_us, kDayUs);
  options.to_us = CeilTo(options.to_us, kDayUs);
  if (options.to_us <= options.from_us) {
    return Status::InvalidArgument("rebuild: --to must be after --from");
  }
  std::error_code ec;
  if (!std::filesystem::exists(options.db_path, ec)) {
    return Status::NotFound("no database at " + options.db_path);
  }
  DbOptions dbo;
  dbo.busy_timeout_ms = static_cast<int>(options.busy_timeout.count());
  Result<std::unique_ptr<Db>> db = Db::Open(options.db_path, dbo);
  if (!db.ok()) return db.status();
  CT_RETURN_IF_ERROR(Migrate(db->get()));
  std::unique_ptr<Rebuilder> r(new Rebuilder(std::move(options), std::move(db).value()));
  r->progress_.from_us = r->options_.from_us;
  r->progress_.to_us = r->options_.to_us;
  CT_RETURN_IF_ERROR(r->CheckRetention());
  CT_RETURN_IF_ERROR(r->CountEvents());
  CT_RETURN_IF_ERROR(r->LoadOrCreateJob());
  return r;
}

Status Rebuilder::CheckRetention() {
  Transaction txn(db_.get());
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred));
  Result<std::optional<int64_t>> since = RetainedSince(db_.get());
  if (!since.ok()) return since.status();
  if (!since->has_value()) return Status::Ok();  // nothing ever expired
  const int64_t s = **since;
  if (options_.from_us < s) {
    return PastRetention(options_.from_us, s, "from " + FormatIso8601(options_.from_us));
  }
  // A counted conversion's dimensions are its click's: that hit must still be there too.
  Result<Statement> accounts = db_->Prepare("SELECT id FROM accounts ORDER BY id");
  if (!accounts.ok()) return accounts.status();
  Result<std::vector<int64_t>> ids = Ids(&*accounts);
  if (!ids.ok()) return ids.status();
  for (int64_t account : *ids) {
    Result<Statement> oldest = db_->Prepare(R"sql(
      SELECT MIN(click_time_us) FROM conversions
      WHERE account_id = ? AND time_us >= ? AND time_us < ? AND status = ? AND link_id != 0
        AND (? = 0 OR link_id = ?))sql");
    if (!oldest.ok()) return oldest.status();
    CT_RETURN_IF_ERROR(oldest->BindAll(account, options_.from_us, options_.to_us, kCounted,
                                       options_.link_id, options_.link_id));
    Result<bool> row = oldest->Step();
    if (!row.ok()) return row.status();
    if (*row && !oldest->ColumnIsNull(0) && oldest->ColumnInt(0) < s) {
      const int64_t click = oldest->ColumnInt(0);
      return PastRetention(
          options_.from_us, s,
          "this range: a conversion in it credits a click of " + FormatIso8601(click));
    }
  }
  return txn.Commit();
}

Status Rebuilder::CountEvents() {
  Transaction txn(db_.get());
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred));
  int64_t n = 0;
  if (options_.link_id == 0) {
    Result<Statement> s =
        db_->Prepare("SELECT COUNT(*) FROM hits WHERE time_us >= ? AND time_us < ?");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(options_.from_us, options_.to_us));
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    n = *row ? s->ColumnInt(0) : 0;
  } else {
    for (int64_t h = options_.from_us / kHourUs; h < options_.to_us / kHourUs; ++h) {
      Result<Statement> s =
          db_->Prepare("SELECT COUNT(*) FROM hits WHERE time_us / 3600000000 = ? AND link_id = ?");
      if (!s.ok()) return s.status();
      CT_RETURN_IF_ERROR(s->BindAll(h, options_.link_id));
      Result<bool> row = s->Step();
      if (!row.ok()) return row.status();
      n += *row ? s->ColumnInt(0) : 0;
    }
  }
  progress_.events_total = n;
  return txn.Commit();
}

Status Rebuilder::LoadOrCreateJob() {
  Transaction txn(db_.get());
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  Result<Statement> s = db_->Prepare(R"sql(
    SELECT from_us, to_us, link_id, classifier, day_us, phase, last_id, events_done, finished
    FROM rebuild_checkpoint WHERE id = 1)sql");
  if (!s.ok()) return s.status();
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status();
  if (*row && !options_.restart && s->ColumnInt(8) == 0 && s->ColumnInt(0) == options_.from_us &&
      s->ColumnInt(1) == options_.to_us && s->ColumnInt(2) == options_.link_id &&
      s->ColumnInt(3) == options_.classifier) {
    progress_.resumed = true;
    progress_.day_us = s->ColumnInt(4);
    phase_ = static_cast<int>(s->ColumnInt(5));
    last_id_ = s->ColumnInt(6);
    progress_.events_done = s->ColumnInt(7);
    CT_RETURN_IF_ERROR(s->Run());
    return txn.Commit();
  }
  CT_RETURN_IF_ERROR(s->Run());
  progress_.day_us = options_.from_us;
  const int64_t now = NowMicros();
  Result<Statement> w = db_->Prepare(R"sql(
    INSERT OR REPLACE INTO rebuild_checkpoint (id, from_us, to_us, link_id, classifier, day_us,
                                              phase, last_id, events_done, started_at,
                                              updated_at, finished)
    VALUES (1, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, 0))sql");
  if (!w.ok()) return w.status();
  CT_RETURN_IF_ERROR(w->BindAll(options_.from_us, options_.to_us, options_.link_id,
                                options_.classifier, options_.from_us, now, now));
  CT_RETURN_IF_ERROR(w->Run());
  return txn.Commit();
}

Status Rebuilder::PlanDay() {
  Transaction txn(db_.get());
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred));
  const int64_t day = progress_.day_us;
  std::set<int64_t> links;
  std::vector<int64_t> accounts;
  Result<Statement> all_accounts = db_->Prepare("SELECT id FROM accounts ORDER BY id");
  if (!all_accounts.ok()) return all_accounts.status();
  Result<std::vector<int64_t>> account_ids = Ids(&*all_accounts);
  if (!account_ids.ok()) return account_ids.status();
  if (options_.link_id != 0) {
    links.insert(options_.link_id);
    Result<Statement> owner = db_->Prepare("SELECT account_id FROM links WHERE id = ?");
    if (!owner.ok()) return owner.status();
    CT_RETURN_IF_ERROR(owner->BindAll(options_.link_id));
    Result<std::vector<int64_t>> a = Ids(&*owner);
    if (!a.ok()) return a.status();
    accounts = std::move(*a);
  } else {
    // The links with hits that day (an index-only walk of hits_by_hour_link), or with counted
    // conversions credited to them; a link with neither has nothing to rebuild.
    for (int64_t hour = day / kHourUs; hour < (day + kDayUs) / kHourUs; ++hour) {
      Result<Statement> h =
          db_->Prepare("SELECT DISTINCT link_id FROM hits WHERE time_us / 3600000000 = ?");
      if (!h.ok()) return h.status();
      CT_RETURN_IF_ERROR(h->BindAll(hour));
      Result<std::vector<int64_t>> ids = Ids(&*h);
      if (!ids.ok()) return ids.status();
      links.insert(ids->begin(), ids->end());
    }
    for (int64_t account : *account_ids) {
      Result<Statement> c = db_->Prepare(R"sql(
        SELECT DISTINCT link_id FROM conversions
        WHERE account_id = ? AND time_us >= ? AND time_us < ? AND status = ? AND link_id != 0)sql");
      if (!c.ok()) return c.status();
      CT_RETURN_IF_ERROR(c->BindAll(account, day, day + kDayUs, kCounted));
      Result<std::vector<int64_t>> ids = Ids(&*c);
      if (!ids.ok()) return ids.status();
      links.insert(ids->begin(), ids->end());
    }
    accounts = std::move(*account_ids);
  }
  day_links_.assign(links.begin(), links.end());
  day_accounts_ = std::move(accounts);
  planned_day_ = day;
  return txn.Commit();
}

Status Rebuilder::RunSlices(int phase, const std::vector<int64_t>& ids, size_t first) {
  Transaction txn(db_.get());
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  // Checked again under the write lock: the retention sweep may have overtaken the job.
  Result<std::optional<int64_t>> since = RetainedSince(db_.get());
  if (!since.ok()) return since.status();
  if (since->has_value() && progress_.day_us < **since) {
    return PastRetention(progress_.day_us, **since, "the day " + FormatIso8601(progress_.day_us));
  }
  SliceStats stats;
  const SliceContext ctx{options_.from_us, options_.to_us, &options_.reclassify};
  size_t i = first;
  int slices = 0;
  // Each slice deletes and recomputes its own rows (rebuild_slice.h); several in one
  // transaction only share its commit.
  do {
    if (phase == 0) {
      CT_RETURN_IF_ERROR(RebuildLinkDay(db_.get(), ctx, ids[i], progress_.day_us, &stats));
    } else {
      CT_RETURN_IF_ERROR(RebuildAccountDay(db_.get(), ids[i], progress_.day_us, &stats));
    }
    ++slices;
  } while (++i < ids.size() && stats.hits < options_.txn_max_hits &&
           slices < options_.txn_max_slices);
  const int64_t last = ids[i - 1];
  Result<Statement> cp = db_->Prepare(R"sql(
    UPDATE rebuild_checkpoint SET day_us = ?, phase = ?, last_id = ?,
                                  events_done = events_done + ?, updated_at = ?
    WHERE id = 1)sql");
  if (!cp.ok()) return cp.status();
  CT_RETURN_IF_ERROR(
      cp->BindAll(progress_.day_us, static_cast<int64_t>(phase), last, stats.hits, NowMicros()));
  CT_RETURN_IF_ERROR(cp->Run());
  CT_RETURN_IF_ERROR(txn.Commit());
  phase_ = phase;
  last_id_ = last;
  progress_.events_done += stats.hits;
  progress_.changed_hits += stats.changed_hits;
  progress_.slices_done += slices;
  return Status::Ok();
}

Status Rebuilder::Finish() {
  Result<Statement> s =
      db_->Prepare("UPDATE rebuild_checkpoint SET finished = 1, updated_at = ? WHERE id = 1");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(NowMicros()));
  return s->Run();
}

Result<bool> Rebuilder::Step() {
  for (;;) {
    if (progress_.day_us >= options_.to_us) {
      CT_RETURN_IF_ERROR(Finish());
      return false;
    }
    if (planned_day_ != progress_.day_us) CT_RETURN_IF_ERROR(PlanDay());
    const std::vector<int64_t>& ids = phase_ == 0 ? day_links_ : day_accounts_;
    auto next = std::upper_bound(ids.begin(), ids.end(), last_id_);
    if (next != ids.end()) {
      CT_RETURN_IF_ERROR(RunSlices(phase_, ids, static_cast<size_t>(next - ids.begin())));
      return true;
    }
    // The phase is done: the day's accounts after its links, then the next day.
    if (phase_ == 0) {
      phase_ = 1;
    } else {
      phase_ = 0;
      progress_.day_us += kDayUs;
    }
    last_id_ = 0;
  }
}

}  // namespace ct::sqlite
