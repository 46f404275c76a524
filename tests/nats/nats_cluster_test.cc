// The test harness itself: a 3-node JetStream cluster from Debian's nats-server, a stream with
// 3 replicas on it that survives one node killed, and nothing of ours left running after.
#include "testutil/nats_cluster.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "bus/jetstream_client.h"

namespace ct {
namespace {

using namespace std::chrono_literals;

NatsOptions Options(const test::NatsCluster& cluster) {
  NatsOptions o;
  o.servers = SplitServers(cluster.Servers());
  o.stream = "CT_TEST";
  o.replicas = 3;
  return o;
}

// Publishes one message synchronously (a stored ack), retrying while the cluster elects.
bool PublishWithin(jsCtx* js, const char* subject, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    jsPubAck* ack = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    if (js_Publish(&ack, js, subject, "x", 1, nullptr, &jerr) == NATS_OK) {
      jsPubAck_Destroy(ack);
      return true;
    }
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

uint64_t StreamMessages(jsCtx* js, const std::string& stream) {
  jsStreamInfo* si = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  if (js_GetStreamInfo(&si, js, stream.c_str(), nullptr, &jerr) != NATS_OK) return 0;
  uint64_t n = si->State.Msgs;
  int replicas = static_cast<int>(si->Config->Replicas);
  jsStreamInfo_Destroy(si);
  return replicas == 3 ? n : 0;
}

TEST(NatsClusterTest, ReplicatedStreamSurvivesOneNodeKilledAndNothingIsLeftRunning) {
  int pids[test::NatsCluster::kNodes] = {};
  {
    test::NatsCluster cluster;
    for (int i = 0; i < test::NatsCluster::kNodes; ++i) {
      pids[i] = cluster.pid(i);
      ASSERT_GT(pids[i], 0);
    }
    JetStreamClient client(Options(cluster));
    Status s = client.Connect();  // creates the stream, replicas 3
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE(PublishWithin(client.js(), "ct.events.e1", 20s));
    EXPECT_EQ(StreamMessages(client.js(), "CT_TEST"), 1u);

    cluster.Kill9(0);
    EXPECT_EQ(cluster.pid(0), 0);
    ASSERT_TRUE(PublishWithin(client.js(), "ct.events.e1", 30s));  // a quorum of 2 is left
    EXPECT_EQ(StreamMessages(client.js(), "CT_TEST"), 2u);

    cluster.Start(0);
    ASSERT_TRUE(cluster.WaitHealthy(0, 30s));
    // The stream checks out against the same config after a restart (EnsureStream).
    JetStreamClient again(Options(cluster));
    s = again.Connect();
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(StreamMessages(again.js(), "CT_TEST"), 2u);
    // Another shape of the same stream is refused, not changed.
    NatsOptions other = Options(cluster);
    other.replicas = 1;
    JetStreamClient mismatch(other);
    EXPECT_EQ(mismatch.Connect().code(), StatusCode::kFailedPrecondition);
  }
  for (int pid : pids) EXPECT_NE(kill(pid, 0), 0) << "nats-server " << pid << " still runs";
}

}  // namespace
}  // namespace ct
