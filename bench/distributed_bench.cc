// distributed_bench: the figures of issue 6, on real servers started here on 127.0.0.1 (a
// 3-node JetStream cluster from Debian's nats-server, a throwaway PostgreSQL 15, the roles of
// the clicktrail binary), measured side by side in one run:
//   1. redirects/s of a distributed edge against embedded `clicktrail serve`, wrk -t1 -c64,
//      interleaved runs (the ratio is the figure; absolute numbers depend on the machine);
//   2. end-to-end events/s from the bus into PostgreSQL with 1 and then 2 trackers: a backlog is
//      built with the trackers stopped, then drained, timed until the committed clicks
//      (total + bots of the link) equal the edge's redirect counter;
//   3. the drain time of the backlog a PostgreSQL outage leaves: PostgreSQL paused (SIGSTOP)
//      while wrk loads the edge for --outage seconds, then resumed.
// Not a test: no pass/fail, figures go to bench/RESULTS.md.
//
// usage: build/distributed_bench [--wrk-seconds N] [--runs N] [--outage SECS]
// (build: cmake --build build --target distributed_bench clicktrail)
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "testutil/api_helpers.h"
#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/nats_cluster.h"
#include "testutil/pg_cluster.h"
#include "testutil/process.h"
#include "testutil/server.h"
#include "testutil/temp_dir.h"

namespace ct::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::seconds;

struct Options {
  int wrk_seconds = 10;
  int runs = 2;
  int outage_seconds = 60;
};

double Metric(uint16_t port, const std::string& name) {
  HttpClient c(port);
  std::string text = c.Request("GET", "/metrics").body;
  size_t at = text.find(name + " ");
  return at == std::string::npos ? 0 : std::atof(text.c_str() + at + name.size() + 1);
}

double Redirects(uint16_t port) {
  return Metric(port, "clicktrail_edge_requests_total{outcome=\"redirect\"}");
}

// total + bots of the link (wrk sends no User-Agent: its clicks are bots).
int64_t Committed(uint16_t api_port, const std::string& key, const std::string& link) {
  auto body = ParseJson(ApiCall(api_port, "GET", link + "/stats", key).body);
  if (!body.is_object()) return -1;
  return JsonInt(body, "total") + JsonInt(body, "bots");
}

// wrk's requests/s over `secs` against 127.0.0.1:port/path.
double Wrk(uint16_t port, const std::string& path, int secs) {
  auto r = RunCommand({"/usr/bin/wrk", "-t1", "-c64", "-d" + std::to_string(secs) + "s",
                       "http://127.0.0.1:" + std::to_string(port) + path},
                      seconds(secs + 30));
  std::smatch m;
  if (!std::regex_search(r.out, m, std::regex(R"(Requests/sec:\s+([0-9.]+))"))) return 0;
  return std::atof(m[1].str().c_str());
}

// Seconds until the committed count reaches the edge's redirects (polled every 100 ms, at most
// `limit`); -1 if it did not.
double DrainSeconds(uint16_t api_port, const std::string& key, const std::string& link,
                    double target, seconds limit) {
  auto start = Clock::now();
  while (Clock::now() - start < limit) {
    if (Committed(api_port, key, link) >= static_cast<int64_t>(target)) {
      return std::chrono::duration<double>(Clock::now() - start).count();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return -1;
}

int Run(const Options& o) {
  PgCluster pg;
  NatsCluster nats;
  TempDir dir;
  const std::string config = dir.Join("clicktrail.conf");
  std::ofstream(config) << "postgres.url = \"" << pg.conninfo() << "\"\n"
                        << "nats.servers = " << nats.Servers() << "\n"
                        << "postgres.statement_timeout_ms = 5000\n";
  auto acct = RunCommand({ClicktrailBin(), "account", "create", "bench", "--config", config});
  if (acct.exit_code != 0) {
    std::fprintf(stderr, "account create failed: %s\n", acct.err.c_str());
    return 1;
  }
  const std::string key = acct.out.substr(0, acct.out.find('\n'));
  auto api_h = ServerHarness::Role("api", config, {"--set", "edge.id=api-1"});
  ServerHarness& api = *api_h;
  auto edge_h = ServerHarness::Role("edge", config, {"--set", "edge.id=edge-1"});
  ServerHarness& edge = *edge_h;
  if (!api.Start(seconds(60)) || !edge.Start(seconds(60))) {
    std::fprintf(stderr, "roles did not start:\n%s\n%s\n", api.Log().c_str(), edge.Log().c_str());
    return 1;
  }
  const std::string link = CreateLinkPath(api.port(), key, "b");
  ServerHarness embedded;
  const std::string ekey = embedded.CreateAccount("bench");
  if (!embedded.Start()) return 1;
  CreateLinkPath(embedded.port(), ekey, "b");
  for (auto deadline = Clock::now() + seconds(20);
       Clock::now() < deadline && HttpClient(edge.port()).Request("HEAD", "/b").status != 302;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  // 1. Redirects/s, interleaved; no tracker runs yet, so the edge's clicks build a backlog.
  std::printf("## redirects/s (wrk -t1 -c64 -d%ds), interleaved\n\n", o.wrk_seconds);
  std::printf("| run | embedded serve | distributed edge | ratio |\n|---|---|---|---|\n");
  for (int i = 0; i < o.runs; ++i) {
    double e = Wrk(embedded.port(), "/b", o.wrk_seconds);
    double d = Wrk(edge.port(), "/b", o.wrk_seconds);
    std::printf("| %d | %.0f | %.0f | %.2f |\n", i + 1, e, d, e > 0 ? d / e : 0);
    std::fflush(stdout);
  }
  embedded.Terminate();

  // 2. Drain the backlog with 1 tracker, then build another and drain it with 2.
  std::printf(
      "\n## bus -> PostgreSQL, events/s\n\n| trackers | events | seconds | events/s |\n"
      "|---|---|---|---|\n");
  double target = Redirects(edge.port());
  int64_t before = Committed(api.port(), key, link);
  {
    auto t1_h = ServerHarness::Role("tracker", config);
    ServerHarness& t1 = *t1_h;
    if (!t1.Start(seconds(60))) return 1;
    double s = DrainSeconds(api.port(), key, link, target, seconds(900));
    std::printf("| 1 | %.0f | %.1f | %.0f |\n", target - before, s,
                s > 0 ? (target - before) / s : 0);
    std::fflush(stdout);
    t1.Terminate();
  }
  Wrk(edge.port(), "/b", o.wrk_seconds * o.runs);
  before = Committed(api.port(), key, link);
  target = Redirects(edge.port());
  {
    auto t1_h = ServerHarness::Role("tracker", config);
    ServerHarness& t1 = *t1_h;
    auto t2_h = ServerHarness::Role("tracker", config);
    ServerHarness& t2 = *t2_h;
    if (!t1.Start(seconds(60)) || !t2.Start(seconds(60))) return 1;
    double s = DrainSeconds(api.port(), key, link, target, seconds(900));
    std::printf("| 2 | %.0f | %.1f | %.0f |\n", target - before, s,
                s > 0 ? (target - before) / s : 0);
    std::fflush(stdout);

    // 3. A PostgreSQL outage under load, then the drain of what it left.
    pg.Pause();
    double rps = Wrk(edge.port(), "/b", o.outage_seconds);
    pg.Resume();
    target = Redirects(edge.port());
    before = Committed(api.port(), key, link);
    double drain = DrainSeconds(api.port(), key, link, target, seconds(1800));
    double backlog = target - before;
    std::printf(
        "\n## PostgreSQL paused %d s under load (2 trackers)\n\n"
        "edge during the outage: %.0f redirects/s; backlog at resume: %.0f events; "
        "drained in %.1f s (%.0f events/s)\n",
        o.outage_seconds, rps, backlog, drain, drain > 0 ? backlog / drain : 0);
    t1.Terminate();
    t2.Terminate();
  }
  api.Terminate();
  edge.Terminate();
  return 0;
}

}  // namespace
}  // namespace ct::test

int main(int argc, char** argv) {
  ct::test::Options o;
  const char* usage = "usage: distributed_bench [--wrk-seconds N] [--runs N] [--outage SECS]\n";
  for (int i = 1; i < argc; i += 2) {
    const std::string a = argv[i];
    const int v = i + 1 < argc ? std::atoi(argv[i + 1]) : 0;
    if (v <= 0 || (a != "--wrk-seconds" && a != "--runs" && a != "--outage")) {
      std::fputs(usage, stderr);
      return 2;
    }
    if (a == "--wrk-seconds") o.wrk_seconds = v;
    if (a == "--runs") o.runs = v;
    if (a == "--outage") o.outage_seconds = v;
  }
  // Without wrk every figure would read 0: say so instead.
  if (access("/usr/bin/wrk", X_OK) != 0) {
    std::fputs("distributed_bench: /usr/bin/wrk is missing (apt-get install wrk)\n", stderr);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  return ct::test::Run(o);
}
