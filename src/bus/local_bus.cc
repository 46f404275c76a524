#include "bus/local_bus.h"

namespace ct {

LocalBus::LocalBus(journal::JournalWriter* writer, journal::JournalReader* reader)
    : writer_(writer), reader_(reader) {}

uint64_t LocalBus::EndPosition() const { return writer_->DurablePosition(); }

Status LocalBus::Ack(uint64_t position) { return writer_->ReleaseUpTo(position); }

Result<BusBatch> LocalBus::Fetch(uint64_t from, size_t max_records,
                                 std::chrono::milliseconds wait) {
  if (reader_->position() != from) reader_->Seek(from);
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    uint64_t limit = writer_->DurablePosition();
    auto batch = reader_->Next(limit, max_records, kMaxBatchBytes);
    if (!batch.ok()) return batch.status();
    if (!batch->records.empty() || batch->next_position != from ||
        std::chrono::steady_clock::now() >= deadline) {
      BusBatch out;
      out.next_position = batch->next_position;
      for (const auto& l : batch->losses) out.losses.push_back({l.position, l.records});
      out.records.reserve(batch->records.size());
      for (auto& r : batch->records) {
        out.records.push_back(
            {r.position, r.next_position, static_cast<uint8_t>(r.type), std::move(r.payload)});
      }
      return out;
    }
    // Nothing durable yet: sleep until the next group commit moves the durable position
    // (the writer calls back), or the wait runs out.
    std::unique_lock lock(mu_);
    uint64_t seen = wakeups_;
    if (waiting_for_ != limit + 1) {  // one callback per durable position, not one per wait
      waiting_for_ = limit + 1;
      lock.unlock();  // WhenDurable may call back inline
      writer_->WhenDurableLazily(limit + 1, [this](const Status&) {
        std::lock_guard l(mu_);
        ++wakeups_;
        cv_.notify_all();
      });
      lock.lock();
    }
    cv_.wait_until(lock, deadline, [&] { return wakeups_ != seen; });
  }
}

}  // namespace ct
