// LagTracker with a FakeClock: the age of the oldest uncommitted byte, the backlog, bounds.
#include "monitor/lag_tracker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace ct {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class LagTrackerTest : public ::testing::Test {
 protected:
  MetricsRegistry metrics_;
  FakeClock clock_;
  LagTracker lag_{&metrics_, &clock_};
};

TEST_F(LagTrackerTest, NothingPendingIsZero) {
  EXPECT_EQ(lag_.OldestUnconsumedAgeSeconds(), 0);
  EXPECT_EQ(lag_.BacklogBytes(), 0u);
  clock_.Advance(seconds(30));
  EXPECT_EQ(lag_.OldestUnconsumedAgeSeconds(), 0);
}

TEST_F(LagTrackerTest, AgeGrowsWhileNothingIsCommitted) {
  lag_.OnAppended(100);
  clock_.Advance(seconds(1));
  lag_.OnAppended(200);
  clock_.Advance(seconds(2));
  EXPECT_DOUBLE_EQ(lag_.OldestUnconsumedAgeSeconds(), 3.0);
  EXPECT_EQ(lag_.BacklogBytes(), 200u);
  clock_.Advance(seconds(7));
  EXPECT_DOUBLE_EQ(lag_.OldestUnconsumedAgeSeconds(), 10.0);
  lag_.Refresh();
  EXPECT_DOUBLE_EQ(metrics_.Value("clicktrail_pipeline_oldest_unconsumed_seconds"), 10.0);
  EXPECT_DOUBLE_EQ(metrics_.Value("clicktrail_journal_backlog_bytes"), 200.0);
}

TEST_F(LagTrackerTest, PartialCommitDropsToTheNextPendingSample) {
  lag_.OnAppended(100);  // t = 0
  clock_.Advance(seconds(4));
  lag_.OnAppended(250);  // t = 4
  clock_.Advance(seconds(3));
  lag_.OnAppended(400);        // t = 7
  clock_.Advance(seconds(1));  // now 8
  EXPECT_DOUBLE_EQ(lag_.OldestUnconsumedAgeSeconds(), 8.0);

  lag_.OnCommitted(100);  // the first sample is consumed: the oldest pending byte is from t=4
  EXPECT_DOUBLE_EQ(lag_.OldestUnconsumedAgeSeconds(), 4.0);
  EXPECT_EQ(lag_.BacklogBytes(), 300u);

  lag_.OnCommitted(180);  // inside the second sample: its bytes are still from t=4
  EXPECT_DOUBLE_EQ(lag_.OldestUnconsumedAgeSeconds(), 4.0);

  lag_.OnCommitted(250);
  EXPECT_DOUBLE_EQ(lag_.OldestUnconsumedAgeSeconds(), 1.0);

  lag_.OnCommitted(400);  // caught up
  EXPECT_EQ(lag_.OldestUnconsumedAgeSeconds(), 0);
  EXPECT_EQ(lag_.BacklogBytes(), 0u);
  EXPECT_EQ(lag_.SampleCount(), 0u);
  EXPECT_DOUBLE_EQ(metrics_.Value("clicktrail_pipeline_oldest_unconsumed_seconds"), 0.0);
}

TEST_F(LagTrackerTest, AppendsWithinTheCoalesceWindowShareOneSample) {
  lag_.OnAppended(10);
  clock_.Advance(milliseconds(3));
  lag_.OnAppended(20);
  clock_.Advance(milliseconds(3));
  lag_.OnAppended(30);
  EXPECT_EQ(lag_.SampleCount(), 1u);
  clock_.Advance(LagTracker::kCoalesce);
  lag_.OnAppended(40);
  EXPECT_EQ(lag_.SampleCount(), 2u);
}

TEST_F(LagTrackerTest, StaleOrOutOfOrderPositionsAreIgnored) {
  lag_.OnAppended(100);
  lag_.OnAppended(50);  // an edge thread reporting late
  EXPECT_EQ(lag_.BacklogBytes(), 100u);
  lag_.OnCommitted(60);
  lag_.OnCommitted(40);  // never moves back
  EXPECT_EQ(lag_.BacklogBytes(), 40u);
}

TEST_F(LagTrackerTest, SeededBacklogAgesFromStart) {
  lag_.Seed(/*written=*/5000, /*committed=*/1000);
  EXPECT_EQ(lag_.BacklogBytes(), 4000u);
  clock_.Advance(seconds(12));
  lag_.OnAppended(5100);
  EXPECT_DOUBLE_EQ(lag_.OldestUnconsumedAgeSeconds(), 12.0);
  lag_.OnCommitted(5000);  // the old backlog is drained; the new append is the oldest
  EXPECT_DOUBLE_EQ(lag_.OldestUnconsumedAgeSeconds(), 0.0);
  EXPECT_EQ(lag_.BacklogBytes(), 100u);
}

TEST_F(LagTrackerTest, CommitPastEveryAppendIsCaughtUp) {
  lag_.OnCommitted(700);  // the tracker replayed bytes from before Seed
  EXPECT_EQ(lag_.BacklogBytes(), 0u);
  lag_.OnAppended(800);
  clock_.Advance(seconds(2));
  EXPECT_EQ(lag_.BacklogBytes(), 100u);
  EXPECT_DOUBLE_EQ(lag_.OldestUnconsumedAgeSeconds(), 2.0);
}

TEST_F(LagTrackerTest, MemoryStaysBoundedOverAMillionAppends) {
  uint64_t pos = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    pos += 100;
    lag_.OnAppended(pos);
    clock_.Advance(milliseconds(11));  // every append its own slot: the worst case
    ASSERT_LE(lag_.SampleCount(), LagTracker::kMaxSamples);
  }
  // Merging keeps the oldest time: the age is that of the very first append.
  EXPECT_NEAR(lag_.OldestUnconsumedAgeSeconds(), 11'000.0, 0.01);
  // Half consumed: the oldest pending byte was appended half-way, 5500 s ago; the resolution
  // of a backlog this long is a few seconds, and the age errs high, never low.
  lag_.OnCommitted(pos / 2);
  EXPECT_GE(lag_.OldestUnconsumedAgeSeconds(), 5'500.0 - 0.02);
  EXPECT_LT(lag_.OldestUnconsumedAgeSeconds(), 5'500.0 + 20);
  lag_.OnCommitted(pos);
  EXPECT_EQ(lag_.SampleCount(), 0u);
  EXPECT_EQ(lag_.OldestUnconsumedAgeSeconds(), 0);
}

TEST_F(LagTrackerTest, ConcurrentAppendsAndCommits) {
  std::vector<std::thread> threads;
  std::atomic<uint64_t> next{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20'000; ++i) {
        lag_.OnAppended(next.fetch_add(10) + 10);
        clock_.Advance(std::chrono::microseconds(50));
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 20'000; ++i) {
      lag_.OnCommitted(next.load() / 2);
      (void)lag_.OldestUnconsumedAgeSeconds();
    }
  });
  for (auto& t : threads) t.join();
  lag_.OnCommitted(next.load());
  EXPECT_EQ(lag_.BacklogBytes(), 0u);
  EXPECT_EQ(lag_.OldestUnconsumedAgeSeconds(), 0);
}

}  // namespace
}  // namespace ct

namespace ct {
namespace {

TEST(LagTrackerRecordsTest, BacklogRecordsFollowAppendsAndCommits) {
  MetricsRegistry metrics;
  FakeClock clock;
  LagTracker lag(&metrics, &clock);
  lag.OnAppended(100, 3);
  clock.Advance(std::chrono::seconds(1));  // a new sample
  lag.OnAppended(200, 2);
  EXPECT_EQ(lag.BacklogRecords(), 5u);
  EXPECT_EQ(metrics.Value("clicktrail_journal_backlog_records"), 5);
  lag.OnCommitted(100);
  EXPECT_EQ(lag.BacklogRecords(), 2u);
  lag.OnCommitted(150);  // inside the second sample: still counted as pending (errs high)
  EXPECT_EQ(lag.BacklogRecords(), 2u);
  lag.OnCommitted(200);
  EXPECT_EQ(lag.BacklogRecords(), 0u);
  EXPECT_EQ(metrics.Value("clicktrail_journal_backlog_records"), 0);
}

TEST(LagTrackerRecordsTest, InheritedBacklogIsEstimatedFromBytes) {
  MetricsRegistry metrics;
  FakeClock clock;
  LagTracker lag(&metrics, &clock);
  lag.Seed(/*written=*/1000 + 10 * LagTracker::kTypicalRecordBytes, /*committed=*/1000);
  EXPECT_EQ(lag.BacklogRecords(), 10u);
  lag.OnCommitted(1000 + 10 * LagTracker::kTypicalRecordBytes);
  EXPECT_EQ(lag.BacklogRecords(), 0u);
}

}  // namespace
}  // namespace ct
