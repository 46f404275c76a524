// HttpReceiver: a real HTTP/1.1 server on 127.0.0.1 (port 0) for tests of code that calls out
// (alarm webhooks, SMS gateways, postbacks). It records every request and answers each with a
// configurable reply: a status, a body, extra headers and an optional delay (to test client
// timeouts). One thread accepts; each connection is served on a thread of its own, so a delayed
// reply does not hold up the next request. Every response carries "Connection: close".
//
// Thread safety: every method may be called from any thread. Stop() (also run by the
// destructor) interrupts delays, closes every socket and joins every thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "testutil/loopback_server.h"

namespace ct::test {

struct ReceivedRequest {
  std::string method;
  std::string target;                          // as sent: "/hook?x=1"
  std::map<std::string, std::string> headers;  // names lowercased; a repeated name keeps the last
  std::string body;                            // de-chunked
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

struct ReceiverReply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. {"Location", "/elsewhere"}
  std::chrono::milliseconds delay{0};                        // wait this long before answering
};

class HttpReceiver {
 public:
  // Binds 127.0.0.1:`port` (0: ephemeral) and starts serving; aborts the test (throws) if it
  // cannot. A fixed port brings a receiver back where a stopped one was (downtime tests).
  explicit HttpReceiver(uint16_t port = 0);
  ~HttpReceiver();
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  uint16_t port() const { return server_.port(); }
  // "http://127.0.0.1:<port><path>".
  std::string Url(const std::string& path = "/") const;

  // The reply for every request not covered by QueueReply (default: 200, empty body).
  void SetReply(ReceiverReply reply);
  // Replies for the next requests, in order, before falling back to SetReply's.
  void QueueReply(ReceiverReply reply);

  // Waits until at least `n` requests have been received (recorded before any delay).
  bool WaitFor(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  std::vector<ReceivedRequest> Requests() const;
  size_t Count() const;

  void Stop();

 private:
  void Serve(int fd);
  ReceiverReply NextReply();

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;  // new requests
  std::vector<ReceivedRequest> requests_;
  ReceiverReply default_reply_;
  std::deque<ReceiverReply> queued_;
  LoopbackServer server_;  // last: see its header
};

}  // namespace ct::test
