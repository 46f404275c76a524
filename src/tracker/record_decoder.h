// DecodeRecords: turns bus records into what a commit applies: hits (decoded and enriched),
// tallies, dead letters for records that do not decode, and the losses with the hour they are
// counted in. Shared by the embedded tracker (tracker.h) and distributed mode's consumer
// (bus_tracker.h), so the two commit identical HitRecords for the same journal records.
#pragma once

#include <cstdint>
#include <vector>

#include "bus/bus.h"
#include "enrich/enricher.h"
#include "store/store.h"

namespace ct {

struct DecodeSummary {
  int64_t newest_event_us = 0;         // the newest event time among the hits (0: none)
  uint64_t newest_tally = UINT64_MAX;  // the position of the last tally decoded (UINT64_MAX: none)
};

// Appends to batch->hits, tallies, dead_letters and losses. `now_us` is the wall clock: the
// hour of a dead letter or loss whose record gives no plausible time.
DecodeSummary DecodeRecords(const std::vector<BusRecord>& records,
                            const std::vector<BusLoss>& losses, const enrich::Enricher& enricher,
                            int64_t now_us, CommitBatch* batch);

// The hour a dead letter of this record is reconciled under (see record_decoder.cc).
int64_t DeadLetterTime(uint8_t type, std::string_view payload, int64_t now_us);

// A tally record's as_of (the edge's wall time when it built it: EdgeRange::through_us), 0 for
// any other record or a tally that does not decode.
int64_t TallyTime(uint8_t type, std::string_view payload);

}  // namespace ct
