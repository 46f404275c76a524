#include "app/role_monitor.h"

#include <algorithm>

#include "app/alarm_setup.h"
#include "app/serve_options.h"

namespace ct::app {
namespace {

// The /status stages each role runs (HealthReport evaluates all five; the others would only
// show a role's defaults as a green it never measured).
std::vector<std::string> StagesOf(const std::string& role) {
  if (role == "tracker") return {"tracker", "store"};
  if (role == "notifier") return {"store", "notifier"};
  if (role == "api") return {"edge", "journal", "tracker", "store"};
  // A plain edge: "tracker" is the pipeline lag up to the store's commit (the watermark).
  return {"edge", "journal", "tracker"};
}

}  // namespace

RoleMonitor::RoleMonitor(const Config& cfg, RoleParts parts, MetricsRegistry* metrics, Clock* clock)
    : cfg_(cfg), parts_(std::move(parts)), metrics_(metrics), clock_(clock), health_(clock) {
  if (!parts_.journal_dir.empty()) {
    journal_disk_ = std::make_unique<DiskUsage>(
        parts_.journal_dir, metrics_, "clicktrail_journal_disk_used_percent",
        "Percent of the journal's filesystem in use (as df counts it).");
  }
}

RoleMonitor::~RoleMonitor() { Stop(); }

Status RoleMonitor::Start(const std::string& state_file) {
  if (parts_.store != nullptr) {
    StoreProberOptions popts;
    popts.interval = std::chrono::milliseconds(cfg_.Int("monitor.probe_interval_ms"));
    popts.timeout = std::chrono::milliseconds(cfg_.Int("monitor.probe_timeout_ms"));
    popts.rebuild_after = static_cast<int>(cfg_.Int("monitor.rebuild_after_failures"));
    popts.on_repeated_failures = parts_.on_store_failures;
    // The lag's age and the disk grow with time alone: refresh their gauges every interval.
    popts.on_tick = [this] { (void)Figures(); };
    Store* store = parts_.store;
    prober_ = std::make_unique<StoreProber>(
        popts, [store] { return store->Probe(); }, metrics_);
    prober_->Start();
  }
  auto alarms = BuildAlarmEngine(
      cfg_, [this] { return Figures(); }, state_file, metrics_, clock_);
  if (!alarms.ok()) return alarms.status();
  alarms_ = std::move(alarms).value();
  return alarms_->Start();
}

void RoleMonitor::Stop() {
  if (alarms_) alarms_->Stop();
  if (prober_) prober_->Stop();
}

HealthFigures RoleMonitor::Figures() {
  HealthFigures f;
  f.clicks_unrecorded = CounterValue(*metrics_, "clicktrail_edge_clicks_unrecorded_total");
  if (parts_.writer != nullptr) {
    f.journal_failed = !parts_.writer->health().ok();
    f.journal_corruption = CounterValue(*metrics_, "clicktrail_journal_corrupt_bytes_total") +
                           CounterValue(*metrics_, "clicktrail_journal_quarantined_segments_total");
    f.journal_fsync_errors = CounterValue(*metrics_, "clicktrail_journal_fsync_errors_total");
  }
  if (journal_disk_) f.journal_disk_used_percent = journal_disk_->UsedPercent();
  if (parts_.lag != nullptr) {
    // The watermark is pulled here rather than pushed by the shipper: every reader of the lag
    // (alarms each tick, the prober's gauge refresh, /status) sees it current.
    if (parts_.committed_below) parts_.lag->OnCommitted(parts_.committed_below());
    parts_.lag->Refresh();
    f.journal_backlog_bytes = parts_.lag->BacklogBytes();
    f.tracker_lag_seconds = parts_.lag->OldestUnconsumedAgeSeconds();
  }
  if (parts_.tracker != nullptr) {
    f.tracker_commit_failures = parts_.tracker->ConsecutiveCommitFailures();
  }
  if (prober_) {
    f.store_probe_failures = prober_->ConsecutiveFailures();
    f.store_probe_latency_seconds = prober_->LastLatencySeconds();
    f.store_probe_error = prober_->LastError();
  }
  if (parts_.notifier != nullptr) {
    f.notifier_running = true;
    f.outbox_pending = parts_.notifier->PendingDeliveries();
    f.outbox_oldest_age_seconds = parts_.notifier->OldestPendingAgeSeconds();
    f.outbox_dead = parts_.notifier->DeadDeliveries();
    f.postbacks_disabled = parts_.notifier->DisabledPostbacks();
    f.postback_endpoint_failures = parts_.notifier->MaxConsecutiveEndpointFailures();
  }
  return f;
}

std::vector<StageHealth> RoleMonitor::Stages() {
  std::vector<StageHealth> all = health_.Evaluate(Figures());
  const std::vector<std::string> mine = StagesOf(parts_.role);
  std::erase_if(all, [&](const StageHealth& s) {
    return std::find(mine.begin(), mine.end(), s.name) == mine.end();
  });
  return all;
}

boost::json::array RoleMonitor::AlarmsJson() const {
  return alarms_ ? app::AlarmsJson(alarms_->Snapshot()) : boost::json::array{};
}

}  // namespace ct::app
