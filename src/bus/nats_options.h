// NatsOptions: how distributed mode reaches NATS JetStream (config keys nats.*), shared by the
// edge's shipper and the trackers' consumer.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ct {

struct NatsOptions {
  std::vector<std::string> servers;  // nats://host:port
  std::string stream = "CT_EVENTS";  // subjects ct.events.> (bus/wire.h)
  int replicas = 3;
  // JetStream's dedup window on Nats-Msg-Id; 0: the server's default (2 minutes). Dedup that
  // matters is the store's, on event ids; this one only saves re-applying fresh duplicates.
  std::chrono::seconds duplicate_window{0};
  // Messages older than this are dropped by the stream (limits retention). The store's commit,
  // not the stream, is the acknowledgement: the journal keeps everything not yet committed.
  std::chrono::hours max_age{24 * 7};
  std::string client_name = "clicktrail";
  std::chrono::milliseconds connect_timeout{2000};  // per server, per attempt
  std::chrono::milliseconds reconnect_wait{250};    // between the library's reconnect rounds
  std::chrono::milliseconds request_timeout{5000};  // JetStream API calls, publish acks
  // Failed operations in a row after which the connection is torn down and rebuilt rather than
  // left to the library's reconnect loop (a wedged socket, a server that accepts and stalls).
  int rebuild_after = 5;
};

// "nats://a:4222, nats://b:4222" -> {"nats://a:4222", "nats://b:4222"} (blanks dropped).
std::vector<std::string> SplitServers(std::string_view list);

}  // namespace ct
