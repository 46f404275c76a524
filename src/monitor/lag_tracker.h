// LagTracker: how far the consumer (the tracker) is behind the producer (the edge's journal
// appends), in bytes and in age. Promise 4 of DESIGN.md ("lag is seen") and the pipeline_lag
// alarm of RELIABILITY.md §6 read it.
//
// Model: each Append records (journal end position after the append, steady time). The oldest
// appended-but-uncommitted byte is the first byte past the committed position; its age is the
// age of the first sample whose end position is above the committed one. Samples are coalesced
// (one per kCoalesce of steady time) and those wholly below the committed position are dropped,
// so the age is exact to within kCoalesce and memory stays bounded: past kMaxSamples,
// neighbouring samples are merged (keeping the older time: the age never reads low) and the
// coalescing window doubles, so a long backlog is tracked at a coarser but uniform resolution
// (about backlog duration / 2048); the window shrinks back as the backlog drains.
//
// Restart: bytes left in the journal by a previous run have no append time. Seed() records
// them as appended at the moment it is called (process start), so their age counts from then.
//
// Event time (for complete_until, monitor/completeness.h): each sample also keeps the smallest
// event time (the edge's stamp) of the records it covers, and appends in progress are held
// apart (BeginAppend/EndAppend) while their write runs, so OldestPendingEventMicros() is a lower
// bound on the event time of every record that is journaled, or being journaled, and not yet
// committed. A seeded backlog gets the lower bound the caller passes to Seed().
//
// Exports the gauges clicktrail_pipeline_oldest_unconsumed_seconds and
// clicktrail_journal_backlog_bytes, set on every call and by Refresh() (call it periodically so
// the age keeps growing on /metrics while nothing moves).
//
// Thread safety: every method may be called from any thread. `metrics` and `clock` must outlive
// the tracker.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <set>

#include "common/clock.h"
#include "monitor/metrics.h"

namespace ct {

class LagTracker {
 public:
  // Samples closer than this in steady time share one entry (the edge appends many times a
  // millisecond; the alarm thresholds are seconds).
  static constexpr std::chrono::milliseconds kCoalesce{10};
  // 4096 samples of 16 bytes: 64 KiB, and ~40 s of backlog at full resolution.
  static constexpr size_t kMaxSamples = 4096;

  LagTracker(MetricsRegistry* metrics, Clock* clock);
  LagTracker(const LagTracker&) = delete;
  LagTracker& operator=(const LagTracker&) = delete;

  // A typical framed click record, to estimate the records of a backlog inherited from before a
  // restart (its bytes are known exactly, its record count is not until it is read).
  static constexpr uint64_t kTypicalRecordBytes = 200;
  // "No event in it": an append of records that carry no event time.
  static constexpr int64_t kNoEventTime = INT64_MAX;

  // At start-up: the journal already ends at `written` and the consumer has committed up to
  // `committed`; whatever lies between is aged from now. `backlog_min_event_us` is a lower
  // bound on the event times of that backlog (0, the epoch, when unknown: nothing is complete
  // until it is committed).
  void Seed(uint64_t written, uint64_t committed, int64_t backlog_min_event_us = 0);
  // Around an Append whose records' smallest event time is `min_event_us`: from BeginAppend
  // until EndAppend the records count as pending (the write may block on a slow disk).
  void BeginAppend(int64_t min_event_us);
  void EndAppend(int64_t min_event_us);
  // After an Append of `records` records returned: the journal now ends at `end_position`.
  // `min_event_us`: the smallest event time among them (kNoEventTime: none carries one).
  void OnAppended(uint64_t end_position, uint64_t records = 1, int64_t min_event_us = kNoEventTime);
  // After a commit: everything before `position` is consumed for good.
  void OnCommitted(uint64_t position);

  // Age of the oldest appended but uncommitted byte; 0 when nothing is pending.
  double OldestUnconsumedAgeSeconds() const;
  // The smallest event time of a record appended (or being appended) and not yet committed;
  // kNoEventTime when nothing is pending. Coalescing and merging keep the minimum, so it errs
  // early, never late.
  int64_t OldestPendingEventMicros() const;
  // Bytes appended and not yet committed.
  uint64_t BacklogBytes() const;
  // Records appended and not yet committed. Exact for what this process appended; a backlog
  // inherited from before a restart is estimated at kTypicalRecordBytes per record. A commit
  // inside a coalesced sample counts that sample as still pending (errs high, never low).
  uint64_t BacklogRecords() const;
  // Re-computes the gauges (the age grows with time alone).
  void Refresh() const;
  // For tests: entries held now (bounded by kMaxSamples).
  size_t SampleCount() const;

 private:
  struct Sample {
    uint64_t end = 0;                            // journal position after the appends
    uint64_t records = 0;                        // records appended up to `end`, cumulative
    std::chrono::steady_clock::time_point time;  // steady time of the first of them
    int64_t min_event_us = kNoEventTime;         // smallest event time of the records in it
  };

  void DropConsumedLocked();
  void HalveLocked();
  double AgeLocked() const;
  void SetGaugesLocked() const;

  Clock* const clock_;
  Gauge* const oldest_unconsumed_seconds_;
  Gauge* const backlog_bytes_;
  Gauge* const backlog_records_;

  mutable std::mutex mu_;
  std::deque<Sample> samples_;                    // increasing `end`, non-decreasing `time`
  std::chrono::nanoseconds coalesce_{kCoalesce};  // grows while the backlog is long
  uint64_t written_ = 0;
  uint64_t committed_ = 0;
  uint64_t appended_records_ = 0;     // cumulative, including the Seed() estimate
  uint64_t committed_records_ = 0;    // cumulative records at the last sample fully committed
  std::multiset<int64_t> appending_;  // min event times of the appends being written now
};

}  // namespace ct
