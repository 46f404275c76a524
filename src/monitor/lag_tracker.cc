#include "monitor/lag_tracker.h"

#include <algorithm>

namespace ct {

LagTracker::LagTracker(MetricsRegistry* metrics, Clock* clock)
    : clock_(clock),
      oldest_unconsumed_seconds_(metrics->AddGauge(
          "clicktrail_pipeline_oldest_unconsumed_seconds",
          "Age of the oldest click appended to the journal and not yet committed by the "
          "tracker (0 when caught up).")),
      backlog_bytes_(metrics->AddGauge("clicktrail_journal_backlog_bytes",
                                       "Journal bytes appended and not yet committed.")),
      backlog_records_(metrics->AddGauge(
          "clicktrail_journal_backlog_records",
          "Journal records appended and not yet committed (a backlog inherited from before a "
          "restart is estimated from its bytes).")) {}

void LagTracker::Seed(uint64_t written, uint64_t committed, int64_t backlog_min_event_us) {
  std::lock_guard lock(mu_);
  committed_ = std::max(committed_, committed);
  if (written > written_) {
    written_ = written;
    // The previous run's backlog has no append times: it is "appended" now, at start-up.
    if (written > committed_) appended_records_ += (written - committed_) / kTypicalRecordBytes;
    samples_.push_back({written, appended_records_, clock_->SteadyNow(), backlog_min_event_us});
  }
  DropConsumedLocked();
  SetGaugesLocked();
}

void LagTracker::BeginAppend(int64_t min_event_us) {
  if (min_event_us == kNoEventTime) return;
  std::lock_guard lock(mu_);
  appending_.insert(min_event_us);
}

void LagTracker::EndAppend(int64_t min_event_us) {
  if (min_event_us == kNoEventTime) return;
  std::lock_guard lock(mu_);
  if (auto it = appending_.find(min_event_us); it != appending_.end()) appending_.erase(it);
}

void LagTracker::OnAppended(uint64_t end_position, uint64_t records, int64_t min_event_us) {
  const auto now = clock_->SteadyNow();
  std::lock_guard lock(mu_);
  appended_records_ += records;
  // Appends from several edge threads may report out of order; positions only grow (the
  // records still count, in the newest sample). Their event time goes to the newest sample
  // too: it is committed no earlier than theirs, so the bound stays early. No sample left means
  // the tracker committed past them already.
  if (end_position <= written_) {
    if (!samples_.empty()) {
      samples_.back().records = appended_records_;
      samples_.back().min_event_us = std::min(samples_.back().min_event_us, min_event_us);
    }
    SetGaugesLocked();
    return;
  }
  written_ = end_position;
  if (!samples_.empty() && now - samples_.back().time < coalesce_) {
    // Same time slot: the slot's bytes are as old as its first append.
    samples_.back().end = end_position;
    samples_.back().records = appended_records_;
    samples_.back().min_event_us = std::min(samples_.back().min_event_us, min_event_us);
  } else {
    if (samples_.size() >= kMaxSamples) HalveLocked();
    samples_.push_back({end_position, appended_records_, now, min_event_us});
  }
  SetGaugesLocked();
}

void LagTracker::OnCommitted(uint64_t position) {
  std::lock_guard lock(mu_);
  if (position <= committed_) return;
  committed_ = position;
  // A commit past every append seen (a backlog Seed() was not told of) is nothing pending.
  written_ = std::max(written_, committed_);
  DropConsumedLocked();
  SetGaugesLocked();
}

double LagTracker::OldestUnconsumedAgeSeconds() const {
  std::lock_guard lock(mu_);
  return AgeLocked();
}

int64_t LagTracker::OldestPendingEventMicros() const {
  std::lock_guard lock(mu_);
  int64_t oldest = appending_.empty() ? kNoEventTime : *appending_.begin();
  // At most kMaxSamples entries, and only on a report request: a scan is cheap enough, and
  // event times are not ordered by position across edge threads.
  for (const Sample& s : samples_) oldest = std::min(oldest, s.min_event_us);
  return oldest;
}

uint64_t LagTracker::BacklogRecords() const {
  std::lock_guard lock(mu_);
  return appended_records_ - committed_records_;
}

uint64_t LagTracker::BacklogBytes() const {
  std::lock_guard lock(mu_);
  return written_ > committed_ ? written_ - committed_ : 0;
}

void LagTracker::Refresh() const {
  std::lock_guard lock(mu_);
  SetGaugesLocked();
}

size_t LagTracker::SampleCount() const {
  std::lock_guard lock(mu_);
  return samples_.size();
}

void LagTracker::DropConsumedLocked() {
  // A sample whose every byte is below the committed position says nothing about what is
  // pending.
  while (!samples_.empty() && samples_.front().end <= committed_) {
    committed_records_ = std::max(committed_records_, samples_.front().records);
    samples_.pop_front();
  }
  if (committed_ >= written_) committed_records_ = appended_records_;  // caught up: exact
  // Caught up (or nearly): back to fine resolution for what comes next.
  if (samples_.size() < kMaxSamples / 8)
    coalesce_ = std::max<std::chrono::nanoseconds>(kCoalesce, coalesce_ / 2);
}

void LagTracker::HalveLocked() {
  // Merge neighbours pairwise: the pair keeps the older time and the later end, so every byte
  // keeps an append time no later than its real one (the age errs high, never low). New samples
  // then coalesce over twice the time, so old and new entries keep the same resolution (merging
  // only the old ones would make the oldest entry swallow the whole backlog). Only reached with
  // ~40 s of uncommitted backlog under steady traffic.
  size_t out = 0;
  for (size_t i = 0; i < samples_.size(); i += 2) {
    Sample merged = samples_[i];
    if (i + 1 < samples_.size()) {
      merged.end = samples_[i + 1].end;
      merged.records = samples_[i + 1].records;
      merged.min_event_us = std::min(merged.min_event_us, samples_[i + 1].min_event_us);
    }
    samples_[out++] = merged;
  }
  samples_.resize(out);
  coalesce_ *= 2;
}

double LagTracker::AgeLocked() const {
  if (written_ <= committed_ || samples_.empty()) return 0;
  // DropConsumedLocked keeps the front above `committed_`: it holds the oldest pending byte.
  const auto age = clock_->SteadyNow() - samples_.front().time;
  return std::max(0.0, std::chrono::duration<double>(age).count());
}

void LagTracker::SetGaugesLocked() const {
  oldest_unconsumed_seconds_->Set(AgeLocked());
  backlog_bytes_->Set(static_cast<double>(written_ > committed_ ? written_ - committed_ : 0));
  backlog_records_->Set(static_cast<double>(appended_records_ - committed_records_));
}

}  // namespace ct
