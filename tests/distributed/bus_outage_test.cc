// Distributed mode with the bus failing (RELIABILITY fault matrix, issue 6): one JetStream node
// killed under load and brought back; every node down for longer than JetStream's dedup window,
// once stopped cleanly and once with kill -9 (the stream loses its unsynced tail). Redirects keep
// answering, edges journal locally and re-ship from the store's committed watermark, and the
// counts end exact: nothing lost, nothing counted twice.
#include <chrono>
#include <string>
#include <thread>

#include "distributed_fixture.h"

namespace ct::test {
namespace {

using std::chrono::seconds;

class BusOutageTest : public DistributedFixture {
 protected:
  // The defaults: JetStream's dedup window is 2 minutes (nats.duplicate_window_s) and an edge
  // re-ships from the watermark after 30 s without progress (edge.reship_after_s).
  void SetUp() override { SetUpCluster("", 1); }
};

TEST_F(BusOutageTest, OneNodeKilledUnderLoadAndBroughtBack) {
  int failures = 0;
  int answered = ClickFor(edge_, seconds(2), &failures);
  nats_->Kill9(0);
  answered += ClickFor(edge_, seconds(5), &failures);
  nats_->Start(0);
  answered += ClickFor(edge_, seconds(2), &failures);
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(WaitTotal(answered, seconds(120)), answered) << Logs();
}

// Every node down for 3 minutes, longer than the 2-minute dedup window (so only the store's
// event-id dedup stands between a re-shipped event and a double count); `kill9`: without a
// clean shutdown, so the nodes lose what they had not fsynced and the edge must re-ship it
// from the watermark. Clicks are paced (one per 5 ms) while the bus is down.
void AllNodesDown(NatsCluster* nats, ServerHarness* edge, bool kill9, int* answered,
                  int* failures) {
  *answered += DistributedFixture::ClickFor(edge, seconds(2), failures);
  if (kill9) {
    for (int i = 0; i < NatsCluster::kNodes; ++i) nats->Kill9(i);
  } else {
    nats->StopAll();
  }
  *answered += DistributedFixture::ClickFor(edge, std::chrono::minutes(3), failures,
                                            std::chrono::milliseconds(5));
  nats->StartAll();
  EXPECT_TRUE(nats->WaitAllHealthy(seconds(60)));
  *answered += DistributedFixture::ClickFor(edge, seconds(2), failures);
}

TEST_F(BusOutageTest, AllNodesStoppedLongerThanTheDedupWindow) {
  int answered = 0, failures = 0;
  AllNodesDown(nats_.get(), edge_, false, &answered, &failures);
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(WaitTotal(answered, seconds(180)), answered) << Logs();
}

TEST_F(BusOutageTest, AllNodesKilledLoseTheirTailAndTheEdgeReships) {
  int answered = 0, failures = 0;
  AllNodesDown(nats_.get(), edge_, true, &answered, &failures);
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(WaitTotal(answered, seconds(180)), answered) << Logs();
  // Re-shipping doubled nothing, including a re-ship that starts after the count is complete.
  std::this_thread::sleep_for(seconds(5));
  EXPECT_EQ(Total(), answered);
}

}  // namespace
}  // namespace ct::test
