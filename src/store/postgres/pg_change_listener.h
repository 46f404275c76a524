// PgChangeListener: LISTENs on PostgreSQL channel ct_link_changes (notified at the commit of
// every link, goal or domain change: pg_schema.cc migration 2) and calls `on_change` for each
// batch of notifications, so an edge's link syncer loads a change within milliseconds instead
// of at its next poll. Also calls `on_change` after every (re)connection, since notifications
// sent while it was away are lost.
//
// Not a replacement for polling: an idle LISTEN connection has no deadline, and a silent server
// (paused, packets dropped) looks like a quiet one. The syncer keeps polling as the safety net.
// A lost connection is reopened with backoff (1 s doubling to 30 s).
//
// Thread safety: Start/Stop from one thread; `on_change` runs on the listener's thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "monitor/metrics.h"
#include "store/postgres/postgres_store.h"

namespace ct {

class PgChangeListener {
 public:
  PgChangeListener(const PostgresOptions& options, std::function<void()> on_change,
                   MetricsRegistry* metrics);
  ~PgChangeListener();  // Stop()s
  PgChangeListener(const PgChangeListener&) = delete;
  PgChangeListener& operator=(const PgChangeListener&) = delete;

  void Start();
  void Stop();  // idempotent; returns within about a second

 private:
  void Run();
  // Sleeps `d` unless stopped first; false once stopped.
  bool SleepFor(std::chrono::milliseconds d);

  const pg::ConnectSpec spec_;
  const std::function<void()> on_change_;
  Counter* const notifications_;
  Gauge* const connected_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace ct
