// Distributed mode with PostgreSQL gone (RELIABILITY fault matrix, issue 6): paused with SIGSTOP
// under load (the kernel keeps its sockets open: only our own deadlines notice) and stopped
// outright. Redirects keep answering throughout, an edge restarted during the outage redirects
// from its link snapshot, and once the store is back the backlog drains to exact counts.
#include <chrono>
#include <string>
#include <thread>

#include "distributed_fixture.h"

namespace ct::test {
namespace {

using std::chrono::seconds;

class StoreOutageTest : public DistributedFixture {
 protected:
  void SetUp() override { SetUpCluster("", 1); }
};

TEST_F(StoreOutageTest, PausedStoreUnderLoadRedirectsGoOnAndTheBacklogDrainsExactly) {
  int failures = 0;
  int answered = ClickFor(edge_, seconds(2), &failures);
  pg_->Pause();
  // 20 s with the store silent: several statement timeouts and client rebuilds in the tracker.
  answered += ClickFor(edge_, seconds(20), &failures);
  pg_->Resume();
  answered += ClickFor(edge_, seconds(2), &failures);
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(WaitTotal(answered, seconds(90)), answered) << Logs();
}

TEST_F(StoreOutageTest, EdgeRestartedWhileTheStoreIsDownRedirectsFromItsSnapshot) {
  int failures = 0;
  int answered = ClickFor(edge_, seconds(1), &failures);
  // The snapshot is saved at most every 5 s and at a clean stop: restart cleanly first so this
  // test does not depend on that timer, then take the store down.
  ASSERT_EQ(edge_->Terminate(seconds(30)), 0) << edge_->Log();
  ASSERT_TRUE(pg_->Stop());
  ASSERT_TRUE(edge_->Start(seconds(30))) << edge_->Log();
  ASSERT_TRUE(WaitStatus(edge_, "/sale", 302, seconds(10))) << edge_->Log();
  answered += ClickFor(edge_, seconds(3), &failures);
  EXPECT_EQ(failures, 0);
  ASSERT_TRUE(pg_->Start());
  EXPECT_EQ(WaitTotal(answered, seconds(90)), answered) << Logs();
}

}  // namespace
}  // namespace ct::test
