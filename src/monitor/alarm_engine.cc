#include "monitor/alarm_engine.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "common/log.h"
#include "common/random.h"

namespace ct {
namespace {

const Logger kLog("alarm");

std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "unknown-host";
  return buf;
}

template <typename D>
D Clamp(D d, D hi) {
  return std::clamp(d, D::zero(), hi);
}

}  // namespace

std::string_view AlarmStateName(AlarmState state) {
  switch (state) {
    case AlarmState::kOk:
      return "ok";
    case AlarmState::kPending:
      return "pending";
    case AlarmState::kFiring:
      return "firing";
  }
  return "ok";
}

AlarmEngine::AlarmEngine(AlarmOptions options, std::vector<std::pair<AlarmRule, AlarmSource>> rules,
                         std::vector<std::unique_ptr<AlarmChannel>> channels,
                         MetricsRegistry* metrics, Clock* clock)
    : options_(std::move(options)),
      clock_(clock ? clock : Clock::System()),
      instance_(options_.instance.empty() ? HostName() : options_.instance) {
  if (metrics == nullptr) {
    own_registry_ = std::make_unique<MetricsRegistry>();
    metrics = own_registry_.get();
  }
  metrics_ = std::make_unique<AlarmMetrics>(metrics);
  if (!options_.state_file.empty()) {
    state_file_ = std::make_unique<AlarmStateFile>(options_.state_file);
  }
  int64_t now_us = clock_->NowMicros();
  for (auto& [spec, source] : rules) {
    Rule r;
    r.firing_gauge = metrics_->Firing(spec.name);
    r.firing_gauge->Set(0);
    r.spec = std::move(spec);
    r.source = std::move(source);
    r.since_us = now_us;
    rules_.push_back(std::move(r));
  }
  dispatcher_ =
      std::make_unique<AlarmDispatcher>(options_.dispatch, std::move(channels), metrics_.get(),
                                        [this](const std::string& ch, const AlarmMessage& m,
                                               const Status& s) { OnOutcome(ch, m, s); });
}

AlarmEngine::~AlarmEngine() { Stop(); }

Status AlarmEngine::Start() {
  std::set<std::string> names;
  for (const Rule& r : rules_) {
    const AlarmRule& s = r.spec;
    if (s.name.empty() || !names.insert(s.name).second) {
      return Status::InvalidArgument("alarm rule name empty or repeated: '" + s.name + "'");
    }
    if (!(s.clear_at_or_below <= s.fire_above)) {
      return Status::InvalidArgument(
          fmt::format("alarm {}: clear_at_or_below {} must be <= fire_above {}", s.name,
                      s.clear_at_or_below, s.fire_above));
    }
    for (const auto& ch : s.channels) {
      if (!dispatcher_->HasChannel(ch)) {
        return Status::InvalidArgument("alarm " + s.name + ": unknown channel " + ch);
      }
    }
  }
  if (dispatcher_->ChannelNames().empty()) {
    kLog.Warn("no alarm channels configured: alarms show only on /metrics and the status page");
  }
  LoadState();
  dispatcher_->Start();
  if (options_.tick.count() > 0) timer_ = std::thread([this] { RunTimer(); });
  return Status::Ok();
}

void AlarmEngine::Stop() {
  {
    std::lock_guard lock(timer_mu_);
    stopping_ = true;
  }
  timer_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
  if (dispatcher_) dispatcher_->Stop();
}

void AlarmEngine::RunTimer() {
  std::unique_lock lock(timer_mu_);
  while (!timer_cv_.wait_for(lock, options_.tick, [this] { return stopping_; })) {
    lock.unlock();
    Tick();
    lock.lock();
  }
}

void AlarmEngine::Tick() {
  std::lock_guard lock(mu_);
  for (Rule& r : rules_) {
    std::optional<double> v = r.source ? r.source() : std::nullopt;
    // NaN compares false both ways; treat it like "unknown" rather than as good or bad.
    if (v && std::isnan(*v)) v.reset();
    if (v) {
      r.value = v;
      Evaluate(r, *v);
    }
    // A firing alarm keeps reminding even while its value is unknown: it has not cleared.
    auto now = clock_->SteadyNow();
    if (r.state == AlarmState::kFiring && options_.repeat_every.count() > 0 &&
        now - r.last_sent >= options_.repeat_every) {
      Raise(r, "repeat", r.value.value_or(0));
      SaveState();
    }
  }
}

void AlarmEngine::Evaluate(Rule& r, double v) {
  const auto now = clock_->SteadyNow();
  const bool bad = v > r.spec.fire_above;
  const bool good = v <= r.spec.clear_at_or_below;
  switch (r.state) {
    case AlarmState::kOk:
      if (!bad) return;
      r.bad_since = now;
      SetState(r, AlarmState::kPending);
      [[fallthrough]];  // fire_after 0 fires on this same evaluation
    case AlarmState::kPending:
      if (!bad) {
        SetState(r, AlarmState::kOk);  // the streak broke before fire_after: nobody is told
        return;
      }
      if (now - r.bad_since >= r.spec.fire_after) {
        r.state = AlarmState::kFiring;  // since_us stays: the episode began when it went bad
        r.good_since.reset();
        r.firing_gauge->Set(1);
        Raise(r, "firing", v);
        SaveState();
      }
      return;
    case AlarmState::kFiring:
      if (!good) {
        r.good_since.reset();  // hysteresis: between the thresholds is not "good"
        return;
      }
      if (!r.good_since) r.good_since = now;
      if (now - *r.good_since >= r.spec.clear_after) {
        Raise(r, "resolved", v);
        r.firing_gauge->Set(0);
        SetState(r, AlarmState::kOk);
      }
      return;
  }
}

void AlarmEngine::SetState(Rule& r, AlarmState state) {
  r.state = state;
  r.since_us = clock_->NowMicros();
  r.good_since.reset();
  SaveState();
}

void AlarmEngine::Raise(Rule& r, const char* state, double value) {
  AlarmMessage m;
  m.rule = r.spec.name;
  m.summary = r.spec.summary;
  m.state = state;
  m.instance = instance_;
  m.value = value;
  m.threshold = r.spec.fire_above;
  m.since_us = r.since_us;
  m.at_us = clock_->NowMicros();
  m.id = fmt::format("alm_{}_{}", m.at_us, RandomBase62(12));
  r.last_sent = clock_->SteadyNow();
  r.last_sent_us = m.at_us;
  kLog.Warn("alarm {} {} (value {}, threshold {}): {}", m.rule, m.state, value, m.threshold,
            m.summary);
  const std::vector<std::string> channels =
      r.spec.channels.empty() ? dispatcher_->ChannelNames() : r.spec.channels;
  for (const auto& ch : channels) dispatcher_->Enqueue(ch, m);  // drops are counted inside
}

void AlarmEngine::OnOutcome(const std::string& channel, const AlarmMessage& msg, const Status& s) {
  std::lock_guard lock(mu_);
  for (Rule& r : rules_) {
    if (r.spec.name != msg.rule) continue;
    if (s.ok()) {
      r.errors.erase(channel);
    } else {
      r.errors[channel] = s.ToString();
    }
  }
}

std::vector<AlarmStatus> AlarmEngine::Snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<AlarmStatus> out;
  for (const Rule& r : rules_) {
    AlarmStatus st{r.spec.name, r.spec.summary, r.state, r.value, r.since_us, r.last_sent_us, ""};
    for (const auto& [ch, err] : r.errors) {
      st.last_error += (st.last_error.empty() ? "" : "; ") + ch + ": " + err;
    }
    out.push_back(std::move(st));
  }
  return out;
}

void AlarmEngine::LoadState() {
  if (!state_file_) return;
  Result<std::map<std::string, PersistedAlarm>> loaded = state_file_->Load();
  if (!loaded.ok()) {
    // Starting from "all ok" can at worst send one extra "firing"; refusing to start would
    // leave no alarms at all.
    kLog.Error("ignoring alarm state file: {}", loaded.status().ToString());
    return;
  }
  std::lock_guard lock(mu_);
  const int64_t now_us = clock_->NowMicros();
  const auto now = clock_->SteadyNow();
  for (Rule& r : rules_) {
    auto it = loaded->find(r.spec.name);
    if (it == loaded->end()) continue;
    const PersistedAlarm& p = it->second;
    // Steady time does not survive a restart; rebuild the timers from wall time, clamped so a
    // wall-clock jump can neither fire at once nor postpone for ever.
    auto elapsed = [&](int64_t wall_us, std::chrono::milliseconds cap) {
      auto d = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::microseconds(now_us - wall_us));
      return Clamp(d, cap);
    };
    if (p.state == "firing") {
      r.state = AlarmState::kFiring;
      r.since_us = p.since_us;
      r.last_sent_us = p.last_sent_us;
      r.last_sent = now - elapsed(p.last_sent_us, options_.repeat_every);
      r.firing_gauge->Set(1);
      kLog.Warn("alarm {} was firing before the restart; it stays firing", r.spec.name);
    } else if (p.state == "pending") {
      r.state = AlarmState::kPending;
      r.since_us = p.since_us;
      r.bad_since = now - elapsed(p.since_us, r.spec.fire_after);
    }
  }
}

void AlarmEngine::SaveState() {
  if (!state_file_) return;
  std::map<std::string, PersistedAlarm> all;
  for (const Rule& r : rules_) {
    all[r.spec.name] = {std::string(AlarmStateName(r.state)), r.since_us, r.last_sent_us};
  }
  Status s = state_file_->Save(all);
  if (!s.ok()) {
    metrics_->state_write_failures()->Inc();
    kLog.Error("writing alarm state file: {}", s.ToString());
  }
}

}  // namespace ct
