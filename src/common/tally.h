// Tally: an edge's account of what it did, per UTC hour — the payload of a journal record of
// type kTally (journal/format.h). The edge appends one about every second while its counts
// change (and a heartbeat while idle), at a clean stop, and at every start (recovering what a
// crash left untallied); the tracker adds the deltas into the store's reconciliation table in
// the same transaction as the hits (README "Reconciliation").
//
// A tally carries DELTAS since the previous tally of the same run. Dedup is by (edge, run, seq):
// a run is one start of the edge (a random id), seq counts its tallies from 0, and the tracker
// applies a tally only if its seq is above the last one applied for the run. Tallies of a run
// appear in the journal in seq order (a rewritten copy always sits after the original), so this
// one number per run is a durable dedup key that never grows with traffic.
//
// Encoding v1, little endian:
//   u8 version(=1) | u8 flags (TallyFlag) | u8 edge length | edge bytes | 16 bytes run |
//   u64 seq | i64 as_of_us | u16 row count | rows: i64 hour_start_us | u64 answered |
//   u64 journaled
// Decoders reject unknown versions, rows past the payload and trailing bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/event.h"
#include "common/status.h"

namespace ct {

inline constexpr int64_t kMicrosPerHour = 3'600'000'000;
// The start of the UTC hour holding `time_us` (floor, also for times before 1970).
int64_t HourStartMicros(int64_t time_us);

// An edge id: 1..64 of [A-Za-z0-9._-] (config edge.id; the host name by default).
inline constexpr size_t kMaxEdgeIdBytes = 64;
bool ValidEdgeId(std::string_view id);

enum TallyFlag : uint8_t {
  kTallyFinal = 1 << 0,     // written at a clean stop: this run journals nothing more
  kTallyRecovery = 1 << 1,  // the first tally of a run (counts what a crash left untallied)
};

struct TallyRow {
  int64_t hour_us = 0;     // HourStartMicros of the events' time
  uint64_t answered = 0;   // requests answered that produce a record
  uint64_t journaled = 0;  // of those, records appended to the journal
};

struct Tally {
  std::string edge;
  EventId run{};
  uint64_t seq = 0;
  int64_t as_of_us = 0;  // the edge's wall clock when it built the tally
  uint8_t flags = 0;     // TallyFlag
  std::vector<TallyRow> rows;
};

// A tally never needs more rows than this (hours touched in about a second, or by a recovery
// scan); more is garbage.
inline constexpr size_t kMaxTallyRows = 4096;

void EncodeTally(const Tally& t, std::string* out);
Result<Tally> DecodeTally(std::string_view payload);

// The event time of an event record's payload without decoding it: every event version starts
// u8 version | u8 kind | 16 bytes id | i64 time_us. 0 when the payload is too short.
int64_t EventPayloadTime(std::string_view payload);

}  // namespace ct
