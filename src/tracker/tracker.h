// Tracker: consumes events from the bus and commits them to the store, batch by batch: raw
// hits, rollups, the reconciliation counts (the edges' tallies, and what this commit applied,
// found duplicate, dead-lettered or lost per event hour) and the new consumer position in ONE
// transaction (Store::Commit). A crash at
// any point therefore neither loses nor double-counts an event: the position moves with the
// counts, and a re-fetched event whose id is already committed changes nothing.
//
// Threading: Start() runs one consumer thread; the other methods may be called from any thread.
// When the store fails, the tracker keeps the batch, backs off (100 ms doubling to 5 s) and
// retries; the bus (the journal) keeps absorbing events meanwhile. A store that keeps failing
// is reported through on_repeated_failures so the caller can tear the client down and rebuild
// it (DESIGN.md promise 4) rather than trust it.
//
// Hooks (TrackerOptions::on_commit, on_repeated_failures) run on the consumer thread: they must
// be quick-ish and must not call back into the tracker.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "bus/bus.h"
#include "common/clock.h"
#include "enrich/enricher.h"
#include "monitor/metrics.h"
#include "store/store.h"

namespace ct {

struct TrackerOptions {
  std::string consumer = "journal";  // the store row that holds this consumer's position
  // The edge whose journal this consumer reads (edge.id): the reconciliation rows its commits
  // count in. Tally records carry their own edge id.
  std::string edge_id = "local";
  // Nice value of the tracker thread. Redirects come first (DESIGN promise 1): when the edge
  // and the tracker compete for a core, the tracker yields, and the journal absorbs the
  // difference until the edge's load drops (pipeline_lag alarms if it never does).
  int nice = 10;
  size_t batch_max = 20000;  // events per transaction (bigger: faster catch-up, longer locks)
  std::chrono::milliseconds fetch_wait{50};
  std::chrono::milliseconds retry_min{100};
  std::chrono::milliseconds retry_max{5000};
  // After each successful commit: the new committed position and the event time (wall µs) of
  // the newest event in the batch (0 if it held none). Serve feeds the LagTracker with it.
  std::function<void(uint64_t committed_position, int64_t newest_event_us)> on_commit;
  // Called with the count when consecutive commit failures reach rebuild_after, and again at
  // every further multiple (2x, 3x, ...) while they go on. Serve rebuilds the store client.
  std::function<void(int consecutive)> on_repeated_failures;
  // After a commit that wrote outbox rows (CommitResult::deliveries > 0): serve wakes the
  // notifier with it, so a postback leaves right after its event commits.
  std::function<void(uint64_t deliveries)> on_deliveries;
  int rebuild_after = 5;
  // Country, device, os, browser, referrer, language and bot of each hit. Its sources are
  // shared read-only (serve hands the edge the same GeoDb); with none loaded (the default) only
  // the referrer, language and the bot heuristics that need no data are filled in.
  enrich::Enricher enricher{enrich::EnrichSources{}};
};

class Tracker {
 public:
  Tracker(TrackerOptions options, Bus* bus, Store* store, MetricsRegistry* metrics, Clock* clock);
  ~Tracker();

  // Reads the committed position from the store and starts consuming.
  Status Start();
  // Stops after the batch in hand is committed (or abandoned, if the store is down; it is
  // re-read on the next start). Idempotent.
  void Stop();
  // Blocks until everything before `position` is committed, or `timeout` passes.
  bool WaitCommitted(uint64_t position, std::chrono::milliseconds timeout);
  uint64_t CommittedPosition() const { return committed_.load(); }
  // For a clean stop: blocks until the bus is readable up to `position` and a fetch found
  // nothing left to commit, or `timeout` passes (false).
  bool Drain(uint64_t position, std::chrono::milliseconds timeout);

  // Figures for health and alarms; cheap, callable from any thread.
  // Events committed per second, averaged over the last kRateWindowSeconds whole seconds
  // (decays to 0 when nothing is committed).
  double EventsPerSecond() const;
  // Store commits that failed in a row; 0 after a success.
  int ConsecutiveCommitFailures() const { return consecutive_failures_.load(); }
  // Steady seconds since the last successful commit (since Start() if none yet).
  double SecondsSinceLastCommit() const;

  static constexpr int kRateWindowSeconds = 10;

 private:
  void Run();
  // Decodes and commits one batch; retries until it commits or the tracker is stopping.
  bool CommitWithRetry(const BusBatch& fetched);
  void SleepFor(std::chrono::milliseconds d);
  // Adds `n` committed events to the current second's slot and refreshes the rate gauge.
  void RecordRate(uint64_t n);
  int64_t SteadySecond() const;
  void OnCommitFailed();

  TrackerOptions options_;
  Bus* bus_;
  Store* store_;
  Clock* clock_;

  Counter* events_committed_;
  Counter* duplicates_;
  Counter* dead_letters_;
  Counter* commit_errors_;
  Counter* cas_conflicts_;
  Histogram* commit_seconds_;
  Gauge* committed_position_;
  Gauge* last_event_age_seconds_;
  Gauge* events_per_second_;
  Gauge* consecutive_failures_gauge_;

  // Committed events per steady second, a ring indexed by second % size; a slot whose second
  // is not the one asked for is stale (counts 0).
  struct RateSlot {
    int64_t second = -1;
    uint64_t events = 0;
  };
  mutable std::mutex rate_mu_;
  std::array<RateSlot, kRateWindowSeconds + 1> rate_{};
  std::atomic<int> consecutive_failures_{0};
  std::atomic<int64_t> last_commit_steady_us_{0};

  std::atomic<uint64_t> committed_{0};
  // Where Ack may release the bus up to: the position of the newest tally record committed
  // (UINT64_MAX until one is). The edge's crash recovery counts the events after the last
  // tally in the journal (journal/tally_recovery.h), so that tally's segment, and everything
  // after it, must stay on disk until a newer tally is committed.
  uint64_t release_limit_ = UINT64_MAX;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> drain_target_{UINT64_MAX};  // UINT64_MAX: no drain asked
  std::atomic<bool> drained_{false};
  std::mutex mu_;
  std::condition_variable cv_;  // signals commits and stop
  std::thread thread_;
};

}  // namespace ct
