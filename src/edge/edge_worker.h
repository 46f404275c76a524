// Internal to the edge: one I/O thread's state (io_context, acceptor, connections, journal
// batch) and the server-wide state the threads share. Includes Asio (not Beast): include only
// from src/edge/*.cc.
//
// Everything in a Worker is touched only from its own thread, except `active` (atomic) and
// what EdgeServer does before the thread starts / after it is joined.
#pragma once

#include <atomic>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/intrusive/list.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/event.h"
#include "common/rate_limiter.h"
#include "edge/click_context.h"
#include "edge/edge_metrics.h"
#include "edge/edge_server.h"
#include "edge/link_rules.h"
#include "edge/link_table.h"
#include "edge/trusted_proxies.h"

namespace ct::edge {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
inline constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

// Server-wide, immutable after Start except the atomics.
struct EdgeShared {
  EdgeShared(EdgeOptions o, LinkTable* l, EventSink* s, ApiHandler a, MetricsRegistry* m, Clock* c)
      : options(std::move(o)),
        links(l),
        sink(s),
        api(std::move(a)),
        metrics(m),
        clock(c),
        password_attempts(options.password_attempts_per_second, options.password_attempts_burst, c),
        click_cookie_attributes(ClickCookieAttributes(options.click_cookie_days)) {}

  EdgeOptions options;
  LinkTable* links;
  EventSink* sink;  // null iff kNone
  ApiHandler api;
  EdgeMetrics metrics;
  Clock* clock;
  EventIdGenerator ids;
  TrustedProxies proxies;               // parsed from options.trusted_proxies by Start()
  bool any_host = false;                // options.default_hosts holds "*"
  RateLimiter password_attempts;        // password guesses, keyed by link id
  std::string click_cookie_attributes;  // the ct_cid header's constant tail
  std::unique_ptr<asio::thread_pool> api_pool;
  std::atomic<size_t> connections{0};
  std::atomic<bool> stopping{false};
};

// What a connection is waiting for; the sweeper applies the matching timeout.
enum class ConnState : uint8_t {
  kHeaders,  // reading a request's header section: header_timeout
  kIdle,     // keep-alive, no byte of the next request yet: idle_timeout
  kBody,     // reading a body, or draining before close: idle_timeout
  kBusy,     // waiting on the journal or the API: no timeout (ours to finish)
  kWriting,  // writing a response: idle_timeout
  // Between the pieces of a streamed response (server-sent events): no timeout, a stream may
  // be quiet for hours; closed when the server stops. A stalled write of a piece is kWriting.
  kStreaming,
};

class Worker;

// One connection's socket and the state the sweeper reads. Lives in its coroutine's frame;
// links itself into the worker's list for the sweeper and unlinks when destroyed.
struct Connection
    : boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
  Connection(Worker* worker, tcp::socket socket);
  ~Connection();
  void SetState(ConnState s);
  void Close();

  Worker* worker;
  tcp::socket socket;
  ConnState state = ConnState::kHeaders;
  std::chrono::steady_clock::time_point since;
  std::string peer_ip;
  bool peer_trusted = false;  // peer_ip is one of edge.trusted_proxies
};

using JournalWaiter = asio::any_completion_handler<void(bool)>;

class Worker : public std::enable_shared_from_this<Worker> {
 public:
  explicit Worker(EdgeShared* shared);
  ~Worker();

  // Waits until the records this connection added to `batch` are appended (and, in strict
  // mode, durable); completes with true if they were, false if the journal failed.
  template <typename Token>
  auto AsyncJournal(Token&& token) {
    return asio::async_initiate<Token, void(bool)>(
        [this](auto handler) {
          waiters_.emplace_back(std::move(handler));
          if (!flush_posted_) {
            // One flush per turn of the loop: every record parsed until then joins this batch.
            flush_posted_ = true;
            asio::post(ioc, [this] { Flush(); });
          }
        },
        token);
  }

  asio::awaitable<void> AcceptLoop();
  asio::awaitable<void> SweepLoop();
  void BeginStop();  // on the worker's thread: close the acceptor and every idle connection

  // Declared first: destroyed after the io_context, whose pending coroutine frames own the
  // Connections that unlink themselves from it.
  EdgeShared* shared;
  boost::intrusive::list<Connection, boost::intrusive::constant_time_size<false>> connections;
  std::atomic<size_t> active{0};
  std::chrono::steady_clock::time_point coarse_now;  // refreshed by the sweeper

  asio::io_context ioc{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{ioc};
  LinkTable::Reader links;
  FastRng rng;        // rotation picks on this thread
  std::string batch;  // framed records waiting for the next Flush
  std::thread thread;

 private:
  void Flush();
  void CompleteDurable(uint64_t id, bool ok);
  void Sweep();

  asio::steady_timer sweep_timer_{ioc};
  asio::steady_timer accept_backoff_{ioc};
  std::string flushing_;
  std::vector<JournalWaiter> waiters_;
  std::vector<JournalWaiter> completing_;
  bool flush_posted_ = false;
  uint64_t next_durable_id_ = 0;
  std::unordered_map<uint64_t, std::vector<JournalWaiter>> durable_waiters_;
};

// The session of one accepted connection (connection.cc).
asio::awaitable<void> RunConnection(Worker* worker, tcp::socket socket);

}  // namespace ct::edge
