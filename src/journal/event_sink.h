// EventSink: where the edge puts the records of the requests it answers. The journal writer
// implements it; tests use an in-memory one. Keeping the edge on this small interface keeps the
// durability policy (group commit, strict mode, fsync failure handling) out of the HTTP code.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "common/status.h"

namespace ct {

class EventSink {
 public:
  virtual ~EventSink() = default;

  // Appends `framed` — one or more complete records built with journal/format.h — with a single
  // write, as one unit (never split across segments). Thread-safe. On OK the bytes are in the
  // kernel's page cache, so they survive kill -9 of this process; they are durable against
  // power loss only once DurablePosition() has passed the returned position.
  // Returns the log position just past the appended bytes.
  virtual Result<uint64_t> Append(std::string_view framed) = 0;

  // Calls `done` once every byte before `position` is fsynced (OK), or once the journal has
  // failed for good (the error). Called exactly once, from the journal's sync thread (or inline
  // if already durable): it must be quick and must not call back into the sink.
  virtual void WhenDurable(uint64_t position, std::function<void(const Status&)> done) = 0;

  // Everything before this position is fsynced.
  virtual uint64_t DurablePosition() const = 0;
};

}  // namespace ct
