#include "notify/notifier.h"

#include <curl/curl.h>

#include <algorithm>
#include <deque>
#include <map>
#include <random>
#include <unordered_set>

#include "common/log.h"
#include "notify/attempt_outcome.h"
#include "notify/curl_transfer.h"
#include "notify/dispatch_queue.h"
#include "postback/signature.h"

namespace ct::notify {
namespace {

const Logger& Log() {
  static const Logger log("notify");
  return log;
}

// From a second to three days: the retry schedule spans about 72 h.
std::vector<double> DeliveryBuckets() {
  return {0.05, 0.1, 0.25, 0.5,  1,    2.5,        5,     10,
          30,   60,  300,  1800, 3600, 4 * 3600.0, 86400, 3 * 86400.0};
}

using SteadyTime = std::chrono::steady_clock::time_point;

}  // namespace

struct Notifier::Impl {
  Impl(Notifier* self, NotifierOptions options, Store* store, MetricsRegistry* metrics,
       Clock* clock)
      : self(self),
        opt(std::move(options)),
        store(store),
        clock(clock),
        queue(opt.max_in_flight, opt.per_endpoint, opt.per_account),
        rng(std::random_device{}()) {
    if (metrics == nullptr) {
      own_metrics = std::make_unique<MetricsRegistry>();
      metrics = own_metrics.get();
    }
    attempts = metrics->AddCounter("clicktrail_postback_attempts_total",
                                   "Postback delivery attempts (every HTTP request tried)");
    delivered =
        metrics->AddCounter("clicktrail_postback_delivered_total", "Deliveries that got a 2xx");
    failures = metrics->AddCounter("clicktrail_postback_failures_total",
                                   "Attempts without a 2xx (error, timeout, refused, non-2xx)");
    dead = metrics->AddCounter("clicktrail_postback_dead_total",
                               "Deliveries dead-lettered after the last retry");
    latency = metrics->AddHistogram("clicktrail_postback_delivery_seconds",
                                    "From the commit that wrote a delivery to its 2xx",
                                    DeliveryBuckets());
    in_flight = metrics->AddGauge("clicktrail_postback_in_flight", "Postback requests under way");
    CurlGlobalInitOnce();
    multi = curl_multi_init();
  }
  ~Impl() {
    if (multi != nullptr) curl_multi_cleanup(multi);
  }

  void Run();
  void Claim(int64_t now_us);
  void RefreshFigures(int64_t now_us);
  void StartWaiting(int64_t now_us, SteadyTime now);
  void Start(const Job& job, int64_t now_us, SteadyTime now);
  void Reap();
  void Conclude(const Job& job, const AttemptResult& result);
  void FlushRecords();
  void Abandon();

  Notifier* self;
  NotifierOptions opt;
  Store* store;
  Clock* clock;
  std::unique_ptr<MetricsRegistry> own_metrics;
  Counter* attempts;
  Counter* delivered;
  Counter* failures;
  Counter* dead;
  Histogram* latency;
  Gauge* in_flight;

  CURLM* multi = nullptr;
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::atomic<bool> woken{false};
  std::atomic<int64_t> grace_ms{0};

  // Owned by the thread below.
  DispatchQueue queue;
  std::map<CURL*, std::unique_ptr<Transfer>> running;
  // Outcomes the store has not taken yet, oldest first: retried every turn, never dropped while
  // we run; their deliveries are not sent again meanwhile (their ids stay in `held`).
  std::deque<DeliveryOutcome> unrecorded;
  // Every delivery id we hold (waiting, in flight or unrecorded): a re-claim after a lease
  // expiry must not start a second copy.
  std::unordered_set<std::string> held;
  std::map<std::string, int> endpoint_failures;  // consecutive failed attempts per endpoint
  std::mt19937_64 rng;
  SteadyTime next_claim{};
  SteadyTime next_figures{};
  SteadyTime next_record_retry{};  // after a failed record: not before this (store is down)
};

void Notifier::Impl::Run() {
  std::optional<SteadyTime> stop_deadline;
  while (true) {
    SteadyTime now = clock->SteadyNow();
    if (stopping.load() && !stop_deadline) {
      stop_deadline = now + std::chrono::milliseconds(grace_ms.load());
    }
    if (stop_deadline && (running.empty() || now >= *stop_deadline)) break;

    if (now >= next_record_retry) FlushRecords();
    if (!stop_deadline && (woken.exchange(false) || now >= next_claim)) {
      int64_t now_us = clock->NowMicros();
      Claim(now_us);
      next_claim = now + opt.poll_interval;
      // Wake() may come with every commit; the figures are for alarms and need no more than
      // one outbox scan per poll interval.
      if (now >= next_figures) {
        RefreshFigures(now_us);
        next_figures = now + opt.poll_interval;
      }
    }
    if (!stop_deadline) StartWaiting(clock->NowMicros(), now);

    int still_running = 0;
    curl_multi_perform(multi, &still_running);
    Reap();

    // Sleep until there is socket activity, a Wake(), the next poll or the end of the grace.
    SteadyTime until = stop_deadline ? *stop_deadline : next_claim;
    if (!unrecorded.empty()) until = std::min(until, now + opt.poll_interval);
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until - clock->SteadyNow());
    int wait_ms = static_cast<int>(std::clamp<int64_t>(wait.count(), 0, 1000));
    curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
    curl_multi_perform(multi, &still_running);
    Reap();
  }
  Abandon();
}

void Notifier::Impl::Claim(int64_t now_us) {
  int room = opt.claim_batch - static_cast<int>(queue.waiting());
  if (room <= 0) return;  // enough waiting in memory already
  int64_t lease_us = std::chrono::duration_cast<std::chrono::microseconds>(opt.lease).count();
  auto claimed = store->ClaimDeliveries(now_us, now_us + lease_us, room);
  if (!claimed.ok()) {
    Log().Warn("claiming deliveries failed (retrying at the next poll): {}",
               claimed.status().ToString());
    return;
  }
  for (ClaimedDelivery& d : *claimed) {
    if (!held.insert(d.row.id).second) continue;  // already ours (its lease ran out meanwhile)
    queue.Push(Job{std::move(d), now_us + lease_us});
  }
}

void Notifier::Impl::RefreshFigures(int64_t now_us) {
  auto stats = store->GetOutboxStats();
  if (!stats.ok()) {
    Log().Warn("reading outbox figures failed: {}", stats.status().ToString());
    return;
  }
  self->pending_ = stats->pending;
  self->oldest_pending_us_ = stats->oldest_pending_created_us;
  self->dead_ = stats->dead;
  self->disabled_ = stats->disabled_postbacks;
}

void Notifier::Impl::StartWaiting(int64_t now_us, SteadyTime now) {
  // A delivery that waited so long that its lease would end mid-attempt is let go: the store
  // hands it out again when the lease ends, and two copies must never be in flight.
  const int64_t timeout_us =
      std::chrono::duration_cast<std::chrono::microseconds>(opt.total_timeout).count();
  for (const Job& job :
       queue.DropWaiting([&](const Job& j) { return now_us + timeout_us >= j.lease_until_us; })) {
    held.erase(job.delivery.row.id);
    Log().Debug("delivery {} let go: its lease ends before an attempt could finish",
                job.delivery.row.id);
  }
  for (const Job& job : queue.TakeStartable()) Start(job, now_us, now);
}

void Notifier::Impl::Start(const Job& job, int64_t now_us, SteadyTime now) {
  const ClaimedDelivery& d = job.delivery;
  if (!d.secret.empty() && !postback::IsValidSecret(d.secret)) {
    // Cannot sign: sending unsigned would teach the receiver to accept unsigned requests.
    queue.Release(d.row);
    Conclude(job, AttemptResult{0, "the postback's signing secret is not valid", {}, now_us, 0});
    return;
  }
  auto t = Transfer::Create(job, opt, now_us, now);
  if (!t.ok()) {
    queue.Release(d.row);
    Conclude(job, AttemptResult{0, t.status().message(), {}, now_us, 0});
    return;
  }
  CURL* h = (*t)->handle();
  if (curl_multi_add_handle(multi, h) != CURLM_OK) {
    queue.Release(d.row);
    Conclude(job, AttemptResult{0, "curl_multi_add_handle failed", {}, now_us, 0});
    return;
  }
  running.emplace(h, std::move(*t));
  self->in_flight_ = static_cast<int64_t>(running.size());
  in_flight->Set(static_cast<double>(running.size()));
}

void Notifier::Impl::Reap() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    auto it = running.find(msg->easy_handle);
    if (it == running.end()) continue;
    std::unique_ptr<Transfer> t = std::move(it->second);
    running.erase(it);
    curl_multi_remove_handle(multi, t->handle());
    AttemptResult result = t->Finish(msg->data.result, clock->SteadyNow());
    queue.Release(t->job().delivery.row);
    Conclude(t->job(), result);
  }
  self->in_flight_ = static_cast<int64_t>(running.size());
  in_flight->Set(static_cast<double>(running.size()));
}

void Notifier::Impl::Conclude(const Job& job, const AttemptResult& result) {
  const DeliveryRow& row = job.delivery.row;
  int64_t now_us = clock->NowMicros();
  DeliveryOutcome outcome = DecideOutcome(row, result, now_us, opt, rng);
  attempts->Inc();
  std::string endpoint = EndpointKey(row);
  if (outcome.state == DeliveryState::kDelivered) {
    delivered->Inc();
    latency->Observe(static_cast<double>(now_us - row.created_at_us) / 1e6);
    endpoint_failures.erase(endpoint);
    Log().Debug("delivered {} (attempt {}): HTTP {} in {} ms", row.id, outcome.attempt.attempt,
                result.http_status, result.latency_us / 1000);
  } else {
    failures->Inc();
    ++endpoint_failures[endpoint];
    if (outcome.state == DeliveryState::kDead) {
      dead->Inc();
      Log().Warn("delivery {} is dead after attempt {}: {}", row.id, outcome.attempt.attempt,
                 outcome.attempt.error);
    } else if (outcome.disable_postback) {
      Log().Warn("postback {} disabled: {} (delivery {})", row.postback_id, outcome.disable_reason,
                 row.id);
    } else {
      Log().Info("delivery {} attempt {} failed in {} ms: {}; next in {} s", row.id,
                 outcome.attempt.attempt, result.latency_us / 1000, outcome.attempt.error,
                 (outcome.next_attempt_us - now_us) / 1'000'000);
    }
  }
  int worst = 0;
  for (const auto& [key, n] : endpoint_failures) worst = std::max(worst, n);
  self->max_endpoint_failures_ = worst;

  if (outcome.disable_postback) {
    // The others waiting for this postback would only hear 410 again; they keep their rows
    // (pending, leased) and are not claimed while the postback is disabled.
    for (const Job& j : queue.DropWaiting(
             [&](const Job& w) { return w.delivery.row.postback_id == row.postback_id; })) {
      held.erase(j.delivery.row.id);
    }
  }
  unrecorded.push_back(std::move(outcome));
  if (clock->SteadyNow() >= next_record_retry) FlushRecords();
}

void Notifier::Impl::FlushRecords() {
  while (!unrecorded.empty()) {
    Status s = store->RecordDeliveryOutcome(unrecorded.front());
    if (!s.ok()) {
      // Every turn would be too often (turns follow socket activity): retry once per poll.
      next_record_retry = clock->SteadyNow() + opt.poll_interval;
      Log().Warn("recording a delivery outcome failed (kept, retried in {} ms): {}",
                 opt.poll_interval.count(), s.ToString());
      return;
    }
    held.erase(unrecorded.front().attempt.delivery_id);
    unrecorded.pop_front();
  }
}

void Notifier::Impl::Abandon() {
  // In-flight attempts past the grace are dropped unrecorded: their leases run out and they are
  // sent again, with the same webhook-id, so the receiver can tell the repeat.
  for (auto& [h, t] : running) {
    curl_multi_remove_handle(multi, h);
    Log().Info("stopping: delivery {} abandoned mid-attempt (retried after its lease)",
               t->job().delivery.row.id);
  }
  running.clear();
  self->in_flight_ = 0;
  in_flight->Set(0);
  FlushRecords();
  if (!unrecorded.empty()) {
    Log().Warn(
        "stopping with {} unrecorded outcomes: those deliveries are retried after their "
        "leases",
        unrecorded.size());
  }
}

Notifier::Notifier(NotifierOptions options, Store* store, MetricsRegistry* metrics, Clock* clock)
    : clock_(clock == nullptr ? Clock::System() : clock) {
  if (options.retry_schedule.empty()) options.retry_schedule = DefaultRetrySchedule();
  impl_ = std::make_unique<Impl>(this, std::move(options), store, metrics, clock_);
}

Notifier::~Notifier() { Stop(); }

Status Notifier::Start() {
  if (impl_->multi == nullptr) return Status::Internal("curl_multi_init failed");
  if (impl_->thread.joinable()) return Status::FailedPrecondition("notifier already started");
  if (impl_->opt.lease <= impl_->opt.total_timeout) {
    return Status::InvalidArgument("the notifier's lease must be longer than its total timeout");
  }
  impl_->stopping = false;
  impl_->thread = std::thread([this] { impl_->Run(); });
  return Status::Ok();
}

void Notifier::Stop(std::chrono::milliseconds grace) {
  if (!impl_->thread.joinable()) return;
  impl_->grace_ms = grace.count();
  impl_->stopping = true;
  curl_multi_wakeup(impl_->multi);
  impl_->thread.join();
}

void Notifier::Wake() {
  impl_->woken = true;
  if (impl_->multi != nullptr) curl_multi_wakeup(impl_->multi);
}

double Notifier::OldestPendingAgeSeconds() const {
  int64_t oldest = oldest_pending_us_.load();
  if (oldest <= 0) return 0;
  return std::max<double>(0, static_cast<double>(clock_->NowMicros() - oldest) / 1e6);
}

}  // namespace ct::notify
