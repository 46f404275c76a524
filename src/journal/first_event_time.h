// FirstEventTime: the event time of the first event record at or after `from` (and before
// `limit`) in the journal at `dir`, for the lag tracker's seed at start-up: the backlog a
// previous run left has no append times, and its event times bound complete_until.
//
// Why the first record is enough: every record was appended at most JournalCompleteness::
// kInFlight after its stamp, and appends are serialised in position order, so every later
// record's time is at least (first record's time - kInFlight) — the caller subtracts it.
//
// It reads with a reader of its own (metrics into a scratch registry: the tracker's reader
// counts any corruption once); nullopt if no event record could be read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "journal/file_env.h"

namespace ct::journal {

std::optional<int64_t> FirstEventTime(const std::string& dir, FileEnv* env, uint64_t from,
                                      uint64_t limit);

}  // namespace ct::journal
