// Distributed mode with its own processes killed (RELIABILITY fault matrix, issue 6): kill -9 of
// a tracker in the middle of its batches (its unacked messages go to the other tracker after
// the ack wait) and of an edge while it ships. After restarts every answered click is counted
// once; a click in flight when the edge died may count (it was journaled) but only once.
#include <chrono>
#include <string>
#include <thread>

#include "distributed_fixture.h"

namespace ct::test {
namespace {

using std::chrono::seconds;

class ProcessCrashTest : public DistributedFixture {
 protected:
  void SetUp() override { SetUpCluster("tracker.batch_max = 50\n", 2); }
};

TEST_F(ProcessCrashTest, TrackerKilledMidBatchLosesAndDoublesNothing) {
  int failures = 0;
  int answered = 0;
  std::thread load([&] { answered = ClickFor(edge_, seconds(6), &failures); });
  std::this_thread::sleep_for(seconds(2));
  trackers_[0]->Kill9();
  std::this_thread::sleep_for(seconds(2));
  ASSERT_TRUE(trackers_[0]->Start(seconds(30))) << Logs();
  load.join();
  EXPECT_EQ(failures, 0);
  // The killed tracker's unacked messages come back after the consumer's ack wait (30 s).
  EXPECT_EQ(WaitTotal(answered, seconds(120)), answered) << Logs();
  std::this_thread::sleep_for(seconds(3));
  EXPECT_EQ(Total(), answered);
}

TEST_F(ProcessCrashTest, EdgeKilledWhileShippingLosesAndDoublesNothing) {
  int failures = 0;
  int answered = 0;
  std::thread load([&] { answered = ClickFor(edge_, seconds(4), &failures); });
  std::this_thread::sleep_for(seconds(2));
  edge_->Kill9();
  load.join();
  ASSERT_TRUE(edge_->Start(seconds(30))) << edge_->Log();
  int after = 0;
  answered += ClickFor(edge_, seconds(1), &after);
  EXPECT_EQ(after, 0);
  // Answered clicks were journaled (fsync before the 302); the one request in flight at the
  // kill may have been journaled without its answer.
  const int64_t total = WaitTotal(answered, seconds(60));
  EXPECT_GE(total, answered);
  EXPECT_LE(total, answered + 1);
  std::this_thread::sleep_for(seconds(3));
  EXPECT_EQ(Total(), total);
}

}  // namespace
}  // namespace ct::test
