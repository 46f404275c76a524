// complete_until in embedded mode: the lag tracker's pending event times (appended, being
// appended, seeded from a previous run) bound it, coalescing and merging never move it late,
// and a lag names the stage holding events back.
#include "monitor/journal_completeness.h"

#include <gtest/gtest.h>

#include <chrono>

namespace ct {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int64_t kSecondUs = 1'000'000;
constexpr int64_t kInFlightUs = 1'000'000;  // JournalCompleteness::kInFlight

StageHealth Stage(std::string name, HealthState state, std::string error = "") {
  StageHealth s;
  s.name = std::move(name);
  s.state = state;
  s.detail = s.name + " figures";
  s.last_error = std::move(error);
  return s;
}

class CompletenessTest : public ::testing::Test {
 protected:
  int64_t Now() const { return clock_.NowMicros(); }

  MetricsRegistry metrics_;
  FakeClock clock_;
  LagTracker lag_{&metrics_, &clock_};
  std::vector<StageHealth> stages_ = {
      Stage("edge", HealthState::kGreen), Stage("journal", HealthState::kGreen),
      Stage("tracker", HealthState::kGreen), Stage("store", HealthState::kGreen)};
  JournalCompleteness source_{&lag_, &clock_, [this] { return stages_; }};
};

TEST_F(CompletenessTest, CaughtUpIsNowLessTheInFlightMargin) {
  Completeness c = source_.Now();
  EXPECT_EQ(c.complete_until_us, Now() - kInFlightUs);
  EXPECT_EQ(c.lagging_stage, "");
  lag_.OnAppended(100, 1, Now());
  lag_.OnCommitted(100);
  clock_.Advance(seconds(30));
  EXPECT_EQ(source_.Now().complete_until_us, Now() - kInFlightUs);
}

TEST_F(CompletenessTest, AnUncommittedEventHoldsItAtItsStamp) {
  const int64_t t0 = Now();
  lag_.OnAppended(100, 1, t0 - 300);  // stamped 300 us before the append
  clock_.Advance(seconds(2));
  lag_.OnAppended(200, 1, Now());
  clock_.Advance(seconds(20));
  Completeness c = source_.Now();
  EXPECT_EQ(c.complete_until_us, t0 - 300);
  lag_.OnCommitted(100);  // the first record is in; the second holds it now
  EXPECT_EQ(source_.Now().complete_until_us, t0 + 2 * kSecondUs);
  lag_.OnCommitted(200);
  EXPECT_EQ(source_.Now().complete_until_us, Now() - kInFlightUs);
}

TEST_F(CompletenessTest, EventsOutOfPositionOrderKeepTheOldest) {
  // Two edge threads: the later position carries the older stamp, and reports first.
  lag_.OnAppended(200, 1, Now() - 5 * kSecondUs);
  lag_.OnAppended(100, 1, Now() - 2 * kSecondUs);  // position <= written: folded into the last
  EXPECT_EQ(lag_.OldestPendingEventMicros(), Now() - 5 * kSecondUs);
  // Coalesced into one sample: the minimum survives.
  lag_.OnAppended(300, 1, Now() - 9 * kSecondUs);
  EXPECT_EQ(lag_.OldestPendingEventMicros(), Now() - 9 * kSecondUs);
}

TEST_F(CompletenessTest, AnAppendBeingWrittenIsPending) {
  const int64_t stamp = Now() - 10 * kSecondUs;  // e.g. a write blocked on a slow disk
  lag_.BeginAppend(stamp);
  EXPECT_EQ(source_.Now().complete_until_us, stamp);
  lag_.OnAppended(100, 1, stamp);
  lag_.EndAppend(stamp);
  EXPECT_EQ(source_.Now().complete_until_us, stamp);
  lag_.OnCommitted(100);
  EXPECT_EQ(source_.Now().complete_until_us, Now() - kInFlightUs);
  // A failed append: pending while it runs, nothing after.
  lag_.BeginAppend(stamp);
  lag_.EndAppend(stamp);
  EXPECT_EQ(lag_.OldestPendingEventMicros(), LagTracker::kNoEventTime);
}

TEST_F(CompletenessTest, ASeededBacklogUsesTheBoundItWasGiven) {
  lag_.Seed(5000, 1000, Now() - 3600 * kSecondUs);
  EXPECT_EQ(source_.Now().complete_until_us, Now() - 3600 * kSecondUs);
  lag_.Seed(6000, 1000);  // unknown: the epoch, nothing is complete until it is committed
  lag_.OnCommitted(5000);
  EXPECT_EQ(source_.Now().complete_until_us, 0);
  lag_.OnCommitted(6000);
  EXPECT_EQ(source_.Now().complete_until_us, Now() - kInFlightUs);
}

TEST_F(CompletenessTest, MergingSamplesKeepsTheMinimum) {
  const int64_t oldest = Now();
  uint64_t pos = 0;
  // Past kMaxSamples the tracker halves its samples: the oldest stamp must survive.
  for (size_t i = 0; i < LagTracker::kMaxSamples * 3; ++i) {
    pos += 100;
    lag_.OnAppended(pos, 1, Now() - (i == 1 ? 7 * kSecondUs : 0));
    clock_.Advance(milliseconds(20));
  }
  EXPECT_LE(lag_.SampleCount(), LagTracker::kMaxSamples);
  EXPECT_EQ(lag_.OldestPendingEventMicros(), oldest + 20'000 - 7 * kSecondUs);
}

TEST_F(CompletenessTest, ALagNamesTheStageHoldingEventsBack) {
  lag_.OnAppended(100, 1, Now());
  clock_.Advance(seconds(4));
  EXPECT_EQ(source_.Now().lagging_stage, "") << "under kLaggingAfter: merely fresh";
  clock_.Advance(seconds(2));
  Completeness c = source_.Now();
  EXPECT_EQ(c.lagging_stage, "tracker");
  EXPECT_EQ(c.lagging_reason, "tracker figures");
  stages_[3] = Stage("store", HealthState::kAmber, "database is locked");
  c = source_.Now();
  EXPECT_EQ(c.lagging_stage, "store");
  EXPECT_EQ(c.lagging_reason, "database is locked");
  stages_[3] = Stage("store", HealthState::kGreen);
  stages_[1] = Stage("journal", HealthState::kAmber, "corrupt journal data was quarantined");
  EXPECT_EQ(source_.Now().lagging_stage, "tracker") << "old corruption holds nothing back";
  stages_[1] = Stage("journal", HealthState::kRed, "journal disk almost full");
  EXPECT_EQ(source_.Now().lagging_stage, "journal");
}

}  // namespace
}  // namespace ct
