// RebuildingStore: a Store that forwards every call to an inner Store it can replace while
// running. DESIGN.md promise 4: "a client that keeps failing is torn down and rebuilt rather
// than trusted" — the store prober and the tracker call Rebuild() after repeated failures, and
// every user of the store (tracker, API, link syncer) moves to the fresh client at once.
//
// Swapping: the inner store is held in a shared_ptr; each call copies it under a mutex and
// makes the call with the lock released, so a call hung in the old client never blocks a
// Rebuild or the calls that follow it. The old client is destroyed when its last call returns.
//
// Rebuild() opens a fresh client with the factory and swaps it in; if the factory fails the
// old client stays. Rebuilds are rate-limited (min_interval) and never run two at once: a
// Rebuild asked too soon, or while another runs, returns kUnavailable without opening anything.
//
// Metrics: clicktrail_store_rebuilds_total, clicktrail_store_rebuild_failures_total.
// Thread safety: every method may be called from any thread. `metrics` and `clock` must outlive
// the store.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "monitor/metrics.h"
#include "store/forwarding_store.h"

namespace ct {

class RebuildingStore : public ForwardingStore {
 public:
  using Factory = std::function<Result<std::unique_ptr<Store>>()>;

  // `initial` is the first client (already opened by the caller, who reports its error).
  RebuildingStore(std::unique_ptr<Store> initial, Factory factory, MetricsRegistry* metrics,
                  Clock* clock, std::chrono::milliseconds min_interval = kDefaultMinInterval);

  // At most one rebuild per 10 s: opening a client is not free, and a store that is down stays
  // down however often it is reopened.
  static constexpr std::chrono::milliseconds kDefaultMinInterval{10000};

  // Opens a fresh client and swaps it in. Errors: the factory's (old client kept), or
  // kUnavailable when rate-limited or another rebuild is running.
  Status Rebuild();
  uint64_t Rebuilds() const { return rebuilds_->Value(); }
  uint64_t RebuildFailures() const { return rebuild_failures_->Value(); }

 protected:
  // The current client, pinned for the duration of one call.
  std::shared_ptr<Store> Target() const override;

 private:
  const Factory factory_;
  Clock* const clock_;
  const std::chrono::milliseconds min_interval_;
  Counter* const rebuilds_;
  Counter* const rebuild_failures_;

  mutable std::mutex mu_;  // guards inner_ only; never held during a call
  std::shared_ptr<Store> inner_;

  std::mutex rebuild_mu_;  // one rebuild at a time; guards last_rebuild_
  std::optional<std::chrono::steady_clock::time_point> last_rebuild_;
};

}  // namespace ct
