#include "monitor/store_prober.h"

#include <utility>

namespace ct {
namespace {

int64_t SteadyMicrosNow() {
  // Real steady time: the prober waits on real threads with real deadlines.
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

StoreProber::StoreProber(StoreProberOptions options, std::function<Status()> probe,
                         MetricsRegistry* m)
    : options_(std::move(options)), probe_(std::move(probe)) {
  probes_total_ = m->AddCounter("clicktrail_store_probes_total", "Store health probes started.");
  failures_total_ = m->AddCounter("clicktrail_store_probe_failures_total",
                                  "Store probes that failed, timed out or could not start.");
  consecutive_failures_gauge_ = m->AddGauge("clicktrail_store_probe_consecutive_failures",
                                            "Store probes that failed in a row (0: healthy).");
  last_seconds_gauge_ = m->AddGauge("clicktrail_store_probe_last_seconds",
                                    "Latency of the last store probe that answered.");
  probe_seconds_ = m->AddHistogram("clicktrail_store_probe_seconds",
                                   "Latency of store probes that answered.", LatencyBuckets());
}

StoreProber::~StoreProber() { Stop(); }

void StoreProber::Start() {
  worker_ = std::thread([this] { WorkerLoop(); });
  thread_ = std::thread([this] { Loop(); });
}

void StoreProber::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (worker_.joinable()) worker_.join();  // waits for a hung probe to come back
}

std::string StoreProber::LastError() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

std::optional<double> StoreProber::SecondsSinceLastSuccess() const {
  const int64_t at = last_success_us_.load();
  if (at < 0) return std::nullopt;
  return static_cast<double>(SteadyMicrosNow() - at) / 1e6;
}

void StoreProber::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const auto next = std::chrono::steady_clock::now() + options_.interval;
    lock.unlock();
    ProbeOnce();
    if (options_.on_tick) options_.on_tick();
    lock.lock();
    cv_.wait_until(lock, next, [&] { return stopping_; });
  }
}

void StoreProber::WorkerLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || request_; });
    if (stopping_) return;
    request_ = false;
    const uint64_t gen = generation_;
    lock.unlock();
    Status s = probe_();
    lock.lock();
    in_flight_ = false;
    answered_ = gen;
    answer_ = std::move(s);
    cv_.notify_all();
  }
}

void StoreProber::ProbeOnce() {
  std::unique_lock lock(mu_);
  if (in_flight_) {
    // The last probe is still hung in the store: starting another would only queue behind it
    // on the same wedged client. The store is still not answering: one more failure.
    lock.unlock();
    RecordFailure("the previous store probe has not returned yet");
    return;
  }
  const uint64_t gen = ++generation_;
  in_flight_ = true;
  request_ = true;
  probes_total_->Inc();
  const auto start = std::chrono::steady_clock::now();
  cv_.notify_all();
  const bool answered =
      cv_.wait_until(lock, start + options_.timeout, [&] { return answered_ == gen || stopping_; });
  if (stopping_ && answered_ != gen) return;  // shutting down: not the store's fault
  if (!answered) {
    lock.unlock();
    RecordFailure("store probe timed out after " + std::to_string(options_.timeout.count()) +
                  " ms");
    return;
  }
  Status s = answer_;
  lock.unlock();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  probe_seconds_->Observe(seconds);
  last_seconds_gauge_->Set(seconds);
  last_latency_seconds_ = seconds;
  if (s.ok()) {
    RecordSuccess(seconds);
  } else {
    RecordFailure(s.ToString());
  }
}

void StoreProber::RecordSuccess(double /*seconds*/) {
  consecutive_failures_ = 0;
  consecutive_failures_gauge_->Set(0);
  last_success_us_ = SteadyMicrosNow();
}

void StoreProber::RecordFailure(const std::string& error) {
  failures_total_->Inc();
  const int n = ++consecutive_failures_;
  consecutive_failures_gauge_->Set(n);
  {
    std::lock_guard lock(mu_);
    last_error_ = error;
  }
  // Every rebuild_after-th failure in a row: tear the client down and open a fresh one; if the
  // store itself is down the rebuild fails too and the next multiple tries again.
  if (options_.on_repeated_failures && options_.rebuild_after > 0 &&
      n % options_.rebuild_after == 0) {
    options_.on_repeated_failures(n);
  }
}

}  // namespace ct
