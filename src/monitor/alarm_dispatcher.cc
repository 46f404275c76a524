#include "monitor/alarm_dispatcher.h"

#include <algorithm>

#include "common/log.h"

namespace ct {
namespace {
const Logger kLog("alarm");
}  // namespace

AlarmDispatcher::AlarmDispatcher(AlarmDispatcherOptions options,
                                 std::vector<std::unique_ptr<AlarmChannel>> channels,
                                 AlarmMetrics* metrics, AlarmOutcome outcome)
    : options_(options), metrics_(metrics), outcome_(std::move(outcome)) {
  for (auto& ch : channels) {
    auto lane = std::make_unique<Lane>();
    lane->sent = metrics_->Sent(ch->name());
    lane->failures = metrics_->SendFailures(ch->name());
    lane->channel = std::move(ch);
    lanes_.push_back(std::move(lane));
  }
}

AlarmDispatcher::~AlarmDispatcher() { Stop(); }

void AlarmDispatcher::Start() {
  if (started_) return;
  started_ = true;
  for (auto& lane : lanes_) {
    Lane* l = lane.get();
    l->thread = std::thread([this, l] { Run(l); });
  }
}

void AlarmDispatcher::Stop() {
  for (auto& lane : lanes_) {
    std::lock_guard lock(lane->mu);
    lane->stop = true;
    lane->cv.notify_all();
  }
  for (auto& lane : lanes_) {
    if (lane->thread.joinable()) lane->thread.join();
    // Whatever is still queued will not go out: say so, once per channel, and count it.
    std::deque<AlarmMessage> left;
    {
      std::lock_guard lock(lane->mu);
      left.swap(lane->queue);
    }
    if (!left.empty()) {
      kLog.Warn("stopping: {} alarm message(s) for channel {} not delivered", left.size(),
                lane->channel->name());
      metrics_->dropped()->Inc(left.size());
    }
  }
}

AlarmDispatcher::Lane* AlarmDispatcher::Find(const std::string& name) const {
  for (const auto& lane : lanes_) {
    if (lane->channel->name() == name) return lane.get();
  }
  return nullptr;
}

bool AlarmDispatcher::HasChannel(const std::string& name) const { return Find(name) != nullptr; }

std::vector<std::string> AlarmDispatcher::ChannelNames() const {
  std::vector<std::string> names;
  for (const auto& lane : lanes_) names.push_back(lane->channel->name());
  return names;
}

size_t AlarmDispatcher::Pending() const {
  size_t n = 0;
  for (const auto& lane : lanes_) {
    std::lock_guard lock(lane->mu);
    n += lane->queue.size() + (lane->busy ? 1 : 0);
  }
  return n;
}

bool AlarmDispatcher::Enqueue(const std::string& channel, AlarmMessage msg) {
  Lane* lane = Find(channel);
  if (lane == nullptr) {
    kLog.Error("alarm {} names unknown channel {}; message dropped", msg.rule, channel);
    metrics_->dropped()->Inc();
    return false;
  }
  std::unique_lock lock(lane->mu);
  if (lane->stop || lane->queue.size() >= options_.queue_limit) {
    bool stopped = lane->stop;
    lock.unlock();
    kLog.Warn("alarm queue of channel {} {}; {} message for {} dropped", channel,
              stopped ? "is stopped" : "is full", msg.state, msg.rule);
    metrics_->dropped()->Inc();
    return false;
  }
  lane->queue.push_back(std::move(msg));
  lane->cv.notify_one();
  return true;
}

void AlarmDispatcher::Run(Lane* lane) {
  for (;;) {
    AlarmMessage msg;
    {
      std::unique_lock lock(lane->mu);
      lane->cv.wait(lock, [lane] { return lane->stop || !lane->queue.empty(); });
      if (lane->stop) return;
      msg = std::move(lane->queue.front());
      lane->queue.pop_front();
      lane->busy = true;
    }
    Status s = Deliver(lane, msg);
    if (outcome_) outcome_(lane->channel->name(), msg, s);
    std::lock_guard lock(lane->mu);
    lane->busy = false;
  }
}

Status AlarmDispatcher::Deliver(Lane* lane, const AlarmMessage& msg) {
  auto backoff = options_.first_backoff;
  const int tries = std::max(1, options_.max_tries);
  Status s;
  for (int attempt = 1; attempt <= tries; ++attempt) {
    s = lane->channel->Send(msg);
    if (s.ok()) {
      lane->sent->Inc();
      return s;
    }
    lane->failures->Inc();
    if (attempt == tries) break;
    kLog.Warn("alarm {} ({}) via {}: attempt {} failed: {}; retrying", msg.rule, msg.state,
              lane->channel->name(), attempt, s.ToString());
    // Wait out the backoff, but wake at once for Stop(): a shutdown must not hang on a retry.
    std::unique_lock lock(lane->mu);
    if (lane->cv.wait_for(lock, backoff, [lane] { return lane->stop; })) {
      metrics_->dropped()->Inc();
      return s.Annotate("shutting down before the next try");
    }
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  kLog.Error("alarm {} ({}) via {}: giving up after {} tries: {}", msg.rule, msg.state,
             lane->channel->name(), tries, s.ToString());
  metrics_->dropped()->Inc();
  return s;
}

}  // namespace ct
