#include "tracker/bus_tracker.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "common/log.h"
#include "tracker/record_decoder.h"

namespace ct {
namespace {

const Logger& Log() {
  static const Logger log("bus_tracker");
  return log;
}

// Errors worth retrying in place (the store is down or busy), as opposed to a batch it refuses.
bool Transient(const Status& s) {
  switch (s.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kIoError:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kResourceExhausted:
      return true;
    default:
      return false;
  }
}

std::string EdgeOfSubject(std::string_view subject) {
  if (subject.starts_with(wire::kEventsPrefix)) subject.remove_prefix(wire::kEventsPrefix.size());
  return wire::ValidEdgeId(subject) ? std::string(subject) : "unknown";
}

}  // namespace

BusTracker::BusTracker(BusTrackerOptions options, NatsOptions nats, ConsumerOptions consumer,
                       Store* store, MetricsRegistry* m, Clock* clock)
    : options_(std::move(options)),
      consumer_options_(consumer),
      consumer_(std::move(nats), std::move(consumer)),
      store_(store),
      clock_(clock),
      hold_(options_.conversion_hold, store, clock) {
  // Edges that hear no watermark announce themselves: republish theirs too (from the next
  // round), even if this tracker never committed for them.
  consumer_.OnEdgeAnnounced([this](std::string edge) {
    std::lock_guard lock(announced_mu_);
    if (announced_.size() < 10000) announced_.insert(std::move(edge));
  });
  events_committed_ = m->AddCounter("clicktrail_bus_tracker_events_committed_total",
                                    "Events from the bus newly counted.");
  duplicates_ = m->AddCounter("clicktrail_bus_tracker_duplicates_total",
                              "Events from the bus whose id was already committed (ignored).");
  dead_letters_ = m->AddCounter("clicktrail_bus_tracker_dead_letters_total",
                                "Bus records committed as dead letters.");
  commit_errors_ = m->AddCounter("clicktrail_bus_tracker_commit_errors_total",
                                 "Store commits of bus batches that failed.");
  redeliveries_ = m->AddCounter("clicktrail_bus_tracker_naks_total",
                                "Messages given back to the bus for redelivery.");
  held_ = m->AddCounter("clicktrail_bus_tracker_conversions_held_total",
                        "Conversions given back to the bus because their click may not be "
                        "committed yet (tracker.conversion_hold_s).");
  commit_seconds_ = m->AddHistogram("clicktrail_bus_tracker_commit_seconds",
                                    "Time of one edge group's commit.", LatencyBuckets());
}

BusTracker::~BusTracker() {
  Stop();
  // Before the members the announce callback uses go: no callback runs after this.
  consumer_.Reset();
}

Status BusTracker::Start() {
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void BusTracker::Stop() {
  stopping_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BusTracker::SleepFor(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [&] { return stopping_.load(); });
}

void BusTracker::Run() {
  if (options_.nice != 0) {
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), options_.nice) != 0) {
      Log().Warn("could not lower the tracker thread's priority to nice {}", options_.nice);
    }
  }
  auto delay = options_.retry_min;
  while (!stopping_) {
    if (!consumer_.connected()) {
      Status s = consumer_.Connect();
      if (!s.ok()) {
        Log().Warn("NATS unreachable, retrying in {} ms: {}", delay.count(), s.ToString());
        SleepFor(delay);
        delay = std::min(delay * 2, options_.retry_max);
        continue;
      }
      delay = options_.retry_min;
    }
    RepublishWatermarks();
    Result<std::vector<BusMessage>> fetched =
        consumer_.Fetch(options_.batch_max, options_.fetch_wait);
    if (!fetched.ok()) {
      // Rebind at once: after some errors (the consumer deleted with its stream) the library's
      // subscription only ever times out again, so counting failures would never rebuild it.
      Log().Warn("fetching from the bus failed, reconnecting: {}", fetched.status().ToString());
      consumer_.Reset();
      SleepFor(delay);
      delay = std::min(delay * 2, options_.retry_max);
      continue;
    }
    consumer_.ReportSuccess();
    delay = options_.retry_min;
    if (fetched->empty()) continue;
    // By edge, in stream order within each (a conversion after its click in the same batch).
    std::map<std::string, std::vector<BusMessage*>> groups;
    std::vector<BusMessage*> malformed;
    for (BusMessage& m : *fetched) {
      if (m.malformed) {
        malformed.push_back(&m);
      } else {
        groups[m.record.edge].push_back(&m);
      }
    }
    if (!malformed.empty()) CommitMalformed(malformed);
    for (auto& [edge, msgs] : groups) CommitGroup(edge, msgs);
  }
}

Result<CommitResult> BusTracker::CommitWithRetry(const CommitBatch& batch) {
  const auto give_up = clock_->SteadyNow() + consumer_options_.ack_wait / 2;
  auto delay = options_.retry_min;
  while (true) {
    const auto t0 = clock_->SteadyNow();
    Result<CommitResult> r = store_->Commit(batch);
    if (r.ok()) {
      commit_seconds_->Observe(std::chrono::duration<double>(clock_->SteadyNow() - t0).count());
      consecutive_failures_ = 0;
      return r;
    }
    commit_errors_->Inc();
    ++consecutive_failures_;
    if (options_.on_repeated_failures && options_.rebuild_after > 0 &&
        consecutive_failures_ % options_.rebuild_after == 0) {
      options_.on_repeated_failures(consecutive_failures_);
    }
    Log().Warn("commit of {} events from {} failed: {}", batch.hits.size(), batch.edge,
               r.status().ToString());
    if (!Transient(r.status()) || stopping_ || clock_->SteadyNow() + delay >= give_up) return r;
    SleepFor(delay);
    delay = std::min(delay * 2, options_.retry_max);
  }
}

void BusTracker::CommitGroup(const std::string& edge, std::vector<BusMessage*>& msgs) {
  const int64_t now_us = clock_->NowMicros();
  CommitBatch batch;
  batch.consumer = options_.consumer;
  batch.edge = edge;
  std::vector<BusRecord> records;
  std::vector<BusLoss> losses;
  std::map<uint64_t, BusMessage*> by_from;
  // Conversions whose click may not be committed yet: given back, their ranges left open.
  std::set<BusMessage*> held;
  for (BusMessage* m : msgs) {
    const wire::ShippedRecord& r = m->record;
    if (hold_.Holds(edge, r.type, m->payload())) {
      held.insert(m);
      continue;
    }
    by_from[r.from] = m;
    batch.edge_ranges.push_back({edge, r.from, r.to, TallyTime(r.type, m->payload())});
    if (r.type == wire::kGapType) {
      Result<uint64_t> n = wire::ParseGapPayload(m->payload());
      if (n.ok()) {
        losses.push_back({r.from, *n, r.to});
        continue;
      }
    }
    // The record's start is not on the wire; its range's start stands for it (dead letters,
    // the loss-time neighbours).
    records.push_back({r.from, r.to, r.type, std::string(m->payload())});
  }
  DecodeRecords(records, losses, options_.enricher, now_us, &batch);
  SetDeadLetterRanges(by_from, &batch);
  // Undecodable records before their dead_letter_after-th delivery go back to the bus.
  std::set<BusMessage*> given_back;
  std::erase_if(batch.dead_letters, [&](const DeadLetter& dl) {
    BusMessage* m = by_from[dl.position];
    if (m == nullptr || m->deliveries >= static_cast<uint64_t>(options_.dead_letter_after)) {
      return false;
    }
    given_back.insert(m);
    return true;
  });
  if (!given_back.empty()) {
    std::erase_if(batch.edge_ranges, [&](const EdgeRange& r) {
      BusMessage* m = by_from[r.from];
      return given_back.count(m) > 0;
    });
  }
  if (!held.empty()) held_->Inc(held.size());
  if (held.size() == msgs.size()) {
    for (BusMessage* m : msgs) {
      if (consumer_.Nak(*m, options_.nak_delay).ok()) redeliveries_->Inc();
    }
    return;
  }
  Result<CommitResult> result = CommitWithRetry(batch);
  if (!result.ok() && !Transient(result.status())) {
    // The store refuses the batch. Records delivered dead_letter_after times are kept as dead
    // letters (they may be the cause) so the others go through; the rest are retried later.
    CommitBatch salvage;
    salvage.consumer = batch.consumer;
    salvage.edge = edge;
    std::vector<BusRecord> keep;
    std::vector<BusLoss> keep_losses;
    bool any = false;
    for (BusMessage* m : msgs) {
      if (given_back.count(m) > 0 || held.count(m) > 0) continue;
      const wire::ShippedRecord& r = m->record;
      salvage.edge_ranges.push_back({edge, r.from, r.to, TallyTime(r.type, m->payload())});
      if (r.type == wire::kGapType) {  // a loss never is what the store refuses
        Result<uint64_t> n = wire::ParseGapPayload(m->payload());
        if (n.ok()) {
          keep_losses.push_back({r.from, *n, r.to});
          continue;
        }
      }
      if (m->deliveries >= static_cast<uint64_t>(options_.dead_letter_after)) {
        any = true;
        salvage.dead_letters.push_back(
            {r.from,
             "could not be applied after " + std::to_string(m->deliveries) +
                 " deliveries: " + result.status().message(),
             std::string(m->payload()), DeadLetterTime(r.type, m->payload(), now_us), r.to});
      } else {
        keep.push_back({r.from, r.to, r.type, std::string(m->payload())});
      }
    }
    if (any) {
      DecodeRecords(keep, keep_losses, options_.enricher, now_us, &salvage);
      SetDeadLetterRanges(by_from, &salvage);
      result = CommitWithRetry(salvage);
      if (result.ok()) batch = std::move(salvage);
    }
  }
  if (!result.ok()) {
    for (BusMessage* m : msgs) {
      if (consumer_.Nak(*m, options_.nak_delay).ok()) redeliveries_->Inc();
    }
    return;
  }
  for (BusMessage* m : msgs) {
    if (given_back.count(m) > 0 || held.count(m) > 0) {
      if (consumer_.Nak(*m, options_.nak_delay).ok()) redeliveries_->Inc();
      continue;
    }
    Status s = consumer_.Ack(*m);
    if (!s.ok()) Log().Warn("ack failed (the message will be redelivered): {}", s.ToString());
  }
  ++commits_;
  applied_ += result->applied;
  duplicates_count_ += result->duplicates;
  events_committed_->Inc(result->applied);
  duplicates_->Inc(result->duplicates);
  dead_letters_->Inc(batch.dead_letters.size());
  PublishWatermarks(result->watermarks);
}

void BusTracker::SetDeadLetterRanges(const std::map<uint64_t, BusMessage*>& by_from,
                                     CommitBatch* batch) {
  for (DeadLetter& dl : batch->dead_letters) {
    auto it = by_from.find(dl.position);
    if (it != by_from.end() && it->second != nullptr) dl.range_to = it->second->record.to;
  }
}

void BusTracker::CommitMalformed(std::vector<BusMessage*>& msgs) {
  const int64_t now_us = clock_->NowMicros();
  std::map<std::string, CommitBatch> batches;
  for (BusMessage* m : msgs) {
    const std::string edge = EdgeOfSubject(m->subject);
    CommitBatch& b = batches[edge];
    b.consumer = options_.consumer;
    b.edge = edge;
    b.dead_letters.push_back({0, m->error, std::string(m->payload()), now_us});
  }
  for (auto& [edge, batch] : batches) {
    if (!CommitWithRetry(batch).ok()) {
      // A lost nak or ack only means a redelivery after the ack wait: harmless (event-id dedup).
      for (BusMessage* m : msgs) (void)consumer_.Nak(*m, options_.nak_delay);
      return;
    }
    dead_letters_->Inc(batch.dead_letters.size());
  }
  for (BusMessage* m : msgs) (void)consumer_.Ack(*m);
}

void BusTracker::PublishWatermarks(
    const std::vector<std::pair<std::string, uint64_t>>& watermarks) {
  for (const auto& [edge, w] : watermarks) {
    seen_edges_[edge] = w;
    Status s = consumer_.PublishWatermark(edge, w);
    if (!s.ok()) Log().Warn("{}", s.ToString());
  }
}

void BusTracker::RepublishWatermarks() {
  const auto now = clock_->SteadyNow();
  if (now - last_republish_ < options_.watermark_every) return;
  last_republish_ = now;
  {
    std::lock_guard lock(announced_mu_);
    for (const std::string& edge : announced_) seen_edges_.try_emplace(edge, 0);
    announced_.clear();
  }
  for (auto& [edge, w] : seen_edges_) {
    // Read back: another tracker may have moved it since this one last committed for the edge.
    // Published only when the store answered: silence tells the edges it is down, and they do
    // not re-ship into an outage (shipper.h).
    Result<uint64_t> stored = store_->EdgeWatermark(edge);
    if (!stored.ok()) {
      Log().Warn("not republishing watermarks, the store did not answer: {}",
                 stored.status().ToString());
      return;
    }
    w = std::max(w, *stored);
    Status s = consumer_.PublishWatermark(edge, w);
    if (!s.ok()) Log().Warn("{}", s.ToString());
  }
}

}  // namespace ct
