// RoleMonitor: the health figures, store prober and alarms of one distributed-mode role
// (docs/deployment.md, "Alarms and status"). No process sees the whole pipeline there, so each
// role watches what it runs and alarms on it by itself:
//   edge, api  the journal (failed writer, fsync errors, corruption, disk), clicks answered
//              unrecorded, and the pipeline lag: the age of the oldest journaled event that the
//              store has not committed yet, measured against the watermark the trackers publish
//              (so a paused PostgreSQL, a stalled bus or dead trackers all show here, where
//              the events wait);
//   tracker    commit failures and the store probe;
//   notifier   the postback rules and the store probe.
// Alarm state is kept in a local file (data_dir/alarms-<role>.json): alarms must not depend on
// the store or the bus they watch.
//
// Thread safety: Figures(), Stages() and AlarmsJson() may be called from any thread once
// Start() returned. Every borrowed part must outlive the monitor (Stop() before they go).
#pragma once

#include <boost/json/array.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"
#include "journal/writer.h"
#include "monitor/alarm_engine.h"
#include "monitor/disk_usage.h"
#include "monitor/health.h"
#include "monitor/lag_tracker.h"
#include "monitor/metrics.h"
#include "monitor/store_prober.h"
#include "notify/notifier.h"
#include "store/store.h"
#include "tracker/bus_tracker.h"

namespace ct::app {

// What one role runs; a part left null is not watched.
struct RoleParts {
  std::string role;  // "edge", "api", "tracker", "notifier"
  Store* store = nullptr;
  // Edge and api: the journal and the lag between it and the store's commits.
  journal::JournalWriter* writer = nullptr;
  std::string journal_dir;
  LagTracker* lag = nullptr;
  std::function<uint64_t()> committed_below;  // the store's watermark for this edge
  const BusTracker* tracker = nullptr;
  const notify::Notifier* notifier = nullptr;
  // Called after repeated probe failures (the role rebuilds its store client).
  std::function<void(int consecutive)> on_store_failures;
};

class RoleMonitor {
 public:
  RoleMonitor(const Config& cfg, RoleParts parts, MetricsRegistry* metrics, Clock* clock);
  ~RoleMonitor();
  RoleMonitor(const RoleMonitor&) = delete;
  RoleMonitor& operator=(const RoleMonitor&) = delete;

  // Starts the store prober and the alarm engine (its state in `state_file`).
  Status Start(const std::string& state_file);
  void Stop();  // idempotent

  HealthFigures Figures();
  // The stages this role runs, in pipeline order (GET /api/v1/status on the api role).
  std::vector<StageHealth> Stages();
  boost::json::array AlarmsJson() const;

 private:
  const Config& cfg_;
  const RoleParts parts_;
  MetricsRegistry* const metrics_;
  Clock* const clock_;
  HealthReport health_;
  std::unique_ptr<DiskUsage> journal_disk_;
  std::unique_ptr<StoreProber> prober_;
  std::unique_ptr<AlarmEngine> alarms_;
};

}  // namespace ct::app
