// Builds the alarm engine of `clicktrail serve` from the configuration: the channels that are
// configured (webhook, email, SMS), the rules of RELIABILITY §6 with their thresholds, and the
// sources each rule reads. Alarms leave through paths that depend on neither the store nor the
// bus: their inputs are in-process figures, their state is in memory and a local file.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"
#include "monitor/alarm_engine.h"
#include "monitor/metrics.h"

namespace ct::app {

// Live figures the rules read; each must be cheap and thread-safe.
struct AlarmInputs {
  std::function<double()> pipeline_lag_seconds;        // age of the oldest uncommitted event
  std::function<double()> store_probe_failures;        // consecutive failed store probes
  std::function<double()> journal_failed;              // 1 once the writer has fail-stopped
  std::function<double()> journal_fsync_errors_total;  // counter
  std::function<double()> journal_corruption_total;    // counter (bytes or segments)
  std::function<double()> journal_disk_used_percent;
  std::function<double()> clicks_unrecorded_total;  // counter: 302s whose record was lost
};

// Checks the alarm keys together (a rule naming a channel that is not configured, a malformed
// URL, a missing sender or recipient); the message names the key.
Status ValidateAlarmConfig(const Config& config);

Result<std::unique_ptr<AlarmEngine>> BuildAlarmEngine(const Config& config, AlarmInputs inputs,
                                                      const std::string& state_file,
                                                      MetricsRegistry* metrics, Clock* clock);

}  // namespace ct::app
