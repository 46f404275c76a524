#include "tracker/tracker.h"

#include <sys/resource.h>
#include <unistd.h>

#include "common/log.h"
#include "tracker/record_decoder.h"

namespace ct {
namespace {

const Logger& Log() {
  static const Logger log("tracker");
  return log;
}

int64_t SteadyMicros(const Clock* clock) {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             clock->SteadyNow().time_since_epoch())
      .count();
}

}  // namespace

Tracker::Tracker(TrackerOptions options, Bus* bus, Store* store, MetricsRegistry* m, Clock* clock)
    : options_(std::move(options)), bus_(bus), store_(store), clock_(clock) {
  events_committed_ = m->AddCounter("clicktrail_tracker_events_committed_total",
                                    "Events newly counted by the tracker.");
  duplicates_ = m->AddCounter("clicktrail_tracker_duplicates_total",
                              "Events fetched again whose id was already committed (ignored).");
  dead_letters_ = m->AddCounter("clicktrail_tracker_dead_letters_total",
                                "Records that could not be decoded, kept in dead_letters.");
  commit_errors_ = m->AddCounter("clicktrail_tracker_commit_errors_total",
                                 "Store commits that failed and were retried.");
  cas_conflicts_ = m->AddCounter("clicktrail_tracker_position_conflicts_total",
                                 "Commits refused because another consumer moved the position.");
  commit_seconds_ = m->AddHistogram("clicktrail_tracker_commit_seconds",
                                    "Time of one batch commit.", LatencyBuckets());
  committed_position_ = m->AddGauge("clicktrail_tracker_committed_position",
                                    "Journal position up to which events are committed.");
  last_event_age_seconds_ =
      m->AddGauge("clicktrail_tracker_last_event_age_seconds",
                  "Age (event time to commit) of the newest event of the last batch.");
  events_per_second_ =
      m->AddGauge("clicktrail_tracker_events_per_second",
                  "Events committed per second, averaged over the last 10 seconds.");
  consecutive_failures_gauge_ =
      m->AddGauge("clicktrail_tracker_consecutive_commit_failures",
                  "Store commits that failed in a row (0 after a success).");
}

Tracker::~Tracker() { Stop(); }

Status Tracker::Start() {
  auto pos = store_->ConsumedPosition(options_.consumer);
  if (!pos.ok()) return pos.status().Annotate("reading the tracker's position");
  committed_ = *pos;
  committed_position_->Set(static_cast<double>(*pos));
  last_commit_steady_us_ = SteadyMicros(clock_);
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void Tracker::Stop() {
  stopping_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Tracker::WaitCommitted(uint64_t position, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return committed_.load() >= position; });
}

bool Tracker::Drain(uint64_t position, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  drained_ = false;
  drain_target_ = position;
  return cv_.wait_for(lock, timeout, [&] { return drained_.load(); });
}

void Tracker::SleepFor(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [&] { return stopping_.load(); });
}

int64_t Tracker::SteadySecond() const { return SteadyMicros(clock_) / 1'000'000; }

void Tracker::RecordRate(uint64_t n) {
  const int64_t now = SteadySecond();
  {
    std::lock_guard lock(rate_mu_);
    RateSlot& slot = rate_[static_cast<size_t>(now) % rate_.size()];
    if (slot.second != now) slot = {now, 0};
    slot.events += n;
  }
  events_per_second_->Set(EventsPerSecond());
}

double Tracker::EventsPerSecond() const {
  // The last kRateWindowSeconds whole seconds; the current, partial second is left out so the
  // rate does not dip at the start of every second.
  const int64_t now = SteadySecond();
  uint64_t sum = 0;
  std::lock_guard lock(rate_mu_);
  for (int64_t s = now - kRateWindowSeconds; s < now; ++s) {
    if (s < 0) continue;
    const RateSlot& slot = rate_[static_cast<size_t>(s) % rate_.size()];
    if (slot.second == s) sum += slot.events;
  }
  return static_cast<double>(sum) / kRateWindowSeconds;
}

double Tracker::SecondsSinceLastCommit() const {
  return static_cast<double>(SteadyMicros(clock_) - last_commit_steady_us_.load()) / 1e6;
}

void Tracker::OnCommitFailed() {
  const int n = ++consecutive_failures_;
  consecutive_failures_gauge_->Set(n);
  // Every rebuild_after-th failure in a row: the store client may be wedged (a dead socket, a
  // stuck lock); the owner tears it down and opens a fresh one.
  if (options_.on_repeated_failures && options_.rebuild_after > 0 &&
      n % options_.rebuild_after == 0) {
    options_.on_repeated_failures(n);
  }
}

void Tracker::Run() {
  if (options_.nice != 0) {
    // Linux: setpriority on a thread id changes that thread alone.
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), options_.nice) != 0) {
      Log().Warn("could not lower the tracker thread's priority to nice {}", options_.nice);
    }
  }
  while (!stopping_) {
    RecordRate(0);  // decays the rate gauge while idle
    auto fetched = bus_->Fetch(committed_, options_.batch_max, options_.fetch_wait);
    if (!fetched.ok()) {
      Log().Warn("fetching from the bus failed: {}", fetched.status().ToString());
      SleepFor(options_.retry_min);
      continue;
    }
    if (fetched->records.empty() && fetched->next_position <= committed_) {
      if (bus_->EndPosition() >= drain_target_) {
        std::lock_guard lock(mu_);
        drained_ = true;
        cv_.notify_all();
      }
      continue;
    }
    if (!CommitWithRetry(*fetched)) return;  // stopping with the store down
  }
}

bool Tracker::CommitWithRetry(const BusBatch& fetched) {
  const std::vector<BusRecord>& records = fetched.records;
  CommitBatch batch;
  batch.consumer = options_.consumer;
  batch.from_position = committed_;
  batch.to_position = fetched.next_position;
  batch.edge = options_.edge_id;
  const DecodeSummary decoded =
      DecodeRecords(records, fetched.losses, options_.enricher, clock_->NowMicros(), &batch);
  const int64_t newest_us = decoded.newest_event_us;
  const uint64_t newest_tally = decoded.newest_tally;

  auto delay = options_.retry_min;
  while (true) {
    auto t0 = clock_->SteadyNow();
    auto result = store_->Commit(batch);
    if (result.ok()) {
      commit_seconds_->Observe(std::chrono::duration<double>(clock_->SteadyNow() - t0).count());
      events_committed_->Inc(result->applied);
      duplicates_->Inc(result->duplicates);
      dead_letters_->Inc(batch.dead_letters.size());
      if (newest_us > 0) {
        last_event_age_seconds_->Set(static_cast<double>(clock_->NowMicros() - newest_us) / 1e6);
      }
      {
        std::lock_guard lock(mu_);
        committed_ = batch.to_position;
      }
      committed_position_->Set(static_cast<double>(batch.to_position));
      last_commit_steady_us_ = SteadyMicros(clock_);
      consecutive_failures_ = 0;
      consecutive_failures_gauge_->Set(0);
      RecordRate(result->applied + result->duplicates);
      if (options_.on_commit) options_.on_commit(batch.to_position, newest_us);
      if (options_.on_deliveries && result->deliveries > 0) {
        options_.on_deliveries(result->deliveries);
      }
      cv_.notify_all();
      // The position is durable in the store (synchronous=FULL) before the journal may drop
      // what came before it.
      if (newest_tally != UINT64_MAX) release_limit_ = newest_tally;
      Status s = bus_->Ack(std::min(batch.to_position, release_limit_));
      if (!s.ok()) Log().Warn("releasing consumed journal segments failed: {}", s.ToString());
      return true;
    }
    if (result.status().code() == StatusCode::kFailedPrecondition) {
      // Another consumer moved the position (or this one is a zombie): re-read and go on from
      // there; the events in hand are re-fetched from the new position if still needed.
      cas_conflicts_->Inc();
      auto pos = store_->ConsumedPosition(options_.consumer);
      if (pos.ok()) {
        Log().Warn("position moved under the tracker (expected {}, store has {}); resuming there",
                   batch.from_position, *pos);
        {
          std::lock_guard lock(mu_);
          committed_ = *pos;
        }
        if (options_.on_commit) options_.on_commit(*pos, 0);
        return true;
      }
    }
    commit_errors_->Inc();
    OnCommitFailed();
    Log().Warn("commit of {} events failed, retrying in {} ms: {}", batch.hits.size(),
               delay.count(), result.status().ToString());
    if (stopping_) return false;
    SleepFor(delay);
    if (stopping_) return false;
    delay = std::min(delay * 2, options_.retry_max);
  }
}

}  // namespace ct
