// AlarmChannel: one way out for alarm messages (webhook, email, SMS gateway). The engine never
// calls Send() on its evaluation thread: the AlarmDispatcher calls it on a thread of its own per
// channel, so a slow or dead channel delays nobody else.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace ct {

struct AlarmMessage {
  std::string rule;      // AlarmRule::name
  std::string summary;   // AlarmRule::summary
  std::string state;     // "firing" | "resolved" | "repeat" (still firing, reminder)
  std::string instance;  // which clicktrail process raised it (host name by default)
  double value = 0;      // the value that caused this message
  double threshold = 0;  // AlarmRule::fire_above
  int64_t since_us = 0;  // wall time (µs since the epoch) the alarm started firing
  int64_t at_us = 0;     // wall time this message was raised
  std::string id;        // unique per message; the same on every retry (an idempotency key)
};

class AlarmChannel {
 public:
  virtual ~AlarmChannel();
  // Unique among the channels of one engine; rules name channels by it.
  virtual const std::string& name() const = 0;
  // Delivers one message. Blocking, bounded by the channel's own timeouts. OK = accepted by the
  // other side; any error is retried by the dispatcher. Called from one thread at a time.
  virtual Status Send(const AlarmMessage& msg) = 0;
};

}  // namespace ct
