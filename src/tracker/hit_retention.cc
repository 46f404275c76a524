#include "tracker/hit_retention.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "common/log.h"

namespace ct {
namespace {

constexpr int64_t kDayUs = 86'400'000'000;

int64_t FloorDay(int64_t t) {
  int64_t q = t / kDayUs;
  if (t % kDayUs < 0) --q;  // division truncates toward zero; days floor
  return q * kDayUs;
}

const Logger& Log() {
  static const Logger log("retention");
  return log;
}

}  // namespace

HitRetention::HitRetention(HitRetentionOptions options, Store* store, Clock* clock)
    : options_(options), store_(store), clock_(clock) {}

HitRetention::~HitRetention() { Stop(); }

void HitRetention::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void HitRetention::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool HitRetention::StopRequested(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, d, [this] { return stop_; });
}

Result<int64_t> HitRetention::ExportAndExpire() {
  // Whole UTC days only, so each day's file is written once complete (late hits aside).
  const int64_t cutoff = FloorDay(clock_->NowMicros() - options_.retention_days * kDayUs);
  HitExporter exporter({options_.export_dir, static_cast<int>(options_.batch_rows)}, store_);
  int64_t total = 0;
  for (;;) {
    Result<std::vector<ExportedHit>> oldest =
        store_->ScanHits(std::numeric_limits<int64_t>::min(), cutoff, std::nullopt, 1);
    if (!oldest.ok()) return oldest.status();
    if (oldest->empty()) return total;
    const int64_t day = FloorDay(oldest->front().row.time_us);
    // Durable on disk first; only then may the store forget these hits.
    Result<std::vector<EventId>> ids = exporter.ExportDay(day);
    if (!ids.ok()) return ids.status();
    int64_t deleted = 0;
    for (size_t at = 0; at < ids->size(); at += static_cast<size_t>(options_.batch_rows)) {
      const size_t end = std::min(ids->size(), at + static_cast<size_t>(options_.batch_rows));
      Result<int64_t> n =
          store_->DeleteHits(std::vector<EventId>(ids->begin() + at, ids->begin() + end));
      if (!n.ok()) return n.status();
      deleted += *n;
      if (StopRequested(options_.pause)) return total + deleted;
    }
    total += deleted;
    Log().Info("hit retention: exported and deleted {} raw hits of {}", deleted,
               exporter.DayPath(day));
    // The day's hits were all found and deleted: no hit of it can make this loop spin.
    if (deleted == 0) {
      return Status::Internal("hit retention: the hits of " + exporter.DayPath(day) +
                              " were exported but none could be deleted");
    }
  }
}

Result<int64_t> HitRetention::RunOnce() {
  if (options_.retention_days <= 0) return int64_t{0};
  if (!options_.export_dir.empty()) return ExportAndExpire();
  const int64_t before = clock_->NowMicros() - options_.retention_days * kDayUs;
  int64_t total = 0;
  for (;;) {
    Result<int64_t> n = store_->ExpireHits(before, options_.batch_rows);
    if (!n.ok()) return n.status();
    total += *n;
    if (*n < options_.batch_rows) return total;
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, options_.pause, [this] { return stop_; })) return total;
  }
}

Result<int64_t> HitRetention::PruneIpSightings() {
  const int64_t before = clock_->NowMicros() - kIpSightingsKeepUs;
  int64_t total = 0;
  for (;;) {
    Result<int64_t> n = store_->ExpireIpSightings(before, options_.batch_rows);
    if (!n.ok()) return n.status();
    total += *n;
    if (*n < options_.batch_rows) return total;
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, options_.pause, [this] { return stop_; })) return total;
  }
}

void HitRetention::Loop() {
  for (;;) {
    if (Result<int64_t> p = PruneIpSightings(); !p.ok()) {
      Log().Warn("ip sightings retention: {}", p.status().ToString());
    }
    Result<int64_t> n = RunOnce();
    if (!n.ok()) {
      Log().Warn("hit retention: {}", n.status().ToString());
    } else if (*n > 0) {
      Log().Info("hit retention: deleted {} raw hits older than {} days", *n,
                 options_.retention_days);
    }
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, options_.interval, [this] { return stop_; })) return;
  }
}

}  // namespace ct
