// The throwaway PostgreSQL harness itself: it starts, answers, pauses, stops and restarts, and
// leaves no process of its own behind (postmaster and backends gone after Stop, Kill9 and the
// destructor).
#include "testutil/pg_cluster.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

namespace ct::test {
namespace {

// A connection held open, so the server has a backend to leave behind if we got it wrong.
PGconn* Hold(const PgCluster& pg) {
  PGconn* c = PQconnectdb(pg.conninfo().c_str());
  EXPECT_EQ(PQstatus(c), CONNECTION_OK);
  return c;
}

TEST(PgClusterTest, StartsStopsRestartsAndLeavesNothing) {
  std::vector<pid_t> procs;
  {
    PgCluster pg;
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    ASSERT_TRUE(pg.running());
    EXPECT_EQ(pg.Psql("SELECT 40 + 2"), "42\n");
    EXPECT_EQ(pg.Psql("SHOW fsync"), "on\n");
    PGconn* c = Hold(pg);
    procs = pg.Processes();
    EXPECT_GE(procs.size(), 3u);  // postmaster, our backend, background workers
    EXPECT_TRUE(pg.Stop());
    EXPECT_FALSE(PgCluster::AnyAlive(procs));
    PQfinish(c);
    ASSERT_TRUE(pg.Start());
    EXPECT_EQ(pg.Psql("SELECT 1"), "1\n");
    c = Hold(pg);
    procs = pg.Processes();
    pg.Kill9();
    EXPECT_FALSE(PgCluster::AnyAlive(procs));
    PQfinish(c);
    ASSERT_TRUE(pg.Start());  // recovers after the crash
    EXPECT_EQ(pg.Psql("SELECT 2"), "2\n");
    c = Hold(pg);
    procs = pg.Processes();
    PQfinish(c);
  }  // the destructor kills exactly its processes
  EXPECT_FALSE(PgCluster::AnyAlive(procs));
}

TEST(PgClusterTest, PausedServerAnswersNothingUntilResumed) {
  PgCluster pg;
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  PGconn* c = Hold(pg);
  pg.Pause();
  // The kernel still accepts the TCP connection; the server never answers the startup packet,
  // and an open session's backend is stopped too.
  const std::string info = pg.conninfo() + " connect_timeout=1";
  EXPECT_NE(PQping(info.c_str()), PQPING_OK);
  ASSERT_EQ(PQsendQuery(c, "SELECT 1"), 1);
  PQconsumeInput(c);
  usleep(300'000);
  PQconsumeInput(c);
  EXPECT_EQ(PQisBusy(c), 1);  // no answer while paused
  pg.Resume();
  PGresult* r = PQgetResult(c);  // blocks until the resumed backend answers
  EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK);
  PQclear(r);
  while ((r = PQgetResult(c)) != nullptr) PQclear(r);
  PQfinish(c);
  EXPECT_EQ(PQping(info.c_str()), PQPING_OK);
}

}  // namespace
}  // namespace ct::test
