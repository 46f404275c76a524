// JetStreamClient: one natsConnection and its JetStream context, shared by a shipper or a
// consumer, with the stream checked at every (re)connect.
//
// Reconnects: the library reconnects by itself (forever, every reconnect_wait with jitter,
// pings every 2 s so a silent server is noticed in ~6 s). On top of that the owner reports each
// operation's outcome: after rebuild_after failures in a row the connection is destroyed and the
// next Connect() builds a fresh one, since a connection the library believes healthy can still
// be wedged (DESIGN promise 4: rebuild clients rather than trust them).
//
// Thread safety: Connect/Reset/ReportFailure and the accessors are for the owner's one thread.
// The publish-ack and subscription callbacks run on library threads, always through a
// CallbackGate (callback_gate.h): none runs after Reset() or the destructor returned, and one
// from an older connection is dropped.
#pragma once

#include <nats/nats.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "bus/callback_gate.h"
#include "bus/nats_options.h"
#include "common/status.h"

namespace ct {

// A natsStatus as a Status: kUnavailable (the bus is unreachable or timed out: retry later),
// with the library's last error text.
Status NatsStatus(natsStatus s, std::string_view what);

// Creates the stream (subjects ct.events.>, file storage, options.replicas, the dedup window)
// or checks that the existing one matches; kFailedPrecondition if it does not (a stream of
// another shape is an operator's, never silently changed).
Status EnsureStream(jsCtx* js, const NatsOptions& options);

class JetStreamClient {
 public:
  // Each async publish's outcome: `msg` is the published message (headers readable; the
  // callback must not keep it), `error` empty on a stored (or duplicate) message.
  using AckFn = std::function<void(natsMsg* msg, const std::string& error)>;
  // A core NATS message's data (valid during the call).
  using MsgFn = std::function<void(std::string_view data)>;

  explicit JetStreamClient(NatsOptions options);
  ~JetStreamClient();
  JetStreamClient(const JetStreamClient&) = delete;
  JetStreamClient& operator=(const JetStreamClient&) = delete;

  // Async publishing: at most `max_pending` unacknowledged (set before Connect()).
  void EnablePublishAsync(int64_t max_pending, AckFn on_ack);

  // Connects if not connected and checks the stream. OK when ready.
  Status Connect();
  // Subscribes (core NATS) on this connection; the subscription ends with it (Reset()). One
  // subscription at a time. Connected first.
  Status Subscribe(const std::string& subject, MsgFn on_msg);
  bool subscribed() const { return sub_ != nullptr; }
  bool connected() const { return nc_ != nullptr; }
  natsConnection* connection() const { return nc_; }
  jsCtx* js() const { return js_; }
  const NatsOptions& options() const { return options_; }
  // Bumped by every Reset(): callers drop state tied to the old connection.
  uint64_t generation() const { return generation_; }

  void ReportSuccess() { failures_ = 0; }
  // Counts a failure; at rebuild_after in a row, Reset()s. True if it did.
  bool ReportFailure();
  // Destroys the connection (subscriptions and pending acks with it); returns once no callback
  // is running, and none will run into the owner for this connection.
  void Reset();
  uint64_t rebuilds() const { return rebuilds_; }

 private:
  static void OnAck(jsCtx* js, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure);
  static void OnMsg(natsConnection* nc, natsSubscription*, natsMsg* msg, void* closure);

  const NatsOptions options_;
  CallbackGate* const gate_;  // the closure of every callback (never `this`)
  int64_t max_pending_ = 0;
  AckFn on_ack_;
  MsgFn on_msg_;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  natsSubscription* sub_ = nullptr;
  int failures_ = 0;
  uint64_t generation_ = 0;
  uint64_t rebuilds_ = 0;
};

}  // namespace ct
