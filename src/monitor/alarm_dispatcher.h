// AlarmDispatcher: takes alarm messages off the evaluation thread and delivers them.
//
// Each channel gets its own bounded queue and its own thread, so a channel that hangs until its
// timeout (a dead SMTP server) or is retrying with backoff never delays another channel, and
// never delays evaluation: Enqueue() only takes a short lock. Within one channel messages go out
// in order. A failed Send() is retried after `first_backoff`, doubling up to `max_backoff`, for
// at most `max_tries` attempts; then the message is dropped, counted, and reported.
//
// Backoff waits use real (steady) time, not the engine's Clock: they pace calls to real servers.
//
// Thread safety: Enqueue() from any thread. The outcome callback runs on a channel's thread,
// with no dispatcher lock held. Stop() (also run by the destructor) abandons queued messages
// (counted as dropped), interrupts backoff waits, lets a Send() in progress finish (bounded by
// the channel's own timeouts) and joins the threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "monitor/alarm_channel.h"
#include "monitor/alarm_metrics.h"

namespace ct {

struct AlarmDispatcherOptions {
  size_t queue_limit = 1000;  // messages per channel; an alarm storm must not eat the memory
  int max_tries = 5;          // attempts per message and channel
  std::chrono::milliseconds first_backoff{1000};  // 1 s, 2 s, 4 s, 8 s between the 5 tries
  std::chrono::milliseconds max_backoff{60000};
};

// Called once per (message, channel): OK when delivered, else the last error after the last try
// (or the reason it was dropped).
using AlarmOutcome =
    std::function<void(const std::string& channel, const AlarmMessage& msg, const Status& s)>;

class AlarmDispatcher {
 public:
  // `metrics` is not owned and must outlive the dispatcher. Threads start in Start().
  AlarmDispatcher(AlarmDispatcherOptions options,
                  std::vector<std::unique_ptr<AlarmChannel>> channels, AlarmMetrics* metrics,
                  AlarmOutcome outcome);
  ~AlarmDispatcher();
  AlarmDispatcher(const AlarmDispatcher&) = delete;
  AlarmDispatcher& operator=(const AlarmDispatcher&) = delete;

  void Start();
  void Stop();

  // Queues `msg` for the channel called `channel`. False (and counted as dropped) if the queue
  // is full, the channel is unknown, or the dispatcher is stopped.
  bool Enqueue(const std::string& channel, AlarmMessage msg);

  bool HasChannel(const std::string& name) const;
  std::vector<std::string> ChannelNames() const;
  // Messages queued or in flight, over all channels (for tests and the status page).
  size_t Pending() const;

 private:
  struct Lane {
    std::unique_ptr<AlarmChannel> channel;
    Counter* sent = nullptr;
    Counter* failures = nullptr;
    mutable std::mutex mu;
    std::condition_variable cv;
    std::deque<AlarmMessage> queue;
    bool busy = false;  // a message is taken off the queue and being delivered
    bool stop = false;
    std::thread thread;
  };

  void Run(Lane* lane);
  // Tries `msg` up to max_tries times; returns the final status.
  Status Deliver(Lane* lane, const AlarmMessage& msg);
  Lane* Find(const std::string& name) const;

  const AlarmDispatcherOptions options_;
  AlarmMetrics* metrics_;
  AlarmOutcome outcome_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  bool started_ = false;
};

}  // namespace ct
