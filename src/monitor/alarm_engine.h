// AlarmEngine: evaluates alarm rules and sends "firing" / "repeat" / "resolved" messages.
//
// Per rule:  ok --bad--> pending --bad for fire_after--> firing ("firing" sent once)
//            pending --not bad--> ok (silently)
//            firing: "repeat" every repeat_every; --good for clear_after--> ok ("resolved")
// "bad" = value > fire_above; "good" = value <= clear_at_or_below. In between, a firing alarm
// stays firing and a pending one returns to ok (bad must be continuous). An unknown value
// (nullopt or NaN) changes nothing: no transition, no timer started or reset.
//
// The engine depends on neither the store nor the bus: its state is in memory and, when
// `state_file` is set, in a local JSON file rewritten atomically on every change. After a
// restart a firing alarm stays firing (no second "firing") and sends "resolved" when it clears.
//
// Threads: Start() runs a timer thread calling Tick() every `tick` (tick 0 = no thread: the
// owner, e.g. a test with a FakeClock, calls Tick()). Sources are called on the thread running
// Tick(). Messages go to an AlarmDispatcher (one thread and bounded queue per channel), so
// sending never blocks evaluation. Tick(), Snapshot() and Stop() are safe from any thread.
// Stop() (also run by the destructor) joins every thread; undelivered messages are dropped and
// counted.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "monitor/alarm_channel.h"
#include "monitor/alarm_dispatcher.h"
#include "monitor/alarm_metrics.h"
#include "monitor/alarm_rule.h"
#include "monitor/alarm_state_file.h"
#include "monitor/metrics.h"

namespace ct {

enum class AlarmState { kOk, kPending, kFiring };
std::string_view AlarmStateName(AlarmState state);  // "ok" | "pending" | "firing"

struct AlarmOptions {
  std::chrono::milliseconds tick{1000};  // evaluation period; 0 = no timer thread
  std::chrono::milliseconds repeat_every{std::chrono::minutes(30)};  // 0 = never repeat
  std::string state_file;                                            // "" = memory only
  std::string instance;             // named in every message; "" = the host name
  AlarmDispatcherOptions dispatch;  // queue size, retries, backoff
};

// One rule, for the status page.
struct AlarmStatus {
  std::string name;
  std::string summary;
  AlarmState state = AlarmState::kOk;
  std::optional<double> value;  // the last known value
  int64_t since_us = 0;         // wall time the current state (the bad episode, if firing) began
  int64_t last_sent_us = 0;     // wall time of the last message raised; 0 = none
  std::string last_error;       // "<channel>: <error>" of undelivered messages; "" = none
};

class AlarmEngine {
 public:
  // `metrics` and `clock` are not owned and must outlive the engine; null metrics = a private
  // registry, null clock = Clock::System(). Channels are owned.
  AlarmEngine(AlarmOptions options, std::vector<std::pair<AlarmRule, AlarmSource>> rules,
              std::vector<std::unique_ptr<AlarmChannel>> channels, MetricsRegistry* metrics,
              Clock* clock);
  ~AlarmEngine();
  AlarmEngine(const AlarmEngine&) = delete;
  AlarmEngine& operator=(const AlarmEngine&) = delete;

  // Validates the rules (unique names, clear_at_or_below <= fire_above, known channels:
  // kInvalidArgument otherwise), loads the state file (a corrupt or unreadable one is logged
  // and ignored), starts the dispatcher and the timer thread. Call once.
  Status Start();
  void Stop();

  // Evaluates every rule once, now.
  void Tick();

  std::vector<AlarmStatus> Snapshot() const;
  // Messages queued or being delivered (lets a test wait for the dispatcher to go idle).
  size_t PendingMessages() const { return dispatcher_->Pending(); }

 private:
  struct Rule {
    AlarmRule spec;
    AlarmSource source;
    Gauge* firing_gauge = nullptr;
    AlarmState state = AlarmState::kOk;
    std::optional<double> value;
    int64_t since_us = 0;
    int64_t last_sent_us = 0;
    std::chrono::steady_clock::time_point bad_since;  // pending: start of the bad streak
    std::optional<std::chrono::steady_clock::time_point> good_since;  // firing: good streak
    std::chrono::steady_clock::time_point last_sent;  // firing: for the repeat schedule
    std::map<std::string, std::string> errors;        // channel -> last undelivered error
  };

  void Evaluate(Rule& r, double v);
  void Raise(Rule& r, const char* state, double value);  // builds and queues one message
  void SetState(Rule& r, AlarmState state);
  void LoadState();
  void SaveState();
  void OnOutcome(const std::string& channel, const AlarmMessage& msg, const Status& s);
  void RunTimer();

  const AlarmOptions options_;
  Clock* clock_;
  std::string instance_;
  std::unique_ptr<MetricsRegistry> own_registry_;  // when the caller gave none
  std::unique_ptr<AlarmMetrics> metrics_;
  std::unique_ptr<AlarmStateFile> state_file_;

  mutable std::mutex mu_;  // guards rules_ (and serializes Tick)
  std::vector<Rule> rules_;

  std::mutex timer_mu_;
  std::condition_variable timer_cv_;
  bool stopping_ = false;
  std::thread timer_;

  std::unique_ptr<AlarmDispatcher> dispatcher_;  // last: stopped and destroyed first
};

}  // namespace ct
