// The throwaway PostgreSQL harness itself: it starts, answers, pauses, stops and restarts, and
// leaves no process of its own behind (the group it started is empty afterwards).
#include "testutil/pg_cluster.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>

#include <cerrno>

namespace ct::test {
namespace {

bool GroupAlive(pid_t group) { return kill(-group, 0) == 0 || errno != ESRCH; }

TEST(PgClusterTest, StartsStopsRestartsAndLeavesNothing) {
  pid_t first = -1, second = -1;
  {
    PgCluster pg;
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    ASSERT_TRUE(pg.running());
    EXPECT_EQ(pg.Psql("SELECT 40 + 2"), "42\n");
    EXPECT_EQ(pg.Psql("SHOW fsync"), "on\n");
    first = pg.pid();
    EXPECT_TRUE(pg.Stop());
    EXPECT_FALSE(GroupAlive(first));
    ASSERT_TRUE(pg.Start());
    EXPECT_EQ(pg.Psql("SELECT 1"), "1\n");
    second = pg.pid();
    pg.Kill9();
    EXPECT_FALSE(GroupAlive(second));
    ASSERT_TRUE(pg.Start());  // recovers after the crash
    EXPECT_EQ(pg.Psql("SELECT 2"), "2\n");
    second = pg.pid();
  }  // the destructor kills exactly its group
  EXPECT_FALSE(GroupAlive(second));
}

TEST(PgClusterTest, PausedServerAnswersNothingUntilResumed) {
  PgCluster pg;
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  pg.Pause();
  // The kernel still accepts the TCP connection; the server never answers the startup packet.
  const std::string info = pg.conninfo() + " connect_timeout=1";
  EXPECT_NE(PQping(info.c_str()), PQPING_OK);
  pg.Resume();
  EXPECT_EQ(PQping(info.c_str()), PQPING_OK);
}

}  // namespace
}  // namespace ct::test
