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
  void SetUp() override {
    SetUpCluster(
        // A short dedup window, so the outages below outlast it (the store's dedup must hold),
        // and a short re-ship delay, so the lost tail is re-shipped within the test.
        "nats.duplicate_window_s = 5\n"
        "edge.reship_after_s = 5\n",
        1);
  }
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

// Every node down for longer than the dedup window; `kill9`: without a clean shutdown, so the
// nodes lose what they had not fsynced and the edge must re-ship it from the watermark.
void AllNodesDown(NatsCluster* nats, ServerHarness* edge, bool kill9, int* answered,
                  int* failures) {
  *answered += DistributedFixture::ClickFor(edge, seconds(2), failures);
  if (kill9) {
    for (int i = 0; i < NatsCluster::kNodes; ++i) nats->Kill9(i);
  } else {
    nats->StopAll();
  }
  *answered += DistributedFixture::ClickFor(edge, seconds(8), failures);  // past the 5 s window
  nats->StartAll();
  EXPECT_TRUE(nats->WaitAllHealthy(seconds(60)));
  *answered += DistributedFixture::ClickFor(edge, seconds(2), failures);
}

TEST_F(BusOutageTest, AllNodesStoppedLongerThanTheDedupWindow) {
  int answered = 0, failures = 0;
  AllNodesDown(nats_.get(), edge_, false, &answered, &failures);
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(WaitTotal(answered, seconds(120)), answered) << Logs();
}

TEST_F(BusOutageTest, AllNodesKilledLoseTheirTailAndTheEdgeReships) {
  int answered = 0, failures = 0;
  AllNodesDown(nats_.get(), edge_, true, &answered, &failures);
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(WaitTotal(answered, seconds(120)), answered) << Logs();
  std::this_thread::sleep_for(seconds(3));
  EXPECT_EQ(Total(), answered);  // re-shipping doubled nothing
}

}  // namespace
}  // namespace ct::test
