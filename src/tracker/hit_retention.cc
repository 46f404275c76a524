#include "tracker/hit_retention.h"

#include "common/log.h"

namespace ct {
namespace {

constexpr int64_t kDayUs = 86'400'000'000;

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

Result<int64_t> HitRetention::RunOnce() {
  if (options_.retention_days <= 0) return int64_t{0};
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
