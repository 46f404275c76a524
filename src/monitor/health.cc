#include "monitor/health.h"

#include <fmt/format.h>

namespace ct {
namespace {

StageHealth Journal(const HealthFigures& f) {
  StageHealth s;
  s.name = "journal";
  const std::string disk = f.journal_disk_used_percent
                               ? fmt::format("{:.1f}%", *f.journal_disk_used_percent)
                               : std::string("unknown");
  s.detail =
      fmt::format("backlog {} bytes, disk {} used, {} fsync errors, {} corruption",
                  f.journal_backlog_bytes, disk, f.journal_fsync_errors, f.journal_corruption);
  const double used = f.journal_disk_used_percent.value_or(0);
  if (f.journal_failed) {
    s.state = HealthState::kRed;
    s.last_error = "the journal writer has fail-stopped; clicks are answered unrecorded";
  } else if (used > HealthReport::kDiskRedPercent) {
    s.state = HealthState::kRed;
    s.last_error = "journal disk almost full";
  } else if (used > HealthReport::kDiskAmberPercent) {
    s.state = HealthState::kAmber;
    s.last_error = "journal disk filling up";
  } else if (f.journal_corruption > 0) {
    // Recovered from (quarantined and counted), but data was lost: someone should look.
    s.state = HealthState::kAmber;
    s.last_error = "corrupt journal data was quarantined";
  }
  return s;
}

StageHealth Tracker(const HealthFigures& f) {
  StageHealth s;
  s.name = "tracker";
  s.lag_seconds = f.tracker_lag_seconds;
  s.detail = fmt::format("oldest uncommitted click {:.1f} s old, {:.1f} events/s",
                         f.tracker_lag_seconds, f.tracker_events_per_second);
  if (f.tracker_lag_seconds >= HealthReport::kLagRedSeconds) {
    s.state = HealthState::kRed;
  } else if (f.tracker_lag_seconds >= HealthReport::kLagAmberSeconds) {
    s.state = HealthState::kAmber;
  }
  if (f.tracker_commit_failures > 0) {
    s.last_error = fmt::format("{} store commits failed in a row", f.tracker_commit_failures);
  }
  return s;
}

StageHealth Store(const HealthFigures& f) {
  StageHealth s;
  s.name = "store";
  s.detail = fmt::format("last probe {:.1f} ms, {} failed in a row",
                         f.store_probe_latency_seconds * 1e3, f.store_probe_failures);
  if (f.store_probe_failures >= HealthReport::kProbeRedFailures) {
    s.state = HealthState::kRed;
  } else if (f.store_probe_failures >= HealthReport::kProbeAmberFailures) {
    s.state = HealthState::kAmber;
  }
  if (f.store_probe_failures > 0) s.last_error = f.store_probe_error;
  return s;
}

StageHealth Notifier(const HealthFigures& f) {
  StageHealth s;
  s.name = "notifier";
  s.lag_seconds = f.outbox_oldest_age_seconds;
  s.detail = fmt::format("{} postbacks pending (oldest {:.1f} s), {} dead, {} endpoints disabled{}",
                         f.outbox_pending, f.outbox_oldest_age_seconds, f.outbox_dead,
                         f.postbacks_disabled, f.notifier_running ? "" : "; not running");
  if (f.outbox_oldest_age_seconds >= HealthReport::kOutboxRedSeconds) {
    s.state = HealthState::kRed;
  } else if (f.outbox_oldest_age_seconds >= HealthReport::kOutboxAmberSeconds ||
             f.outbox_dead > 0 || f.postbacks_disabled > 0) {
    s.state = HealthState::kAmber;
  }
  if (f.postback_endpoint_failures > 0) {
    s.last_error =
        fmt::format("{} failed attempts in a row at one endpoint", f.postback_endpoint_failures);
  } else if (f.postbacks_disabled > 0) {
    s.last_error = "a receiver answered 410 Gone: its postback is disabled";
  }
  return s;
}

}  // namespace

std::string_view HealthStateName(HealthState state) {
  switch (state) {
    case HealthState::kGreen:
      return "green";
    case HealthState::kAmber:
      return "amber";
    case HealthState::kRed:
      return "red";
  }
  return "red";  // unreachable: every enumerator is handled above
}

StageHealth HealthReport::Edge(const HealthFigures& f) {
  StageHealth s;
  s.name = "edge";
  s.detail = fmt::format("serving; {} clicks answered unrecorded since start", f.clicks_unrecorded);
  const auto now = clock_->SteadyNow();
  std::lock_guard lock(mu_);
  // The counter only tells "ever"; remembering when it last rose turns it into "recently".
  if (f.clicks_unrecorded > last_unrecorded_) unrecorded_rose_at_ = now;
  last_unrecorded_ = f.clicks_unrecorded;
  if (unrecorded_rose_at_ && now - *unrecorded_rose_at_ < kUnrecordedRecent) {
    s.state = HealthState::kAmber;
    s.last_error = "clicks were answered without being journaled";
  }
  return s;
}

std::vector<StageHealth> HealthReport::Evaluate(const HealthFigures& figures) {
  return {Edge(figures), Journal(figures), Tracker(figures), Store(figures), Notifier(figures)};
}

}  // namespace ct
