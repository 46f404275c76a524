// AlarmRule: one alarm, as configured. A rule watches one number (its AlarmSource) and is "bad"
// while the number is above `fire_above`, "good" again only at or below `clear_at_or_below`.
// The gap between the two (hysteresis) and the two durations keep a value that hovers around
// the threshold from producing a storm of messages. The AlarmEngine evaluates rules; this
// header is plain data.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ct {

struct AlarmRule {
  std::string name;       // e.g. "tracking_lag"; unique in one engine; names the metric label
  std::string summary;    // e.g. "Tracking lag over 10 s"; one line, for humans
  double fire_above = 0;  // bad while value > fire_above
  double clear_at_or_below = 0;  // good again only when value <= this; must be <= fire_above
  // Bad continuously this long before the alarm fires (0 = at the first bad evaluation).
  std::chrono::milliseconds fire_after{0};
  // Good continuously this long before a firing alarm resolves (0 = at the first good one).
  std::chrono::milliseconds clear_after{0};
  // Names of the channels this rule sends to; empty = every channel of the engine.
  std::vector<std::string> channels;
};

// The current value of a rule. nullopt = unknown right now (a probe that has not answered yet):
// treated as "no change", so an unknown value neither fires nor clears an alarm. Called on the
// engine's evaluation thread (or the thread calling AlarmEngine::Tick); must be cheap and must
// not block on the store or the bus.
using AlarmSource = std::function<std::optional<double>()>;

}  // namespace ct
