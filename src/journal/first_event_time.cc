#include "journal/first_event_time.h"

#include "common/event.h"
#include "journal/reader.h"
#include "monitor/metrics.h"

namespace ct::journal {

std::optional<int64_t> FirstEventTime(const std::string& dir, FileEnv* env, uint64_t from,
                                      uint64_t limit) {
  // A handful of records: the first ones may be of types without a time.
  constexpr size_t kMaxRecords = 16;
  constexpr size_t kMaxBytes = 256 * 1024;
  MetricsRegistry scratch;
  JournalReader reader(dir, env, &scratch);
  reader.Seek(from);
  Result<ReadBatch> batch = reader.Next(limit, kMaxRecords, kMaxBytes);
  if (!batch.ok()) return std::nullopt;
  for (const ReadRecord& r : batch->records) {
    if (r.type != RecordType::kEvent) continue;
    if (auto t = PeekEventTime(r.payload)) return t;
  }
  return std::nullopt;
}

}  // namespace ct::journal
