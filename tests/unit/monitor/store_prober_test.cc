// StoreProber against a fake probe function that can fail or hang, with short real intervals.
#include "monitor/store_prober.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace ct {
namespace {

using std::chrono::milliseconds;

// A probe whose answer the test sets: OK, an error, or "hang until released".
class FakeProbe {
 public:
  Status Run() {
    ++calls;
    std::unique_lock lock(mu_);
    ++running_;
    max_running = std::max(max_running.load(), running_);
    cv_.wait(lock, [&] { return !hang_; });
    --running_;
    return fail_ ? Status::Unavailable("injected probe failure") : Status::Ok();
  }
  void SetFail(bool f) {
    std::lock_guard lock(mu_);
    fail_ = f;
  }
  void SetHang(bool h) {
    {
      std::lock_guard lock(mu_);
      hang_ = h;
    }
    cv_.notify_all();
  }

  std::atomic<int> calls{0};
  std::atomic<int> max_running{0};

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool fail_ = false;
  bool hang_ = false;
  int running_ = 0;
};

// Polls `pred` for up to 10 s.
template <typename Pred>
bool Eventually(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return pred();
}

class StoreProberTest : public ::testing::Test {
 protected:
  // A generous timeout by default, so a busy CI machine never turns a healthy probe into a
  // failure; the hang tests pass a short one.
  std::unique_ptr<StoreProber> NewProber(int rebuild_after = 3,
                                         milliseconds timeout = milliseconds(2000)) {
    StoreProberOptions o;
    o.interval = milliseconds(15);
    o.timeout = timeout;
    o.rebuild_after = rebuild_after;
    o.on_repeated_failures = [this](int n) {
      std::lock_guard lock(mu_);
      rebuild_calls_.push_back(n);
    };
    o.on_tick = [this] { ++ticks_; };
    return std::make_unique<StoreProber>(
        o, [this] { return probe_.Run(); }, &metrics_);
  }
  std::vector<int> RebuildCalls() {
    std::lock_guard lock(mu_);
    return rebuild_calls_;
  }

  MetricsRegistry metrics_;
  FakeProbe probe_;
  std::mutex mu_;
  std::vector<int> rebuild_calls_;
  std::atomic<int> ticks_{0};
};

TEST_F(StoreProberTest, HealthyProbesSucceed) {
  auto prober = NewProber();
  prober->Start();
  ASSERT_TRUE(Eventually([&] { return prober->ProbesTotal() >= 3; }));
  ASSERT_TRUE(Eventually([&] { return prober->SecondsSinceLastSuccess().has_value(); }));
  prober->Stop();
  EXPECT_EQ(prober->ConsecutiveFailures(), 0);
  EXPECT_EQ(prober->FailuresTotal(), 0u);
  EXPECT_EQ(prober->LastError(), "");
  EXPECT_GT(ticks_.load(), 0);
  EXPECT_EQ(metrics_.Value("clicktrail_store_probe_consecutive_failures"), 0);
  EXPECT_GE(metrics_.Value("clicktrail_store_probes_total"), 3);
  EXPECT_TRUE(RebuildCalls().empty());
}

TEST_F(StoreProberTest, FailuresCountInARowAndResetOnSuccess) {
  probe_.SetFail(true);
  auto prober = NewProber();
  prober->Start();
  ASSERT_TRUE(Eventually([&] { return prober->ConsecutiveFailures() >= 4; }));
  EXPECT_NE(prober->LastError().find("injected probe failure"), std::string::npos);
  EXPECT_GE(metrics_.Value("clicktrail_store_probe_consecutive_failures"), 4);
  probe_.SetFail(false);
  ASSERT_TRUE(Eventually([&] { return prober->ConsecutiveFailures() == 0; }));
  prober->Stop();
  EXPECT_GE(prober->FailuresTotal(), 4u);
}

TEST_F(StoreProberTest, RebuildHookAtEveryMultiple) {
  probe_.SetFail(true);
  auto prober = NewProber(/*rebuild_after=*/3);
  prober->Start();
  ASSERT_TRUE(Eventually([&] { return prober->ConsecutiveFailures() >= 10; }));
  prober->Stop();
  std::vector<int> calls = RebuildCalls();
  ASSERT_GE(calls.size(), 3u);
  for (size_t i = 0; i < calls.size(); ++i) EXPECT_EQ(calls[i], 3 * static_cast<int>(i + 1));
}

TEST_F(StoreProberTest, HungProbeTimesOutAndIsNotStacked) {
  probe_.SetHang(true);
  auto prober = NewProber(3, milliseconds(10));
  prober->Start();
  // Timed out, then each further interval is another failure while the probe still hangs.
  ASSERT_TRUE(Eventually([&] { return prober->ConsecutiveFailures() >= 5; }));
  EXPECT_EQ(probe_.calls.load(), 1);  // never a second probe on top of the hung one
  EXPECT_EQ(probe_.max_running.load(), 1);
  EXPECT_FALSE(prober->SecondsSinceLastSuccess().has_value());
  EXPECT_FALSE(RebuildCalls().empty());
  EXPECT_EQ(RebuildCalls()[0], 3);

  probe_.SetHang(false);  // the store answers again
  ASSERT_TRUE(Eventually([&] { return prober->ConsecutiveFailures() == 0; }));
  EXPECT_GE(probe_.calls.load(), 2);
  EXPECT_EQ(probe_.max_running.load(), 1);
  prober->Stop();
}

TEST_F(StoreProberTest, StopWaitsForAHungProbe) {
  probe_.SetHang(true);
  auto prober = NewProber(3, milliseconds(10));
  prober->Start();
  ASSERT_TRUE(Eventually([&] { return probe_.calls.load() == 1; }));
  std::thread releaser([&] {
    std::this_thread::sleep_for(milliseconds(50));
    probe_.SetHang(false);
  });
  prober->Stop();  // returns once the hung probe did
  releaser.join();
  prober.reset();
  SUCCEED();
}

}  // namespace
}  // namespace ct
