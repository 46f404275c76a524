#include "monitor/alarm_engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "monitor/metrics.h"
#include "testutil/temp_dir.h"

namespace ct {
namespace {

using namespace std::chrono_literals;

// Everything every fake channel received, in arrival order, with the real time of arrival.
struct SendLog {
  struct Entry {
    std::string channel;
    AlarmMessage msg;
    std::chrono::steady_clock::time_point at;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Entry> entries;

  void Add(const std::string& channel, const AlarmMessage& m) {
    std::lock_guard lock(mu);
    entries.push_back({channel, m, std::chrono::steady_clock::now()});
    cv.notify_all();
  }
  std::vector<Entry> All() {
    std::lock_guard lock(mu);
    return entries;
  }
  std::vector<std::string> States(const std::string& channel = "") {
    std::vector<std::string> out;
    for (const auto& e : All()) {
      if (channel.empty() || e.channel == channel) out.push_back(e.msg.rule + ":" + e.msg.state);
    }
    return out;
  }
};

// A channel that records delivered messages; it can fail its first `fail_first` attempts and
// block `delay` (real time) on every attempt.
class FakeChannel : public AlarmChannel {
 public:
  FakeChannel(std::string name, SendLog* log, int fail_first = 0,
              std::chrono::milliseconds delay = 0ms)
      : name_(std::move(name)), log_(log), fail_first_(fail_first), delay_(delay) {}
  const std::string& name() const override { return name_; }
  Status Send(const AlarmMessage& m) override {
    ++attempts;
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    if (attempts <= fail_first_) return Status::Unavailable(name_ + " is down");
    log_->Add(name_, m);
    return Status::Ok();
  }
  std::atomic<int> attempts{0};

 private:
  std::string name_;
  SendLog* log_;
  int fail_first_;
  std::chrono::milliseconds delay_;
};

AlarmRule Rule(std::string name, double fire_above, double clear_at_or_below,
               std::chrono::milliseconds fire_after, std::chrono::milliseconds clear_after) {
  AlarmRule r;
  r.name = std::move(name);
  r.summary = "Summary of " + r.name;
  r.fire_above = fire_above;
  r.clear_at_or_below = clear_at_or_below;
  r.fire_after = fire_after;
  r.clear_after = clear_after;
  return r;
}

class AlarmEngineTest : public ::testing::Test {
 protected:
  // One engine over `rules` (each reading values_[i]) and the channels given (default: one
  // fake channel "fake"). tick 0: the test drives Tick().
  void Make(std::vector<AlarmRule> rules, std::vector<std::unique_ptr<AlarmChannel>> channels = {},
            std::string state_file = "") {
    if (channels.empty()) channels.push_back(std::make_unique<FakeChannel>("fake", &log_));
    values_.assign(rules.size(), std::nullopt);
    std::vector<std::pair<AlarmRule, AlarmSource>> rs;
    for (size_t i = 0; i < rules.size(); ++i) {
      rs.emplace_back(rules[i], [this, i] { return values_[i]; });
    }
    AlarmOptions opts;
    opts.tick = 0ms;
    opts.repeat_every = repeat_every_;
    opts.state_file = std::move(state_file);
    opts.instance = "host-1";
    opts.dispatch.first_backoff = 10ms;
    engine_.reset();
    engine_ =
        std::make_unique<AlarmEngine>(opts, std::move(rs), std::move(channels), &metrics_, &clock_);
    ASSERT_TRUE(engine_->Start().ok());
  }
  // Sets the value of rule 0, then evaluates `n` times, one second apart (first one now).
  void Run(std::optional<double> v, int n = 1, std::chrono::milliseconds step = 1s) {
    for (int i = 0; i < n; ++i) {
      if (i > 0) clock_.Advance(step);
      values_[0] = v;
      engine_->Tick();
    }
  }
  // Waits for every queued message to be delivered (or dropped).
  void Drain() {
    for (int i = 0; i < 3000 && engine_->PendingMessages() > 0; ++i) {
      std::this_thread::sleep_for(5ms);
    }
    ASSERT_EQ(engine_->PendingMessages(), 0u);
  }
  AlarmStatus Status0() { return engine_->Snapshot().at(0); }

  FakeClock clock_;
  MetricsRegistry metrics_;
  SendLog log_;
  std::chrono::milliseconds repeat_every_ = 30min;
  std::vector<std::optional<double>> values_;
  std::unique_ptr<AlarmEngine> engine_;
};

using Msgs = std::vector<std::string>;

TEST_F(AlarmEngineTest, FiresOnlyAfterFireAfter) {
  Make({Rule("lag", 10, 10, 5s, 0s)});
  Run(20, 5);  // t = 0..4 s: bad, but not for 5 s yet
  Drain();
  EXPECT_EQ(log_.States(), Msgs{});
  EXPECT_EQ(Status0().state, AlarmState::kPending);
  EXPECT_EQ(metrics_.Value("clicktrail_alarm_firing", "rule=\"lag\""), 0);
  Run(20, 2);  // t = 5 s
  Drain();
  EXPECT_EQ(log_.States(), Msgs{"lag:firing"});
  EXPECT_EQ(Status0().state, AlarmState::kFiring);
  EXPECT_EQ(metrics_.Value("clicktrail_alarm_firing", "rule=\"lag\""), 1);
  const AlarmMessage m = log_.All()[0].msg;
  EXPECT_EQ(m.value, 20);
  EXPECT_EQ(m.threshold, 10);
  EXPECT_EQ(m.instance, "host-1");
  EXPECT_EQ(m.summary, "Summary of lag");
  EXPECT_EQ(m.since_us, 1'700'000'000'000'000);  // when it went bad, not when it fired
  EXPECT_EQ(m.at_us, 1'700'000'005'000'000);
  EXPECT_FALSE(m.id.empty());
  EXPECT_EQ(metrics_.Value("clicktrail_alarm_messages_sent_total", "channel=\"fake\""), 1);
}

TEST_F(AlarmEngineTest, PendingThatRecoversSendsNothing) {
  Make({Rule("lag", 10, 5, 5s, 0s)});
  Run(20, 4);
  EXPECT_EQ(Status0().state, AlarmState::kPending);
  Run(10, 1);  // not above fire_above (though not "good" either): the bad streak is broken
  EXPECT_EQ(Status0().state, AlarmState::kOk);
  Run(20, 4);  // a new streak starts from zero
  Drain();
  EXPECT_EQ(log_.States(), Msgs{});
  EXPECT_EQ(Status0().state, AlarmState::kPending);
}

TEST_F(AlarmEngineTest, FiringIsSentExactlyOnce) {
  Make({Rule("lag", 10, 10, 0s, 0s)});
  Run(50, 600);  // ten minutes bad, repeat_every 30 min
  Drain();
  EXPECT_EQ(log_.States(), Msgs{"lag:firing"});
}

TEST_F(AlarmEngineTest, RepeatsEveryRepeatEvery) {
  repeat_every_ = 60s;
  Make({Rule("lag", 10, 10, 0s, 0s)});
  Run(50, 60);  // t = 0..59 s
  Drain();
  EXPECT_EQ(log_.States(), Msgs{"lag:firing"});
  Run(50, 2);  // t = 60 s
  Drain();
  EXPECT_EQ(log_.States(), (Msgs{"lag:firing", "lag:repeat"}));
  Run(50, 61);  // t = 120 s
  Drain();
  EXPECT_EQ(log_.States(), (Msgs{"lag:firing", "lag:repeat", "lag:repeat"}));
  auto all = log_.All();
  EXPECT_EQ(all[2].msg.since_us, all[0].msg.since_us);
  EXPECT_NE(all[2].msg.id, all[1].msg.id);
}

TEST_F(AlarmEngineTest, ResolvesAfterClearAfter) {
  Make({Rule("lag", 10, 10, 0s, 10s)});
  Run(50, 3);
  Run(1, 10);  // good for 9 s
  Drain();
  EXPECT_EQ(log_.States(), Msgs{"lag:firing"});
  EXPECT_EQ(Status0().state, AlarmState::kFiring);
  Run(1, 2);  // good for 10 s
  Drain();
  EXPECT_EQ(log_.States(), (Msgs{"lag:firing", "lag:resolved"}));
  EXPECT_EQ(Status0().state, AlarmState::kOk);
  EXPECT_EQ(metrics_.Value("clicktrail_alarm_firing", "rule=\"lag\""), 0);
  auto all = log_.All();
  EXPECT_EQ(all[1].msg.value, 1);
  EXPECT_EQ(all[1].msg.since_us, all[0].msg.since_us);
  Run(1, 100);
  Drain();
  EXPECT_EQ(log_.All().size(), 2u);
}

TEST_F(AlarmEngineTest, GoodStreakBrokenByABadValueStartsOver) {
  Make({Rule("lag", 10, 10, 0s, 10s)});
  Run(50);
  Run(1, 8);
  Run(50, 2);  // back to bad before clear_after
  Run(1, 10);  // 9 s good
  Drain();
  EXPECT_EQ(log_.States(), Msgs{"lag:firing"});
}

TEST_F(AlarmEngineTest, HysteresisOscillationSendsOneFiringAndNoResolved) {
  Make({Rule("lag", 10, 8, 0s, 0s)});
  for (int i = 0; i < 200; ++i) Run(i % 2 == 0 ? 11 : 9, 2);
  Drain();
  EXPECT_EQ(log_.States(), Msgs{"lag:firing"});
  EXPECT_EQ(Status0().state, AlarmState::kFiring);
}

TEST_F(AlarmEngineTest, FlappingShorterThanFireAfterSendsNothing) {
  Make({Rule("lag", 10, 10, 5s, 5s)});
  for (int i = 0; i < 100; ++i) {
    Run(20, 2);  // on for 1 s
    Run(0, 2);   // off for 1 s
  }
  Drain();
  EXPECT_EQ(log_.States(), Msgs{});
}

TEST_F(AlarmEngineTest, UnknownValueChangesNothing) {
  Make({Rule("lag", 10, 10, 0s, 0s)});
  Run(std::nullopt, 100);
  EXPECT_EQ(Status0().state, AlarmState::kOk);
  EXPECT_FALSE(Status0().value.has_value());
  Run(50);
  Run(std::nullopt, 100);  // no data is not "recovered"
  Run(std::numeric_limits<double>::quiet_NaN(), 3);
  Drain();
  EXPECT_EQ(log_.States(), Msgs{"lag:firing"});
  EXPECT_EQ(Status0().state, AlarmState::kFiring);
  EXPECT_EQ(Status0().value, 50);
}

TEST_F(AlarmEngineTest, RulesSendOnlyToTheirChannels) {
  std::vector<std::unique_ptr<AlarmChannel>> chans;
  chans.push_back(std::make_unique<FakeChannel>("a", &log_));
  chans.push_back(std::make_unique<FakeChannel>("b", &log_));
  AlarmRule only_a = Rule("only_a", 10, 10, 0s, 0s);
  only_a.channels = {"a"};
  Make({only_a, Rule("all", 10, 10, 0s, 0s)}, std::move(chans));
  values_[0] = 50;
  values_[1] = 50;
  engine_->Tick();
  Drain();
  EXPECT_EQ(log_.States("a"), (Msgs{"only_a:firing", "all:firing"}));
  EXPECT_EQ(log_.States("b"), Msgs{"all:firing"});
}

TEST_F(AlarmEngineTest, StartRejectsBadRules) {
  AlarmRule unknown = Rule("x", 10, 10, 0s, 0s);
  unknown.channels = {"pager"};
  AlarmRule inverted = Rule("y", 10, 12, 0s, 0s);
  for (const AlarmRule& r : {unknown, inverted}) {
    std::vector<std::unique_ptr<AlarmChannel>> chans;
    chans.push_back(std::make_unique<FakeChannel>("fake", &log_));
    AlarmOptions opts;
    opts.tick = 0ms;
    AlarmEngine e(opts, {{r, [] { return 1.0; }}}, std::move(chans), &metrics_, &clock_);
    Status s = e.Start();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << r.name;
  }
}

TEST_F(AlarmEngineTest, FailingChannelIsRetriedAndDelaysNoOtherChannel) {
  std::vector<std::unique_ptr<AlarmChannel>> chans;
  // "slow" blocks 2 s per attempt and fails the first one; "fast" answers at once.
  auto slow = std::make_unique<FakeChannel>("slow", &log_, /*fail_first=*/1, 2000ms);
  FakeChannel* slow_ptr = slow.get();
  chans.push_back(std::move(slow));
  chans.push_back(std::make_unique<FakeChannel>("fast", &log_));
  Make({Rule("lag", 10, 10, 0s, 0s)}, std::move(chans));
  auto t0 = std::chrono::steady_clock::now();
  Run(50);
  // The tick itself never waits on a channel.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms);
  Drain();
  auto all = log_.All();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].channel, "fast");
  EXPECT_LT(all[0].at - t0, 1000ms);
  EXPECT_EQ(all[1].channel, "slow");
  EXPECT_EQ(slow_ptr->attempts, 2);
  EXPECT_EQ(metrics_.Value("clicktrail_alarm_send_failures_total", "channel=\"slow\""), 1);
  EXPECT_EQ(metrics_.Value("clicktrail_alarm_messages_sent_total", "channel=\"slow\""), 1);
  EXPECT_EQ(metrics_.Value("clicktrail_alarm_messages_sent_total", "channel=\"fast\""), 1);
  EXPECT_EQ(Status0().last_error, "");
}

TEST_F(AlarmEngineTest, ChannelOutOfTriesDropsCountsAndKeepsLastError) {
  std::vector<std::unique_ptr<AlarmChannel>> chans;
  auto dead = std::make_unique<FakeChannel>("dead", &log_, /*fail_first=*/1000);
  FakeChannel* dead_ptr = dead.get();
  chans.push_back(std::move(dead));
  Make({Rule("lag", 10, 10, 0s, 0s)}, std::move(chans));
  Run(50);
  Drain();
  EXPECT_EQ(dead_ptr->attempts, 5);
  EXPECT_EQ(metrics_.Value("clicktrail_alarm_send_failures_total", "channel=\"dead\""), 5);
  EXPECT_EQ(metrics_.Value("clicktrail_alarm_messages_dropped_total"), 1);
  EXPECT_NE(Status0().last_error.find("dead is down"), std::string::npos) << Status0().last_error;
}

TEST_F(AlarmEngineTest, FullQueueDropsAndCounts) {
  std::vector<std::unique_ptr<AlarmChannel>> chans;
  chans.push_back(std::make_unique<FakeChannel>("slow", &log_, 0, 300ms));
  std::vector<std::pair<AlarmRule, AlarmSource>> rules;
  for (int i = 0; i < 5; ++i)
    rules.emplace_back(Rule("r" + std::to_string(i), 1, 1, 0s, 0s), [] { return 5.0; });
  AlarmOptions opts;
  opts.tick = 0ms;
  opts.dispatch.queue_limit = 2;
  AlarmEngine e(opts, std::move(rules), std::move(chans), &metrics_, &clock_);
  ASSERT_TRUE(e.Start().ok());
  e.Tick();  // five messages at once: one in flight at most, two queued, the rest dropped
  e.Stop();
  EXPECT_GE(metrics_.Value("clicktrail_alarm_messages_dropped_total"), 2);
}

TEST_F(AlarmEngineTest, StateFileSurvivesRestart) {
  test::TempDir dir;
  std::string path = dir.Join("alarms.json");
  Make({Rule("lag", 10, 10, 0s, 5s)}, {}, path);
  Run(50, 3);
  Drain();
  ASSERT_EQ(log_.States(), Msgs{"lag:firing"});
  int64_t since = Status0().since_us;
  engine_->Stop();
  engine_.reset();  // "restart"

  clock_.Advance(60s);
  Make({Rule("lag", 10, 10, 0s, 5s)}, {}, path);
  EXPECT_EQ(Status0().state, AlarmState::kFiring);
  EXPECT_EQ(Status0().since_us, since);
  EXPECT_EQ(metrics_.Value("clicktrail_alarm_firing", "rule=\"lag\""), 1);
  Run(50, 10);  // still bad: no second "firing"
  Drain();
  EXPECT_EQ(log_.States(), Msgs{"lag:firing"});
  Run(1, 6);  // clears
  Drain();
  EXPECT_EQ(log_.States(), (Msgs{"lag:firing", "lag:resolved"}));
  EXPECT_EQ(log_.All()[1].msg.since_us, since);
  engine_.reset();

  // And the resolution is remembered too.
  Make({Rule("lag", 10, 10, 0s, 5s)}, {}, path);
  EXPECT_EQ(Status0().state, AlarmState::kOk);
}

TEST_F(AlarmEngineTest, RepeatScheduleSurvivesRestart) {
  test::TempDir dir;
  std::string path = dir.Join("alarms.json");
  repeat_every_ = 60s;
  Make({Rule("lag", 10, 10, 0s, 0s)}, {}, path);
  Run(50);
  engine_.reset();
  clock_.Advance(30s);
  Make({Rule("lag", 10, 10, 0s, 0s)}, {}, path);
  Run(50, 30);  // t = 30..59 s after the firing
  Drain();
  EXPECT_EQ(log_.States(), Msgs{"lag:firing"});
  Run(50, 2);  // t = 60 s
  Drain();
  EXPECT_EQ(log_.States(), (Msgs{"lag:firing", "lag:repeat"}));
}

TEST_F(AlarmEngineTest, CorruptStateFileIsIgnored) {
  test::TempDir dir;
  std::string path = dir.Join("alarms.json");
  for (const char* junk : {"{not json", "[1,2]", "{\"alarms\":{\"lag\":{\"state\":7}}}", ""}) {
    std::ofstream(path) << junk;
    Make({Rule("lag", 10, 10, 0s, 0s)}, {}, path);
    EXPECT_EQ(Status0().state, AlarmState::kOk) << junk;
  }
  Run(50);
  Drain();
  EXPECT_EQ(log_.States(), Msgs{"lag:firing"});
  // ...and the engine wrote a good file over the bad one.
  engine_.reset();
  Make({Rule("lag", 10, 10, 0s, 0s)}, {}, path);
  EXPECT_EQ(Status0().state, AlarmState::kFiring);
}

TEST_F(AlarmEngineTest, UnwritableStateFileIsCountedNotFatal) {
  Make({Rule("lag", 10, 10, 0s, 0s)}, {}, "/nonexistent-dir/alarms.json");
  Run(50);
  Drain();
  EXPECT_EQ(log_.States(), Msgs{"lag:firing"});
  EXPECT_GE(metrics_.Value("clicktrail_alarm_state_write_failures_total"), 1);
}

TEST_F(AlarmEngineTest, TimerThreadEvaluatesOnItsOwn) {
  std::vector<std::unique_ptr<AlarmChannel>> chans;
  chans.push_back(std::make_unique<FakeChannel>("fake", &log_));
  AlarmOptions opts;
  opts.tick = 10ms;
  AlarmEngine e(opts, {{Rule("lag", 10, 10, 0s, 0s), [] { return 42.0; }}}, std::move(chans),
                &metrics_, Clock::System());
  ASSERT_TRUE(e.Start().ok());
  for (int i = 0; i < 200 && log_.All().empty(); ++i) std::this_thread::sleep_for(10ms);
  e.Stop();
  EXPECT_EQ(log_.States(), Msgs{"lag:firing"});
}

}  // namespace
}  // namespace ct
