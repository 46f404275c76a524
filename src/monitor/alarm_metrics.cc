#include "monitor/alarm_metrics.h"

namespace ct {

AlarmMetrics::AlarmMetrics(MetricsRegistry* registry)
    : registry_(registry),
      dropped_(registry->AddCounter("clicktrail_alarm_messages_dropped_total",
                                    "Alarm messages given up on (queue full, out of retries, "
                                    "shutdown).")),
      state_write_failures_(registry->AddCounter("clicktrail_alarm_state_write_failures_total",
                                                 "Failed writes of the alarm state file.")) {}

Gauge* AlarmMetrics::Firing(const std::string& rule) {
  return registry_->AddGauge("clicktrail_alarm_firing", "1 while the alarm rule is firing.",
                             Label("rule", rule));
}

Counter* AlarmMetrics::Sent(const std::string& channel) {
  return registry_->AddCounter("clicktrail_alarm_messages_sent_total",
                               "Alarm messages accepted by a channel.", Label("channel", channel));
}

Counter* AlarmMetrics::SendFailures(const std::string& channel) {
  return registry_->AddCounter("clicktrail_alarm_send_failures_total",
                               "Failed alarm send attempts (each retry counts).",
                               Label("channel", channel));
}

std::string AlarmMetrics::Label(const std::string& key, const std::string& value) {
  std::string out = key + "=\"";
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace ct
