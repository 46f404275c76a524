#include "edge/edge_worker.h"

#include <boost/asio/co_spawn.hpp>

#include "common/log.h"
#include "journal/format.h"

namespace ct::edge {
namespace {
// Coarse enough to cost nothing (one walk of the list), fine enough for second-level timeouts.
constexpr std::chrono::milliseconds kSweepInterval{250};
// EMFILE/ENFILE leave the connection in the backlog: accepting again at once would spin.
constexpr std::chrono::milliseconds kAcceptBackoff{100};

const Logger& Log() {
  static const Logger log("edge");
  return log;
}
}  // namespace

Worker::Worker(EdgeShared* s)
    : shared(s), coarse_now(std::chrono::steady_clock::now()), links(s->links) {}

Worker::~Worker() {
  // Handlers held here own suspended coroutine frames (and their sockets): destroy them while
  // the io_context is still alive.
  waiters_.clear();
  completing_.clear();
  durable_waiters_.clear();
}

asio::awaitable<void> Worker::AcceptLoop() {
  while (acceptor.is_open()) {
    auto [ec, socket] = co_await acceptor.async_accept(kAsTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      shared->metrics.accept_errors->Inc();
      Log().Warn("accept failed: {}; backing off", ec.message());
      accept_backoff_.expires_after(kAcceptBackoff);
      co_await accept_backoff_.async_wait(kAsTuple);
      continue;
    }
    if (shared->connections.load(std::memory_order_relaxed) >= shared->options.max_connections) {
      // Accept and close at once: leaving it in the backlog would make clients hang instead.
      shared->metrics.connections_refused->Inc();
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    asio::co_spawn(ioc, RunConnection(this, std::move(socket)), [](std::exception_ptr e) {
      // The session reports I/O errors as values; an exception here is a bug (or bad_alloc).
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        Log().Error("connection ended by exception: {}", ex.what());
      }
    });
  }
}

asio::awaitable<void> Worker::SweepLoop() {
  for (;;) {
    sweep_timer_.expires_after(kSweepInterval);
    auto [ec] = co_await sweep_timer_.async_wait(kAsTuple);
    if (ec) co_return;
    Sweep();
  }
}

void Worker::Sweep() {
  coarse_now = std::chrono::steady_clock::now();
  const EdgeOptions& o = shared->options;
  for (auto it = connections.begin(); it != connections.end();) {
    Connection& c = *it++;
    auto age = coarse_now - c.since;
    switch (c.state) {
      case ConnState::kHeaders:
        if (age >= o.header_timeout) {
          shared->metrics.header_timeouts->Inc();
          c.Close();
        }
        break;
      case ConnState::kIdle:
        if (age >= o.idle_timeout || shared->stopping.load(std::memory_order_relaxed)) {
          shared->metrics.idle_timeouts->Inc();
          c.Close();
        }
        break;
      case ConnState::kBody:
      case ConnState::kWriting:
        if (age >= o.idle_timeout) c.Close();
        break;
      case ConnState::kBusy:
        break;
      case ConnState::kStreaming:
        if (shared->stopping.load(std::memory_order_relaxed)) c.Close();
        break;
    }
  }
}

void Worker::BeginStop() {
  boost::system::error_code ignored;
  acceptor.close(ignored);
  accept_backoff_.cancel();
  for (auto it = connections.begin(); it != connections.end();) {
    Connection& c = *it++;
    // A connection without a request in flight has nothing to finish; a stream never finishes.
    if (c.state == ConnState::kIdle || c.state == ConnState::kHeaders ||
        c.state == ConnState::kStreaming) {
      c.Close();
    }
  }
}

void Worker::Flush() {
  flush_posted_ = false;
  flushing_.swap(batch);
  completing_.swap(waiters_);
  bool ok = true;
  if (!flushing_.empty()) {
    // ONE Append for every record parsed in this turn of the loop, across connections.
    Result<uint64_t> pos = shared->sink->Append(flushing_);
    flushing_.clear();
    if (!pos.ok()) {
      ok = false;
      shared->metrics.clicks_unrecorded->Inc(completing_.size());
      Log().Error("journal append failed, {} redirect(s) answered unrecorded: {}",
                  completing_.size(), pos.status().ToString());
    } else if (shared->options.durability == Durability::kStrict) {
      uint64_t id = next_durable_id_++;
      durable_waiters_.emplace(id, std::move(completing_));
      completing_.clear();
      std::weak_ptr<Worker> weak = weak_from_this();
      // Called on the journal's sync thread: only hop back to this worker's thread.
      shared->sink->WhenDurable(*pos, [weak, id](const Status& s) {
        if (auto w = weak.lock()) {
          asio::post(w->ioc, [raw = w.get(), id, ok = s.ok()] { raw->CompleteDurable(id, ok); });
        }
      });
      return;
    }
  }
  // Resumes each waiting connection inline; they write their 302s. Records they add meanwhile
  // (pipelined requests) go to the fresh `batch` and a new Flush.
  for (JournalWaiter& h : completing_) std::move(h)(ok);
  completing_.clear();
}

void Worker::CompleteDurable(uint64_t id, bool ok) {
  auto it = durable_waiters_.find(id);
  if (it == durable_waiters_.end()) return;
  std::vector<JournalWaiter> ready = std::move(it->second);
  durable_waiters_.erase(it);
  if (!ok) {
    shared->metrics.clicks_unrecorded->Inc(ready.size());
    Log().Error("journal failed before fsync: {} redirect(s) answered without durability",
                ready.size());
  }
  for (JournalWaiter& h : ready) std::move(h)(ok);
}

}  // namespace ct::edge
