// Clock: the one source of time. Wall time (event stamps, report buckets) and steady time
// (timers, durations, lag) are kept apart so a wall-clock jump never fires or stalls a timer.
// Tests inject FakeClock. Implementations are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace ct {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch (UTC), from the wall clock.
  virtual int64_t NowMicros() const = 0;
  // Monotonic time for durations and deadlines.
  virtual std::chrono::steady_clock::time_point SteadyNow() const = 0;

  // The process-wide real clock; never null, never freed.
  static Clock* System();
};

// A clock that moves only when told to. Both wall and steady time advance together.
class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t start_micros = 1'700'000'000'000'000) : now_(start_micros) {}
  int64_t NowMicros() const override { return now_.load(); }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::time_point(std::chrono::microseconds(steady_.load()));
  }
  void Advance(std::chrono::microseconds d) {
    now_ += d.count();
    steady_ += d.count();
  }
  void SetWallMicros(int64_t micros) { now_ = micros; }  // a wall jump; steady time unchanged

 private:
  std::atomic<int64_t> now_;
  std::atomic<int64_t> steady_{0};
};

}  // namespace ct
