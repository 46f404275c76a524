// Library callbacks against the lifetime of their owners (bus/callback_gate.h): libnats runs
// publish-ack and subscription handlers on its own threads, and natsConnection_Close() returns
// while a handler is still running. JetStreamClient::Reset() must return only once none runs
// into the owner, so a Shipper can be destroyed right after it (a seen SEGFAULT: a watermark
// handler writing into a destroyed shipper). Against a real 3-node cluster (Debian
// nats-server), under ASan (unit tests link the sanitized modules).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "bus/bus.h"
#include "bus/jetstream_client.h"
#include "bus/wire.h"
#include "common/clock.h"
#include "monitor/metrics.h"
#include "ship/shipped_cursor.h"
#include "ship/shipper.h"
#include "testutil/nats_cluster.h"
#include "testutil/temp_dir.h"

namespace ct {
namespace {

using namespace std::chrono_literals;

NatsOptions Options(const test::NatsCluster& cluster) {
  NatsOptions o;
  o.servers = SplitServers(cluster.Servers());
  o.stream = "CT_LIFETIME";
  o.replicas = 3;
  o.request_timeout = 3s;
  return o;
}

template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

// Publishes "16" on `subject` as fast as it can until stopped (core NATS, its own connection).
class Flooder {
 public:
  Flooder(const test::NatsCluster& cluster, std::string subject) {
    EXPECT_EQ(natsConnection_ConnectTo(&nc_, cluster.Url(0).c_str()), NATS_OK);
    thread_ = std::thread([this, subject] {
      uint64_t n = 0;
      while (!stop_) {
        ++n;
        (void)natsConnection_PublishString(nc_, subject.c_str(), "16");
        if (n % 256 == 0) std::this_thread::sleep_for(1ms);  // leave the server some air
      }
    });
  }
  ~Flooder() {
    stop_ = true;
    thread_.join();
    natsConnection_Destroy(nc_);
  }

 private:
  natsConnection* nc_ = nullptr;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// An endless log of small records: the shipper always has publishes in flight.
class EndlessBus : public Bus {
 public:
  Result<BusBatch> Fetch(uint64_t from, size_t max_records, std::chrono::milliseconds) override {
    BusBatch b;
    for (size_t i = 0; i < max_records; ++i) {
      b.records.push_back({from, from + 16, 3, "payload-" + std::to_string(from)});
      from += 16;
    }
    b.next_position = from;
    return b;
  }
  Status Ack(uint64_t) override { return Status::Ok(); }
  uint64_t EndPosition() const override { return UINT64_MAX / 2; }
};

class CallbackLifetimeTest : public ::testing::Test {
 protected:
  test::NatsCluster cluster_;
  test::TempDir dir_;
};

TEST_F(CallbackLifetimeTest, ResetWaitsForASubscriptionHandlerAndDropsLaterOnes) {
  JetStreamClient client(Options(cluster_));
  ASSERT_TRUE(client.Connect().ok());
  std::atomic<bool> inside{false};
  std::atomic<int> calls{0};
  ASSERT_TRUE(client
                  .Subscribe("ct.test.slow",
                             [&](std::string_view) {
                               ++calls;
                               inside = true;
                               // Slow on purpose: Reset() comes while it runs.
                               std::this_thread::sleep_for(300ms);
                               inside = false;
                             })
                  .ok());
  Flooder flood(cluster_, "ct.test.slow");
  ASSERT_TRUE(WaitFor([&] { return inside.load(); }, 10s));
  client.Reset();
  EXPECT_FALSE(inside.load()) << "Reset() returned while a handler still ran into its owner";
  const int after = calls.load();
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(calls.load(), after) << "a handler ran after Reset()";
}

TEST_F(CallbackLifetimeTest, ResetWaitsForAnAckHandler) {
  JetStreamClient client(Options(cluster_));
  std::atomic<bool> inside{false};
  std::atomic<int> calls{0};
  client.EnablePublishAsync(16, [&](natsMsg*, const std::string&) {
    ++calls;
    inside = true;
    std::this_thread::sleep_for(300ms);
    inside = false;
  });
  ASSERT_TRUE(client.Connect().ok());
  for (int i = 0; i < 4; ++i) {
    natsMsg* msg = nullptr;
    ASSERT_EQ(natsMsg_Create(&msg, "ct.events.lifetime", nullptr, "x", 1), NATS_OK);
    ASSERT_EQ(js_PublishMsgAsync(client.js(), &msg, nullptr), NATS_OK);
  }
  ASSERT_TRUE(WaitFor([&] { return inside.load(); }, 10s));
  client.Reset();
  EXPECT_FALSE(inside.load()) << "Reset() returned while an ack handler still ran";
  const int after = calls.load();
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(calls.load(), after);
}

// The shape of the seen crash, many times over: shippers destroyed while their watermark
// subject is flooded and publishes are in flight. ASan reports any handler that touches one
// after its destructor.
TEST_F(CallbackLifetimeTest, ShippersDestroyedUnderWatermarkFloodAndAcksInFlight) {
  const std::string edge = "edge-life";
  Flooder flood(cluster_, wire::WatermarkSubject(edge));
  EndlessBus bus;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  int rounds = 0;
  for (; rounds < 12 && std::chrono::steady_clock::now() < deadline; ++rounds) {
    MetricsRegistry metrics;
    ShipperOptions o;
    o.edge_id = edge;
    o.cursor_path = dir_.Join(ship::kCursorFileName);
    o.max_in_flight = 256;
    o.fetch_max = 64;
    o.nice = 0;
    o.reship_after = 3600s;
    auto shipper = std::make_unique<Shipper>(o, Options(cluster_), &bus, &metrics, Clock::System());
    ASSERT_TRUE(shipper->Start().ok());
    ASSERT_TRUE(
        WaitFor([&] { return shipper->AckedPosition() > 0 && shipper->Watermark() > 0; }, 10s));
    shipper.reset();  // acks and watermark messages still arriving
  }
  EXPECT_GE(rounds, 3);
}

}  // namespace
}  // namespace ct
