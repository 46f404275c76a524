// JournalWriter: the durable journal the edge appends to before it answers (EventSink).
//
// Durability: Append() puts the bytes in the page cache (they survive kill -9); a group-commit
// thread fdatasyncs at most commit_delay after the first unsynced write, then advances
// DurablePosition() and fires WhenDurable callbacks in position order.
//
// fsync failure (fsyncgate): a failed fdatasync is never retried on the same file. The file is
// abandoned, every byte written since the last good fsync (kept in memory) is rewritten to a
// NEW segment at higher positions, and that segment and the directory are fsynced. Records
// rewritten this way may also survive in the abandoned file: readers then see them twice, and
// the tracker drops the second copy by event id. If the rewrite fails too (other than disk
// full), the writer fail-stops: every waiter and every later Append gets the error, the gauge
// clicktrail_journal_failed is 1, and an error is logged. A failed or short write is handled
// the same way; disk full (kResourceExhausted) is returned but does not fail-stop the writer.
//
// Thread safety: all methods are thread-safe. Callbacks run on the sync thread (or inline in
// WhenDurable when already decided) and must not call back into the writer.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "common/clock.h"
#include "common/status.h"
#include "journal/event_sink.h"
#include "journal/file_env.h"
#include "journal/journal_metrics.h"
#include "journal/options.h"

namespace ct::journal {

class JournalWriter : public EventSink {
 public:
  // Creates `options.dir` if needed, recovers the last segment (recovery.h), and starts a fresh
  // segment above every existing position (an old segment is never appended to). `env`,
  // `metrics` and `clock` must outlive the writer.
  static Result<std::unique_ptr<JournalWriter>> Open(const JournalOptions& options, FileEnv* env,
                                                     MetricsRegistry* metrics, Clock* clock);
  ~JournalWriter() override;  // Close()

  Result<uint64_t> Append(std::string_view framed) override;
  // The edge's strict mode waits here for each answer, so a waiter cuts the group-commit delay
  // short: the sync thread fsyncs at once (what arrives during that fsync forms the next group).
  void WhenDurable(uint64_t position, std::function<void(const Status&)> done) override;
  // The same, but it does not hurry the group commit: for readers that only want to wake up
  // when more is durable (the in-process bus).
  void WhenDurableLazily(uint64_t position, std::function<void(const Status&)> done);
  uint64_t DurablePosition() const override;
  // The position just past the last appended byte.
  uint64_t WrittenPosition() const;
  // OK while healthy; the error that fail-stopped the writer otherwise.
  Status health() const;

  // Deletes sealed segments whose every position is below `position` (a segment ends where the
  // next one begins). Never the active segment nor one with unsynced bytes. The caller
  // guarantees `position` is itself durable elsewhere (the tracker's committed offset).
  // Already-missing files are fine.
  [[nodiscard]] Status ReleaseUpTo(uint64_t position);

  // Fsyncs what was written, stops the sync thread, fires the remaining waiters (with an error
  // if their bytes could not be made durable). Idempotent.
  [[nodiscard]] Status Close();

 private:
  struct Segment {
    uint64_t base = 0;
    std::string path;
    std::unique_ptr<WritableFile> file;
    uint64_t written = 0;    // file offset of the end of our data
    std::string unsynced;    // bytes written since the last successful fsync of this file
    bool abandoned = false;  // an I/O error hit it: never written or synced again
  };
  using SegmentPtr = std::shared_ptr<Segment>;

  JournalWriter(const JournalOptions& options, FileEnv* env, MetricsRegistry* metrics,
                Clock* clock);

  Result<SegmentPtr> CreateSegmentLocked(std::string_view data);
  Status RotateLocked();
  Status RewriteUnsyncedLocked(std::string_view extra);
  void FailLocked(const Status& s);
  uint64_t WrittenPositionLocked() const;
  void SetDurableLocked(uint64_t pos);
  void SyncLoop();
  // Fires the decided waiters, with the lock released around the callbacks.
  void FireReadyWaiters(std::unique_lock<std::mutex>& lock);
  // One group commit: fdatasync every segment with unsynced bytes, outside the lock.
  void SyncOnce(std::unique_lock<std::mutex>& lock);

  const JournalOptions options_;
  FileEnv* const env_;
  Clock* const clock_;
  JournalMetrics metrics_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  SegmentPtr active_;                // null after a failed rewrite
  std::deque<SegmentPtr> unsynced_;  // segments holding unsynced bytes, in position order
  std::chrono::steady_clock::time_point first_unsynced_at_;
  uint64_t next_base_ = 0;  // no new segment may start below this
  uint64_t durable_ = 0;
  uint64_t epoch_ = 0;  // bumped by each rewrite: in-flight syncs are then moot
  struct Waiter {
    std::function<void(const Status&)> done;
    bool urgent = false;  // from WhenDurable: skip the commit delay
  };
  void AddWaiter(uint64_t position, std::function<void(const Status&)> done, bool urgent);
  std::multimap<uint64_t, Waiter> waiters_;
  size_t urgent_waiters_ = 0;
  bool failed_ = false;
  Status failed_status_;
  bool stopping_ = false;
  bool closed_ = false;
  Status close_status_;
  std::thread sync_thread_;
};

}  // namespace ct::journal
