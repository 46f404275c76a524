#include "journal/writer.h"

#include <algorithm>
#include <vector>

#include "common/log.h"
#include "journal/format.h"
#include "journal/recovery.h"
#include "journal/segment_files.h"

namespace ct::journal {
namespace {

// After a rewrite failed with disk full, how long the sync thread waits before trying again:
// long enough not to spin on a full disk, short enough to catch freed space quickly.
constexpr std::chrono::milliseconds kRewriteRetryDelay{100};

const Logger& Log() {
  static const Logger log("journal");
  return log;
}

}  // namespace

JournalWriter::JournalWriter(const JournalOptions& options, FileEnv* env, MetricsRegistry* metrics,
                             Clock* clock)
    : options_(options), env_(env), clock_(clock), metrics_(metrics) {}

Result<std::unique_ptr<JournalWriter>> JournalWriter::Open(const JournalOptions& options,
                                                           FileEnv* env, MetricsRegistry* metrics,
                                                           Clock* clock) {
  if (options.dir.empty()) return Status::InvalidArgument("journal dir is empty");
  CT_RETURN_IF_ERROR(env->CreateDirs(options.dir));
  std::unique_ptr<JournalWriter> w(new JournalWriter(options, env, metrics, clock));
  auto rec = RecoverJournal(options.dir, env, &w->metrics_);
  if (!rec.ok()) return rec.status().Annotate("recovering journal " + options.dir);
  {
    std::lock_guard l(w->mu_);
    w->next_base_ = rec->next_base;
    // Always a fresh segment: appending to a recovered one would mix our writes with a file
    // whose unsynced tail state we cannot know.
    auto seg = w->CreateSegmentLocked("");
    if (!seg.ok()) return seg.status().Annotate("creating journal segment");
    w->active_ = *seg;
    w->SetDurableLocked(w->WrittenPositionLocked());
    auto bases = ListSegments(env, options.dir);
    if (bases.ok()) w->metrics_.segments->Set(static_cast<double>(bases->size()));
  }
  w->metrics_.failed->Set(0);
  w->sync_thread_ = std::thread([p = w.get()] { p->SyncLoop(); });
  return w;
}

JournalWriter::~JournalWriter() { (void)Close(); }

uint64_t JournalWriter::WrittenPositionLocked() const {
  return active_ ? active_->base + active_->written : next_base_;
}

uint64_t JournalWriter::WrittenPosition() const {
  std::lock_guard l(mu_);
  return WrittenPositionLocked();
}

uint64_t JournalWriter::DurablePosition() const {
  std::lock_guard l(mu_);
  return durable_;
}

Status JournalWriter::health() const {
  std::lock_guard l(mu_);
  return failed_ ? failed_status_ : Status::Ok();
}

void JournalWriter::SetDurableLocked(uint64_t pos) {
  durable_ = std::max(durable_, pos);
  metrics_.durable_position->Set(static_cast<double>(durable_));
  metrics_.written_position->Set(static_cast<double>(WrittenPositionLocked()));
}

void JournalWriter::FailLocked(const Status& s) {
  if (failed_) return;
  failed_ = true;
  failed_status_ = s.Annotate("journal writer failed");
  metrics_.failed->Set(1);
  Log().Error("journal writer fail-stopped, nothing more will be acknowledged: {}", s.ToString());
  cv_.notify_all();
}

Result<JournalWriter::SegmentPtr> JournalWriter::CreateSegmentLocked(std::string_view data) {
  uint64_t base = std::max(next_base_, WrittenPositionLocked());
  // Reserve the positions even if we fail below: a name is never reused, positions only grow.
  next_base_ = base + kSegmentHeaderSize + data.size();
  auto seg = std::make_shared<Segment>();
  seg->base = base;
  seg->path = SegmentPath(options_.dir, base);
  auto f = env_->NewWritableFile(seg->path);
  if (!f.ok()) return f.status();
  seg->file = std::move(*f);
  std::string bytes = SegmentHeader(base);
  bytes.append(data);
  Status s;
  if (options_.preallocate)
    s = seg->file->Allocate(std::max<uint64_t>(options_.segment_bytes, bytes.size()));
  if (s.ok()) s = seg->file->Append(bytes);
  if (s.ok()) s = seg->file->Sync();
  // The new name must be durable too, or a power loss could drop the whole file.
  if (s.ok()) s = env_->SyncDir(options_.dir);
  if (!s.ok()) {
    (void)seg->file->Close();
    (void)env_->Remove(seg->path);  // best effort: its positions are reserved anyway
    return s;
  }
  metrics_.fsyncs->Inc();
  metrics_.segments->Add(1);
  seg->written = bytes.size();
  return seg;
}

Status JournalWriter::RotateLocked() {
  auto seg = CreateSegmentLocked("");
  if (!seg.ok()) {
    Log().Warn("journal rotation failed: {}", seg.status().ToString());
    return seg.status();
  }
  // The old segment is sealed; if it still has unsynced bytes it stays in unsynced_ and the
  // sync thread fsyncs it before any later byte counts as durable.
  active_ = *seg;
  return Status::Ok();
}

Status JournalWriter::RewriteUnsyncedLocked(std::string_view extra) {
  ++epoch_;
  std::string data;
  for (const SegmentPtr& seg : unsynced_) {
    seg->abandoned = true;
    data.append(seg->unsynced);
  }
  data.append(extra);
  if (active_) {
    // The file is closed when the last reference (maybe an in-flight sync) drops.
    active_->abandoned = true;
    next_base_ = std::max(next_base_, active_->base + active_->written + extra.size());
    active_.reset();
  }
  metrics_.rewrites->Inc();
  auto seg = CreateSegmentLocked(data);
  if (!seg.ok()) {
    Log().Error("journal rewrite of {} unsynced bytes failed: {}", data.size(),
                seg.status().ToString());
    return seg.status();
  }
  Log().Warn("journal rewrote {} unsynced bytes into new segment {}", data.size(), (*seg)->path);
  unsynced_.clear();
  active_ = *seg;
  SetDurableLocked(WrittenPositionLocked());
  cv_.notify_all();
  return Status::Ok();
}

Result<uint64_t> JournalWriter::Append(std::string_view framed) {
  std::lock_guard l(mu_);
  if (failed_) return failed_status_;
  if (closed_ || stopping_) return Status::FailedPrecondition("journal writer is closed");
  if (framed.empty()) return WrittenPositionLocked();
  if (active_ == nullptr) {
    // A previous failure left no healthy file: this batch goes with the pending bytes.
    Status s = RewriteUnsyncedLocked(framed);
    if (!s.ok()) {
      if (s.code() != StatusCode::kResourceExhausted) FailLocked(s);
      return s;
    }
  } else {
    if (active_->written > kSegmentHeaderSize &&
        active_->written + framed.size() > options_.segment_bytes) {
      CT_RETURN_IF_ERROR(RotateLocked());
    }
    Status s = active_->file->Append(framed);
    if (!s.ok()) {
      metrics_.write_errors->Inc();
      Log().Warn("journal write to {} failed: {}", active_->path, s.ToString());
      // Part of the batch may be in the file: abandon it, never write after a hole.
      Status r = RewriteUnsyncedLocked(framed);
      if (!r.ok()) {
        if (r.code() != StatusCode::kResourceExhausted) FailLocked(r);
        return r;
      }
    } else {
      if (unsynced_.empty()) first_unsynced_at_ = clock_->SteadyNow();
      if (unsynced_.empty() || unsynced_.back() != active_) unsynced_.push_back(active_);
      active_->written += framed.size();
      active_->unsynced.append(framed);
      if (unsynced_.size() == 1 && active_->unsynced.size() == framed.size()) cv_.notify_all();
    }
  }
  metrics_.appended_bytes->Inc(framed.size());
  metrics_.appended_records->Inc();
  metrics_.written_position->Set(static_cast<double>(WrittenPositionLocked()));
  return WrittenPositionLocked();
}

void JournalWriter::WhenDurable(uint64_t position, std::function<void(const Status&)> done) {
  AddWaiter(position, std::move(done), /*urgent=*/true);
}

void JournalWriter::WhenDurableLazily(uint64_t position, std::function<void(const Status&)> done) {
  AddWaiter(position, std::move(done), /*urgent=*/false);
}

void JournalWriter::AddWaiter(uint64_t position, std::function<void(const Status&)> done,
                              bool urgent) {
  std::unique_lock l(mu_);
  if (position <= durable_) {
    l.unlock();
    done(Status::Ok());
    return;
  }
  if (failed_ || closed_) {
    Status s = failed_ ? failed_status_ : Status::FailedPrecondition("journal writer is closed");
    l.unlock();
    done(s);
    return;
  }
  waiters_.emplace(position, Waiter{std::move(done), urgent});
  if (urgent && ++urgent_waiters_ == 1) cv_.notify_all();  // end the commit delay now
}

void JournalWriter::FireReadyWaiters(std::unique_lock<std::mutex>& lock) {
  std::vector<std::pair<std::function<void(const Status&)>, Status>> ready;
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (it->first <= durable_) {
      ready.emplace_back(std::move(it->second.done), Status::Ok());
    } else if (failed_ || closed_) {
      ready.emplace_back(std::move(it->second.done),
                         failed_ ? failed_status_ : Status::IoError("journal closed before fsync"));
    } else {
      break;  // ordered by position: nothing later is decided
    }
    if (it->second.urgent) --urgent_waiters_;
    it = waiters_.erase(it);
  }
  if (ready.empty()) return;
  lock.unlock();
  for (auto& [cb, s] : ready) cb(s);
  lock.lock();
}

void JournalWriter::SyncOnce(std::unique_lock<std::mutex>& lock) {
  std::vector<std::pair<SegmentPtr, size_t>> batch;
  for (const SegmentPtr& seg : unsynced_) batch.emplace_back(seg, seg->unsynced.size());
  const SegmentPtr& last = batch.back().first;
  const uint64_t target = last->base + last->written;
  const uint64_t epoch = epoch_;
  lock.unlock();
  // fdatasync without the append mutex: a slow disk must not stall the edge's appends. The
  // shared_ptrs keep each file open even if a rotation or rewrite drops it meanwhile.
  Status s;
  std::string failed_path;
  for (auto& [seg, n] : batch) {
    auto t0 = clock_->SteadyNow();
    s = seg->file->Sync();
    std::chrono::duration<double> took = clock_->SteadyNow() - t0;
    metrics_.fsync_seconds->Observe(took.count());
    if (!s.ok()) {
      failed_path = seg->path;
      break;
    }
  }
  lock.lock();
  if (epoch != epoch_) return;  // a rewrite replaced these files; its own fsync decided
  if (!s.ok()) {
    metrics_.fsync_errors->Inc();
    Log().Error(
        "journal fdatasync of {} failed: {}; abandoning the file and rewriting its "
        "unsynced bytes to a new segment",
        failed_path, s.ToString());
    // Never fsync this file again: after a failed writeback the kernel may have marked the
    // pages clean, so a retry could report success with the data gone (fsyncgate).
    Status r = RewriteUnsyncedLocked("");
    if (!r.ok() && r.code() != StatusCode::kResourceExhausted) FailLocked(r);
    return;
  }
  metrics_.fsyncs->Inc(batch.size());
  for (auto& [seg, n] : batch) seg->unsynced.erase(0, n);
  std::erase_if(unsynced_, [](const SegmentPtr& seg) { return seg->unsynced.empty(); });
  if (unsynced_.empty()) {
    SetDurableLocked(WrittenPositionLocked());
  } else {
    SetDurableLocked(target);
    // Bytes appended during the fsync: their commit delay starts now.
    first_unsynced_at_ = clock_->SteadyNow();
  }
}

void JournalWriter::SyncLoop() {
  std::unique_lock l(mu_);
  while (true) {
    FireReadyWaiters(l);
    if (failed_) {
      if (stopping_) break;
      cv_.wait(l);
      continue;
    }
    if (unsynced_.empty()) {
      if (stopping_) break;
      cv_.wait(l);
      continue;
    }
    if (active_ == nullptr) {
      // A rewrite failed with disk full earlier: try again, the pending bytes are in memory.
      Status r = RewriteUnsyncedLocked("");
      if (!r.ok()) {
        if (stopping_ || r.code() != StatusCode::kResourceExhausted) {
          FailLocked(r);
        } else {
          cv_.wait_for(l, kRewriteRetryDelay);
        }
      }
      continue;
    }
    // Group commit: wait out the delay so one fsync covers many appends — unless an answer is
    // waiting on this fsync (strict mode), when batching comes from the fsync itself instead.
    if (!stopping_ && urgent_waiters_ == 0) {
      auto deadline = first_unsynced_at_ + options_.commit_delay;
      auto now = clock_->SteadyNow();
      if (now < deadline && cv_.wait_for(l, deadline - now) == std::cv_status::no_timeout) {
        continue;  // woken early (another append, Close): re-evaluate
      }
    }
    SyncOnce(l);
  }
  FireReadyWaiters(l);
}

Status JournalWriter::ReleaseUpTo(uint64_t position) {
  std::lock_guard l(mu_);
  auto bases = ListSegments(env_, options_.dir);
  if (!bases.ok()) return bases.status();
  int removed = 0;
  // Segment i holds positions in [base_i, base_{i+1}); the last listed one is never released.
  for (size_t i = 0; i + 1 < bases->size(); ++i) {
    uint64_t base = (*bases)[i];
    if ((*bases)[i + 1] > position) break;
    if (active_ && active_->base == base) break;
    bool pending = std::any_of(unsynced_.begin(), unsynced_.end(),
                               [&](const SegmentPtr& s) { return s->base == base; });
    if (pending) break;
    Status s = env_->Remove(SegmentPath(options_.dir, base));
    if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
    ++removed;
  }
  if (removed > 0) {
    metrics_.segments->Set(static_cast<double>(bases->size() - removed));
    // Not needed for safety (a resurrected segment is below the committed offset and is
    // skipped), but keeps the directory listing honest after a power loss.
    CT_RETURN_IF_ERROR(env_->SyncDir(options_.dir));
  }
  return Status::Ok();
}

Status JournalWriter::Close() {
  {
    std::lock_guard l(mu_);
    if (closed_) return close_status_;
    stopping_ = true;
    cv_.notify_all();
  }
  // The sync thread drains: it fsyncs what is pending without waiting for the commit delay.
  if (sync_thread_.joinable()) sync_thread_.join();
  std::unique_lock l(mu_);
  closed_ = true;
  if (active_) {
    Status s = active_->file->Close();
    if (!s.ok() && !failed_) close_status_ = s;
  }
  if (failed_) close_status_ = failed_status_;
  FireReadyWaiters(l);
  return close_status_;
}

}  // namespace ct::journal
