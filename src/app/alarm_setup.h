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
#include "monitor/health.h"
#include "monitor/metrics.h"

namespace ct::app {

// The figures the rules read: the same snapshot the status page shows (monitor/health.h), so
// the two never disagree. Must be thread-safe; it is called at most once per evaluation.
using FiguresSource = std::function<HealthFigures()>;

// Checks the alarm keys together (a rule naming a channel that is not configured, a malformed
// URL, a missing sender or recipient); the message names the key.
Status ValidateAlarmConfig(const Config& config);

Result<std::unique_ptr<AlarmEngine>> BuildAlarmEngine(const Config& config, FiguresSource figures,
                                                      const std::string& state_file,
                                                      MetricsRegistry* metrics, Clock* clock);

}  // namespace ct::app
