// AlarmMetrics: every metric of the alarm path, registered in this one place.
//
//   clicktrail_alarm_firing{rule="..."}                    gauge, 1 while the rule is firing
//   clicktrail_alarm_messages_sent_total{channel="..."}    messages a channel accepted
//   clicktrail_alarm_send_failures_total{channel="..."}    failed attempts (each retry counts)
//   clicktrail_alarm_messages_dropped_total                messages given up on: queue full,
//                                                          out of retries, or shutdown
//   clicktrail_alarm_state_write_failures_total            state file writes that failed
//
// Thread safety: the accessors may be called from any thread; the returned metrics are owned by
// the registry and live as long as it does.
#pragma once

#include <string>

#include "monitor/metrics.h"

namespace ct {

class AlarmMetrics {
 public:
  explicit AlarmMetrics(MetricsRegistry* registry);

  Gauge* Firing(const std::string& rule);
  Counter* Sent(const std::string& channel);
  Counter* SendFailures(const std::string& channel);
  Counter* dropped() const { return dropped_; }
  Counter* state_write_failures() const { return state_write_failures_; }

  // `key="value"` with the value escaped for the Prometheus text format.
  static std::string Label(const std::string& key, const std::string& value);

 private:
  MetricsRegistry* registry_;
  Counter* dropped_;
  Counter* state_write_failures_;
};

}  // namespace ct
