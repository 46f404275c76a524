// CallbackGate: the only way a libnats thread calls into our objects. The library runs ack
// handlers and subscription handlers on its own threads, and natsConnection_Close() does not
// wait for a handler that is already running (nor for one whose message the delivery thread has
// already dequeued): the handler can start or finish after Close() returned, after the owner
// was destroyed. So the closure handed to the library is a gate, never the owner: the owner
// Close()s it before it goes away (waiting for the handlers inside), and a handler that comes
// later finds it closed and touches nothing of the owner's.
//
// A gate outlives its owner, since the library may call through it at any later time: gates
// are never freed (one per JetStreamClient, a few per process; kept reachable so leak checkers
// stay quiet).
#pragma once

#include <condition_variable>
#include <mutex>

namespace ct {

class CallbackGate {
 public:
  // A new, closed gate for `owner`, living until the process exits.
  static CallbackGate* Create(void* owner);

  // Runs `fn(owner)` unless the gate is closed; true if it ran. Close() waits for it.
  template <typename F>
  bool Run(F&& fn) {
    {
      std::lock_guard lock(mu_);
      if (!open_) return false;
      ++running_;
    }
    fn(owner_);
    std::lock_guard lock(mu_);
    if (--running_ == 0) cv_.notify_all();
    return true;
  }
  void Open();
  // Closes and waits for the handlers running now: none runs after this returns (until Open()).
  // Never call it from inside Run (it would wait for itself).
  void Close();

 private:
  explicit CallbackGate(void* owner) : owner_(owner) {}

  void* const owner_;  // only used while open: the owner closes the gate before it goes away
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int running_ = 0;
};

}  // namespace ct
