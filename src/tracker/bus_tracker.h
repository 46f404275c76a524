// BusTracker: distributed mode's tracker. It fetches batches from the shared durable JetStream
// consumer (bus/jetstream_consumer.h), groups the messages by edge, decodes and enriches them
// exactly as the embedded tracker does (record_decoder.h) and commits each edge's group in one
// store transaction with the journal ranges it covers (CommitBatch::edge_ranges). Only after
// the commit returned OK are the group's messages acked; on failure they are nak'ed (or left to
// the ack wait) and redelivered, to this tracker or another, which is harmless: the store
// dedups on event ids. After each commit it publishes the edges' committed_below
// (CommitResult::watermarks) on ct.watermark.<edge>, and every 2 s republishes those of every
// edge it has seen or heard announce itself (ct.edges), read back from the store; when the
// store does not answer it republishes nothing (edges then hold their re-ships, shipper.h).
//
// Records that do not decode are nak'ed (a newer tracker may know their format) until their
// dead_letter_after-th delivery, then committed as dead letters in the commit that moves on.
// The store's consumer position (CommitBatch::from/to_position) is not used: several trackers
// commit in any order, so each commit passes 0 -> 0 under `consumer`; the ranges carry order.
//
// Threading: Start() runs one thread; Stop() from any other.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bus/jetstream_consumer.h"
#include "common/clock.h"
#include "enrich/enricher.h"
#include "monitor/metrics.h"
#include "store/store.h"
#include "tracker/conversion_hold.h"

namespace ct {

struct BusTrackerOptions {
  std::string consumer = "nats";  // the store's consumer row (dead letters name it)
  int batch_max = 2000;           // messages per fetch
  std::chrono::milliseconds fetch_wait{200};
  int dead_letter_after = 5;  // deliveries of an undecodable or unappliable record
  std::chrono::milliseconds nak_delay{1000};
  std::chrono::milliseconds watermark_every{2000};
  std::chrono::milliseconds retry_min{100};
  std::chrono::milliseconds retry_max{5000};
  int nice = 0;
  // Called with the count when consecutive commit failures reach rebuild_after, and at every
  // further multiple: the owner rebuilds the store client (as tracker.h).
  std::function<void(int consecutive)> on_repeated_failures;
  int rebuild_after = 5;
  enrich::Enricher enricher{enrich::EnrichSources{}};
  // Conversions that overtook their click wait for it (tracker/conversion_hold.h).
  ConversionHoldOptions conversion_hold;
};

class BusTracker {
 public:
  BusTracker(BusTrackerOptions options, NatsOptions nats, ConsumerOptions consumer, Store* store,
             MetricsRegistry* metrics, Clock* clock);
  ~BusTracker();

  Status Start();
  // Stops after the group in hand is committed (or given back). Idempotent.
  void Stop();

  uint64_t events_committed() const { return applied_.load(); }
  uint64_t duplicates() const { return duplicates_count_.load(); }
  uint64_t commits() const { return commits_.load(); }
  // Commits that failed in a row (0 after a success): the tracker stage of the role's /status.
  int ConsecutiveCommitFailures() const { return consecutive_failures_.load(); }

 private:
  void Run();
  // Commits one edge's messages; acks them on success, naks them otherwise.
  void CommitGroup(const std::string& edge, std::vector<BusMessage*>& msgs);
  // Gives each dead letter its message's journal range, so the store keeps and counts it once
  // per range (a re-shipped or redelivered copy changes nothing).
  static void SetDeadLetterRanges(const std::map<uint64_t, BusMessage*>& by_from,
                                  CommitBatch* batch);
  // Commits the malformed messages (no usable headers) as dead letters, then acks them.
  void CommitMalformed(std::vector<BusMessage*>& msgs);
  // Store::Commit with retries while the error is transient, for at most half the ack wait.
  Result<CommitResult> CommitWithRetry(const CommitBatch& batch);
  void PublishWatermarks(const std::vector<std::pair<std::string, uint64_t>>& watermarks);
  void RepublishWatermarks();
  void SleepFor(std::chrono::milliseconds d);

  const BusTrackerOptions options_;
  const ConsumerOptions consumer_options_;
  JetStreamConsumer consumer_;
  Store* const store_;
  Clock* const clock_;
  ConversionHold hold_;                         // thread-only
  std::map<std::string, uint64_t> seen_edges_;  // thread-only: edge -> last watermark sent
  std::mutex announced_mu_;
  std::set<std::string> announced_;  // edges heard on ct.edges, not yet in seen_edges_
  std::chrono::steady_clock::time_point last_republish_{};
  std::atomic<int> consecutive_failures_{0};

  std::atomic<uint64_t> applied_{0};
  std::atomic<uint64_t> duplicates_count_{0};
  std::atomic<uint64_t> commits_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;

  Counter* events_committed_;
  Counter* duplicates_;
  Counter* dead_letters_;
  Counter* commit_errors_;
  Counter* redeliveries_;
  Counter* held_;
  Histogram* commit_seconds_;
};

}  // namespace ct
