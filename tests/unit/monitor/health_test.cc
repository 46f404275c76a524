// HealthReport: the green / amber / red rules per stage.
#include "monitor/health.h"

#include <gtest/gtest.h>

namespace ct {
namespace {

const StageHealth& Stage(const std::vector<StageHealth>& stages, const std::string& name) {
  for (const auto& s : stages) {
    if (s.name == name) return s;
  }
  static const StageHealth none;
  ADD_FAILURE() << "no stage " << name;
  return none;
}

TEST(HealthReportTest, AllGreenWhenHealthy) {
  FakeClock clock;
  HealthReport report(&clock);
  HealthFigures f;
  f.journal_disk_used_percent = 40;
  f.tracker_lag_seconds = 0.2;
  auto stages = report.Evaluate(f);
  ASSERT_EQ(stages.size(), 5u);
  EXPECT_EQ(stages[0].name, "edge");
  EXPECT_EQ(stages[3].name, "store");
  EXPECT_EQ(stages[4].name, "notifier");
  for (const auto& s : stages) EXPECT_EQ(s.state, HealthState::kGreen) << s.name;
}

TEST(HealthReportTest, NotifierBacklogDeadLettersAndDisabledEndpoints) {
  FakeClock clock;
  HealthReport report(&clock);
  HealthFigures f;
  f.notifier_running = true;
  f.outbox_oldest_age_seconds = 59;
  EXPECT_EQ(Stage(report.Evaluate(f), "notifier").state, HealthState::kGreen);
  f.outbox_oldest_age_seconds = 60;
  EXPECT_EQ(Stage(report.Evaluate(f), "notifier").state, HealthState::kAmber);
  f.outbox_oldest_age_seconds = 600;
  EXPECT_EQ(Stage(report.Evaluate(f), "notifier").state, HealthState::kRed);
  f.outbox_oldest_age_seconds = 0;
  f.outbox_dead = 1;
  EXPECT_EQ(Stage(report.Evaluate(f), "notifier").state, HealthState::kAmber);
  f.outbox_dead = 0;
  f.postbacks_disabled = 1;
  auto s = Stage(report.Evaluate(f), "notifier");
  EXPECT_EQ(s.state, HealthState::kAmber);
  EXPECT_NE(s.last_error.find("410"), std::string::npos);
}

TEST(HealthReportTest, TrackerLagThresholds) {
  FakeClock clock;
  HealthReport report(&clock);
  HealthFigures f;
  f.tracker_lag_seconds = 4.9;
  EXPECT_EQ(Stage(report.Evaluate(f), "tracker").state, HealthState::kGreen);
  f.tracker_lag_seconds = 5;
  EXPECT_EQ(Stage(report.Evaluate(f), "tracker").state, HealthState::kAmber);
  f.tracker_lag_seconds = 31;
  auto t = Stage(report.Evaluate(f), "tracker");
  EXPECT_EQ(t.state, HealthState::kRed);
  EXPECT_DOUBLE_EQ(t.lag_seconds, 31);
}

TEST(HealthReportTest, StoreProbeFailures) {
  FakeClock clock;
  HealthReport report(&clock);
  HealthFigures f;
  f.store_probe_failures = 1;
  f.store_probe_error = "Unavailable: database is locked";
  auto s = Stage(report.Evaluate(f), "store");
  EXPECT_EQ(s.state, HealthState::kAmber);
  EXPECT_EQ(s.last_error, "Unavailable: database is locked");
  f.store_probe_failures = 3;
  EXPECT_EQ(Stage(report.Evaluate(f), "store").state, HealthState::kRed);
}

TEST(HealthReportTest, JournalFailedDiskAndCorruption) {
  FakeClock clock;
  HealthReport report(&clock);
  HealthFigures f;
  f.journal_disk_used_percent = 85;
  EXPECT_EQ(Stage(report.Evaluate(f), "journal").state, HealthState::kAmber);
  f.journal_disk_used_percent = 50;
  f.journal_corruption = 12;
  EXPECT_EQ(Stage(report.Evaluate(f), "journal").state, HealthState::kAmber);
  f.journal_failed = true;
  EXPECT_EQ(Stage(report.Evaluate(f), "journal").state, HealthState::kRed);
}

TEST(HealthReportTest, EdgeAmberOnlyWhileUnrecordedClicksAreRecent) {
  FakeClock clock;
  HealthReport report(&clock);
  HealthFigures f;
  EXPECT_EQ(Stage(report.Evaluate(f), "edge").state, HealthState::kGreen);
  f.clicks_unrecorded = 3;
  EXPECT_EQ(Stage(report.Evaluate(f), "edge").state, HealthState::kAmber);
  clock.Advance(HealthReport::kUnrecordedRecent - std::chrono::seconds(1));
  EXPECT_EQ(Stage(report.Evaluate(f), "edge").state, HealthState::kAmber);
  clock.Advance(std::chrono::seconds(2));
  EXPECT_EQ(Stage(report.Evaluate(f), "edge").state, HealthState::kGreen);
}

}  // namespace
}  // namespace ct
