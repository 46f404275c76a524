// StoreProber: probes the store every `interval` with a deadline of its own, so a store that
// is silently unreachable (RELIABILITY.md F8: a dropped network path, a SIGSTOPped server, a
// lock never released) is noticed within seconds even when no work is flowing. Backs the
// store_unreachable alarm and the store row of /api/v1/status.
//
// Each probe runs on a worker thread of its own, so a store call that hangs cannot hang the
// prober: a probe that has not answered within `timeout` counts as a failure, and while it is
// still hung no new probe is started (they would only pile up on the same wedged client) —
// every interval that passes meanwhile counts as another failure.
//
// Self-healing: when consecutive failures reach `rebuild_after`, and at every further multiple,
// `on_repeated_failures(consecutive)` is called (serve rebuilds the store client).
//
// Metrics: clicktrail_store_probe_consecutive_failures (gauge), clicktrail_store_probe_seconds
// (histogram of answered probes), clicktrail_store_probe_last_seconds (gauge),
// clicktrail_store_probes_total, clicktrail_store_probe_failures_total.
//
// Threads: Start() runs the prober thread and the probe worker; the hooks run on the prober
// thread. Getters may be called from any thread. Stop() (also the destructor) waits for a probe
// in flight to return — a hung probe delays Stop, it never runs into freed memory — so stop the
// prober before destroying what `probe` uses.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/status.h"
#include "monitor/metrics.h"

namespace ct {

struct StoreProberOptions {
  std::chrono::milliseconds interval{5000};  // from the start of one probe to the next
  std::chrono::milliseconds timeout{2000};   // a probe slower than this is a failure
  int rebuild_after = 3;                     // consecutive failures that call the hook
  std::function<void(int consecutive)> on_repeated_failures;
  // Called on the prober thread once per interval (refreshes time-based gauges elsewhere).
  std::function<void()> on_tick;
};

class StoreProber {
 public:
  // `probe` is the round trip (e.g. [store] { return store->Probe(); }); it may block.
  StoreProber(StoreProberOptions options, std::function<Status()> probe, MetricsRegistry* metrics);
  ~StoreProber();
  StoreProber(const StoreProber&) = delete;
  StoreProber& operator=(const StoreProber&) = delete;

  void Start();
  void Stop();  // idempotent

  // Probes that failed (errored, timed out or could not start) in a row; 0 after a success.
  int ConsecutiveFailures() const { return consecutive_failures_.load(); }
  // Latency of the last probe that answered, in seconds (0 before the first).
  double LastLatencySeconds() const { return last_latency_seconds_.load(); }
  // Why the last failed probe failed ("" if none failed yet).
  std::string LastError() const;
  // Steady seconds since the last successful probe; nullopt if none succeeded yet.
  std::optional<double> SecondsSinceLastSuccess() const;
  uint64_t ProbesTotal() const { return probes_total_->Value(); }
  uint64_t FailuresTotal() const { return failures_total_->Value(); }

 private:
  void Loop();
  void WorkerLoop();
  // One interval's worth: starts a probe (unless one is hung) and waits for its answer.
  void ProbeOnce();
  void RecordSuccess(double seconds);
  void RecordFailure(const std::string& error);

  const StoreProberOptions options_;
  const std::function<Status()> probe_;

  Counter* probes_total_;
  Counter* failures_total_;
  Gauge* consecutive_failures_gauge_;
  Gauge* last_seconds_gauge_;
  Histogram* probe_seconds_;

  std::atomic<int> consecutive_failures_{0};
  std::atomic<double> last_latency_seconds_{0};
  std::atomic<int64_t> last_success_us_{-1};  // steady µs; -1: never

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool request_ = false;     // the worker should start a probe
  bool in_flight_ = false;   // the worker is inside probe_()
  uint64_t generation_ = 0;  // bumped by each probe started
  uint64_t answered_ = 0;    // generation of the last probe that returned
  Status answer_;
  std::string last_error_;
  std::thread thread_;
  std::thread worker_;
};

}  // namespace ct
