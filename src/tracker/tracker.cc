#include "tracker/tracker.h"

#include "common/event.h"
#include "common/log.h"
#include "tracker/visitor.h"

namespace ct {
namespace {

const Logger& Log() {
  static const Logger log("tracker");
  return log;
}

constexpr uint8_t kEventRecordType = 1;  // journal/format.h RecordType::kEvent

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
}

Tracker::~Tracker() { Stop(); }

Status Tracker::Start() {
  auto pos = store_->ConsumedPosition(options_.consumer);
  if (!pos.ok()) return pos.status().Annotate("reading the tracker's position");
  committed_ = *pos;
  committed_position_->Set(static_cast<double>(*pos));
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

void Tracker::Run() {
  while (!stopping_) {
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
  batch.hits.reserve(records.size());
  int64_t newest_us = 0;
  for (const auto& r : records) {
    if (r.type != kEventRecordType) {
      batch.dead_letters.push_back({r.position, "unknown record type " + std::to_string(r.type),
                                    r.payload});
      continue;
    }
    auto ev = DecodeEvent(r.payload);
    if (!ev.ok()) {
      // A record whose CRC matched but whose payload does not decode is kept, not dropped, and
      // the position moves past it in the same transaction: it never blocks the events behind.
      batch.dead_letters.push_back({r.position, ev.status().message(), r.payload});
      continue;
    }
    newest_us = std::max(newest_us, ev->time_us);
    HitRecord h;
    h.visitor_key = VisitorKey(*ev);
    h.event = std::move(*ev);
    batch.hits.push_back(std::move(h));
  }

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
      cv_.notify_all();
      // The position is durable in the store (synchronous=FULL) before the journal may drop
      // what came before it.
      Status s = bus_->Ack(batch.to_position);
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
        std::lock_guard lock(mu_);
        committed_ = *pos;
        return true;
      }
    }
    commit_errors_->Inc();
    Log().Warn("commit of {} events failed, retrying in {} ms: {}", batch.hits.size(),
               delay.count(), result.status().ToString());
    if (stopping_) return false;
    SleepFor(delay);
    if (stopping_) return false;
    delay = std::min(delay * 2, options_.retry_max);
  }
}

}  // namespace ct
