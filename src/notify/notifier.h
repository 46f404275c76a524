// Notifier: delivers the outbox (store.h "the outbox") to the receivers' servers, at least once,
// signed, with retries for days (DESIGN.md promise 3; RELIABILITY.md F12, §5).
//
// One thread runs a libcurl multi handle. Each turn it claims due deliveries from the store
// (leased: a crash leaves them to be claimed again after options.lease), starts as many as the
// limits allow — at most max_in_flight in total, per_endpoint per postback and per_account per
// account, so one slow receiver never holds up the others (a claimed delivery over a limit waits
// in memory for a free slot) — and records each finished attempt with its outcome in one store
// call:
//   2xx                -> delivered
//   3xx                -> failure (never followed: CURLOPT_FOLLOWLOCATION stays off)
//   429 / 503          -> retry no sooner than Retry-After (seconds or HTTP date), capped at 24 h
//   410                -> the postback is disabled (alarm: disabled_postbacks > 0); the
//                         delivery stays pending until someone re-enables it and replays
//   other / no answer  -> retry at the next step of retry_schedule with +-jitter; past the last
//                         step the delivery is dead-lettered (alarm: dead letters > 0)
// Response bodies are read up to max_response_bytes (then the transfer is cut: only the status
// matters). Every request is checked at connect time against the SSRF policy, on the address
// actually connected to (CURLOPT_OPENSOCKETFUNCTION), and redirects are never followed.
//
// Signing: Standard Webhooks headers on every request (postback/signature.h); a GET also
// carries the signature as query parameters. webhook-id is the delivery id, the same on every
// retry and replay. Piggyback deliveries (postback_id 0, secret "") are sent unsigned, as the
// browser's pixel load they stand in for; each (account, URL host) of them counts as one endpoint
// for per_endpoint (notify/dispatch_queue.h), and a 410 makes such a delivery dead (there is no
// postback to disable).
//
// If the store refuses to record an outcome, the outcome is kept in memory and recorded later
// (once per poll_interval); the delivery is not sent again meanwhile. Only a stop with outcomes
// still unrecorded loses them, and then the lease brings the delivery back (at least once).
//
// Thread safety: Start/Stop from one thread; Wake() and the figures from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "monitor/metrics.h"
#include "postback/ssrf.h"
#include "store/store.h"

namespace ct::notify {

struct NotifierOptions {
  int max_in_flight = 256;  // postbacks.max_in_flight
  int per_endpoint = 8;     // postbacks.per_endpoint: concurrent requests to one postback
  int per_account = 32;     // postbacks.per_account: concurrent requests of one account
  std::chrono::milliseconds connect_timeout{5000};  // postbacks.connect_timeout_ms
  std::chrono::milliseconds total_timeout{15000};   // postbacks.timeout_ms (whole attempt)
  // postbacks.retry_schedule: the wait before attempt 2, 3, ... (after attempt 1, which runs at
  // once). Default: 5s 5m 30m 2h 5h 10h 14h 20h 20h = 71.6 h, then dead.
  std::vector<std::chrono::seconds> retry_schedule;  // empty = DefaultRetrySchedule()
  double jitter = 0.2;  // each wait is scaled by a uniform factor in [1 - jitter, 1 + jitter]
  std::chrono::milliseconds poll_interval{250};  // look for due deliveries at least this often
  std::chrono::seconds lease{120};               // > total_timeout: a claimed row is ours this long
  size_t max_response_bytes = 64 * 1024;
  int claim_batch = 256;
  postback::SsrfPolicy ssrf;
  std::string user_agent = "clicktrail-postback/1";
};

// The default retry_schedule (above).
std::vector<std::chrono::seconds> DefaultRetrySchedule();
// Parses "5s,5m,30m,2h" (units s, m, h, d); kInvalidArgument naming the bad item.
Result<std::vector<std::chrono::seconds>> ParseRetrySchedule(std::string_view text);

class Notifier {
 public:
  Notifier(NotifierOptions options, Store* store, MetricsRegistry* metrics, Clock* clock);
  ~Notifier();  // Stop()s
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  Status Start();
  // Stops claiming, gives in-flight attempts up to `grace` to finish (their outcomes are
  // recorded), then abandons the rest: their leases expire and they are retried later with the
  // same webhook-id. Idempotent.
  void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));
  // New outbox rows were committed: look now instead of at the next poll.
  void Wake();

  // Figures for alarms and the status page; cheap, from any thread (refreshed every poll).
  int64_t PendingDeliveries() const { return pending_.load(); }
  double OldestPendingAgeSeconds() const;  // 0 when nothing is pending
  int64_t DeadDeliveries() const { return dead_.load(); }
  int64_t DisabledPostbacks() const { return disabled_.load(); }
  // The longest run of consecutive failed attempts at any one postback right now.
  int MaxConsecutiveEndpointFailures() const { return max_endpoint_failures_.load(); }
  int64_t InFlight() const { return in_flight_.load(); }

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  std::atomic<int64_t> pending_{0};
  std::atomic<int64_t> oldest_pending_us_{0};
  std::atomic<int64_t> dead_{0};
  std::atomic<int64_t> disabled_{0};
  std::atomic<int> max_endpoint_failures_{0};
  std::atomic<int64_t> in_flight_{0};
  Clock* clock_;
};

}  // namespace ct::notify
