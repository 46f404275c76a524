#include "bus/callback_gate.h"

#include <deque>

namespace ct {

CallbackGate* CallbackGate::Create(void* owner) {
  // Never destroyed (see the header): a static registry keeps them reachable.
  static std::mutex mu;
  static auto* gates = new std::deque<CallbackGate*>();
  std::lock_guard lock(mu);
  gates->push_back(new CallbackGate(owner));
  return gates->back();
}

void CallbackGate::Open() {
  std::lock_guard lock(mu_);
  open_ = true;
}

void CallbackGate::Close() {
  std::unique_lock lock(mu_);
  open_ = false;
  cv_.wait(lock, [&] { return running_ == 0; });
}

}  // namespace ct
