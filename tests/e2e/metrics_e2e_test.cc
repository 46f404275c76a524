// /metrics is Prometheus text that a real parser accepts (promtool, from Debian's prometheus
// package), after real traffic has touched every stage's metrics.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "testutil/api_helpers.h"
#include "testutil/http_client.h"
#include "testutil/server.h"

namespace ct::test {
namespace {

TEST(MetricsE2eTest, MetricsParseWithPromtoolAndCountTraffic) {
  ServerHarness s;
  std::string key = s.CreateAccount("a");
  ASSERT_TRUE(s.Start()) << s.Log();
  std::string path = CreateLinkPath(s.port(), key, "m");
  HttpClient c(s.port());
  for (int i = 0; i < 20; ++i) ASSERT_EQ(c.Request("GET", "/m").status, 302);
  EXPECT_EQ(c.Request("GET", "/unknown").status, 404);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (LinkTotal(s.port(), key, path) < 20 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto m = c.Request("GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.Header("content-type").find("text/plain"), std::string::npos);
  EXPECT_NE(m.body.find("clicktrail_tracker_events_committed_total 20"), std::string::npos)
      << m.body;

  TempDir dir;
  std::ofstream(dir.Join("metrics.txt")) << m.body;
  auto r = RunCommand({"/bin/sh", "-c", "promtool check metrics < " + dir.Join("metrics.txt")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace ct::test

namespace ct::test {
namespace {

// The status page is served without a key (it holds no data) and reads /api/v1/status with
// the key the user types, sent only in the Authorization header.
TEST(StatusPageE2eTest, StatusPageIsServedAndReadsTheStatusApi) {
  ServerHarness s;
  std::string key = s.CreateAccount("a");
  ASSERT_TRUE(s.Start()) << s.Log();
  HttpClient c(s.port());
  auto page = c.Request("GET", "/ui/status");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("fetch(\"/api/v1/status\""), std::string::npos);
  EXPECT_NE(page.body.find("Authorization: \"Bearer \""), std::string::npos);
  auto status = ApiCall(s.port(), "GET", "/api/v1/status", key);
  ASSERT_EQ(status.status, 200) << status.body;
  for (const char* stage : {"\"edge\"", "\"journal\"", "\"tracker\"", "\"store\""}) {
    EXPECT_NE(status.body.find(stage), std::string::npos) << stage << " in " << status.body;
  }
}

}  // namespace
}  // namespace ct::test
