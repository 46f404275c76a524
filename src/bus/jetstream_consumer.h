// JetStreamConsumer: the trackers' side of the bus: a durable pull consumer on the stream
// (several trackers share it by its durable name: each message goes to one of them), explicit
// acks, a bounded ack wait (a tracker that dies mid-batch has its messages redelivered to the
// others), no max_deliver (a message is never dropped by the server: the tracker dead-letters
// it itself after N deliveries, in the commit that moves on).
//
// Thread safety: one thread (the tracker's) uses it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bus/jetstream_client.h"
#include "bus/wire.h"

namespace ct {

struct ConsumerOptions {
  std::string durable = "trackers";
  std::chrono::seconds ack_wait{30};
  int64_t max_ack_pending = 50000;
};

// One fetched message, headers parsed. Owns the natsMsg.
struct BusMessage {
  struct Deleter {
    void operator()(natsMsg* m) const { natsMsg_Destroy(m); }
  };
  std::unique_ptr<natsMsg, Deleter> msg;
  wire::ShippedRecord record;  // valid unless `malformed`
  bool malformed = false;
  std::string error;        // why it is malformed
  std::string subject;      // ct.events.<edge>
  uint64_t deliveries = 1;  // 1 on the first delivery
  std::string_view payload() const {
    return {natsMsg_GetData(msg.get()), static_cast<size_t>(natsMsg_GetDataLength(msg.get()))};
  }
};

class JetStreamConsumer {
 public:
  JetStreamConsumer(NatsOptions nats, ConsumerOptions options);
  ~JetStreamConsumer();

  // Called (on a library thread) with each edge id announced on ct.edges (wire.h), from the
  // next Connect() on. Set before Connect().
  void OnEdgeAnnounced(std::function<void(std::string edge)> fn) { on_edge_ = std::move(fn); }
  // Connects, checks the stream, binds (or creates) the durable consumer. OK when ready.
  Status Connect();
  bool connected() const { return sub_ != nullptr; }
  // Up to `max` messages, waiting at most `wait` for them; empty when there are none.
  Result<std::vector<BusMessage>> Fetch(int max, std::chrono::milliseconds wait);
  Status Ack(const BusMessage& m);
  // Redelivered after `delay` (to any tracker).
  Status Nak(const BusMessage& m, std::chrono::milliseconds delay);
  // Core NATS publish of the decimal watermark on ct.watermark.<edge>.
  Status PublishWatermark(const std::string& edge, uint64_t committed_below);

  void ReportSuccess() { client_.ReportSuccess(); }
  // Counts a failure; tears the connection down at rebuild_after in a row (true if it did).
  bool ReportFailure();
  void Reset();

 private:
  const ConsumerOptions options_;
  JetStreamClient client_;
  natsSubscription* sub_ = nullptr;
  std::function<void(std::string edge)> on_edge_;
};

}  // namespace ct
