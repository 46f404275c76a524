#include "common/clock.h"

namespace ct {
namespace {

class SystemClock : public Clock {
 public:
  int64_t NowMicros() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::now();
  }
};

}  // namespace

Clock* Clock::System() {
  static SystemClock* clock = new SystemClock();  // leaked on purpose: usable during exit
  return clock;
}

}  // namespace ct
