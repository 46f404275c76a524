// HealthReport: turns the pipeline's figures into a green / amber / red state per stage (edge,
// journal, tracker, store) for GET /api/v1/status, with the lag and last error of each. The
// thresholds are named constants below; the alarm engine applies its own limits with
// hysteresis — this is the at-a-glance view, not the pager.
//
// The caller gathers the figures (HealthFigures) from the live objects; keeping this class on
// plain values keeps monitor/ free of the stages it reports on, and makes the rules testable.
//
// Thread safety: Evaluate() may be called from any thread (it remembers the last
// clicks_unrecorded count under a mutex). `clock` must outlive the report.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"

namespace ct {

enum class HealthState { kGreen, kAmber, kRed };
std::string_view HealthStateName(HealthState state);  // "green", "amber", "red"

// A snapshot of the figures the stages export.
struct HealthFigures {
  // Edge.
  uint64_t clicks_unrecorded = 0;  // clicktrail_edge_clicks_unrecorded_total
  // Journal.
  bool journal_failed = false;  // the writer fail-stopped
  std::optional<double> journal_disk_used_percent;
  uint64_t journal_corruption = 0;  // corrupt bytes skipped + segments quarantined
  uint64_t journal_fsync_errors = 0;
  uint64_t journal_backlog_bytes = 0;
  // Tracker.
  double tracker_lag_seconds = 0;   // oldest unconsumed click's age
  int tracker_commit_failures = 0;  // consecutive
  double tracker_events_per_second = 0;
  // Store.
  int store_probe_failures = 0;  // consecutive
  double store_probe_latency_seconds = 0;
  std::string store_probe_error;  // last failure's message
  // Notifier (postbacks from the outbox).
  bool notifier_running = false;  // postbacks.enabled and started
  int64_t outbox_pending = 0;
  double outbox_oldest_age_seconds = 0;  // oldest undelivered delivery's age since its commit
  int64_t outbox_dead = 0;               // dead-lettered deliveries
  int64_t postbacks_disabled = 0;        // postbacks a 410 (or the API) disabled
  int postback_endpoint_failures = 0;    // longest run of failed attempts at one endpoint
};

struct StageHealth {
  std::string name;  // "edge", "journal", "tracker", "store", "notifier"
  HealthState state = HealthState::kGreen;
  double lag_seconds = 0;
  std::string detail;      // the figures behind the state, for a human
  std::string last_error;  // "" when none
};

class HealthReport {
 public:
  // Edge: amber while clicks were answered unrecorded within this window.
  static constexpr std::chrono::seconds kUnrecordedRecent{60};
  // Journal: amber above this share of the disk in use, red above the second.
  static constexpr double kDiskAmberPercent = 80;
  static constexpr double kDiskRedPercent = 95;
  // Tracker: the oldest uncommitted click's age.
  static constexpr double kLagAmberSeconds = 5;
  static constexpr double kLagRedSeconds = 30;
  // Store: consecutive failed probes.
  static constexpr int kProbeAmberFailures = 1;
  static constexpr int kProbeRedFailures = 3;
  // Notifier: the oldest undelivered postback's age.
  static constexpr double kOutboxAmberSeconds = 60;
  static constexpr double kOutboxRedSeconds = 600;

  explicit HealthReport(Clock* clock) : clock_(clock) {}

  // The five stages, in pipeline order (edge, journal, tracker, store, notifier).
  std::vector<StageHealth> Evaluate(const HealthFigures& figures);

 private:
  StageHealth Edge(const HealthFigures& f);

  Clock* const clock_;
  std::mutex mu_;
  uint64_t last_unrecorded_ = 0;  // the counter starts at 0 with the process
  std::optional<std::chrono::steady_clock::time_point> unrecorded_rose_at_;
};

}  // namespace ct
