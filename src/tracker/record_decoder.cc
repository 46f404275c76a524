#include "tracker/record_decoder.h"

#include <algorithm>
#include <string>

#include "common/event.h"
#include "common/tally.h"
#include "tracker/visitor.h"

namespace ct {
namespace {

constexpr uint8_t kEventRecordType = 1;  // journal/format.h RecordType::kEvent
constexpr uint8_t kTallyRecordType = 2;  // journal/format.h RecordType::kTally

// The time a loss of records at `position` is reconciled under: the event right after it in
// the batch (the reader resynced on it), else the one right before, else `now_us`.
int64_t LossTime(const std::vector<BusRecord>& records, const std::vector<int64_t>& times,
                 uint64_t position, int64_t now_us) {
  int64_t before = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    if (times[i] == 0) continue;
    if (records[i].position > position) return times[i];
    before = times[i];
  }
  return before != 0 ? before : now_us;
}

}  // namespace

// The time a dead letter is reconciled under: the time field every event version starts with
// (common/tally.h EventPayloadTime) when the record is an event and the value is plausible
// (after 2000-01-01, at most a day ahead of now), else `now_us` — the hour it was committed.
int64_t DeadLetterTime(uint8_t type, std::string_view payload, int64_t now_us) {
  constexpr int64_t kYear2000Us = 946'684'800'000'000;
  constexpr int64_t kDayUs = 86'400'000'000;
  if (type != kEventRecordType) return now_us;
  const int64_t t = EventPayloadTime(payload);
  return t >= kYear2000Us && t <= now_us + kDayUs ? t : now_us;
}

int64_t TallyTime(uint8_t type, std::string_view payload) {
  if (type != kTallyRecordType) return 0;
  Result<Tally> t = DecodeTally(payload);
  return t.ok() ? t->as_of_us : 0;
}

DecodeSummary DecodeRecords(const std::vector<BusRecord>& records,
                            const std::vector<BusLoss>& losses, const enrich::Enricher& enricher,
                            int64_t now_us, CommitBatch* batch) {
  DecodeSummary out;
  batch->hits.reserve(batch->hits.size() + records.size());
  std::vector<int64_t> times(records.size(), 0);  // event times, for LossTime
  for (size_t i = 0; i < records.size(); ++i) {
    const BusRecord& r = records[i];
    if (r.type == kTallyRecordType) {
      auto tally = DecodeTally(r.payload);
      if (tally.ok()) {
        batch->tallies.push_back(std::move(*tally));
        out.newest_tally = r.position;
        continue;
      }
      batch->dead_letters.push_back({r.position, tally.status().message(), r.payload, now_us});
      continue;
    }
    if (r.type != kEventRecordType) {
      batch->dead_letters.push_back({r.position, "unknown record type " + std::to_string(r.type),
                                     r.payload, DeadLetterTime(r.type, r.payload, now_us)});
      continue;
    }
    auto ev = DecodeEvent(r.payload);
    if (!ev.ok()) {
      // A record whose CRC matched but whose payload does not decode is kept, not dropped, and
      // the position moves past it in the same transaction: it never blocks the events behind.
      batch->dead_letters.push_back({r.position, ev.status().message(), r.payload,
                                     DeadLetterTime(r.type, r.payload, now_us)});
      continue;
    }
    times[i] = ev->time_us;
    out.newest_event_us = std::max(out.newest_event_us, ev->time_us);
    HitRecord h;
    h.visitor_key = VisitorKey(*ev);
    h.enrichment = enricher.Enrich(*ev);
    h.event = std::move(*ev);
    batch->hits.push_back(std::move(h));
  }
  for (const BusLoss& loss : losses) {
    RecordLoss l{LossTime(records, times, loss.position, now_us), loss.records};
    if (loss.end > loss.position) {
      l.from = loss.position;
      l.to = loss.end;
    }
    batch->losses.push_back(l);
  }
  return out;
}

}  // namespace ct
