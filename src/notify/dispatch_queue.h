// The claimed deliveries waiting for a free slot, and the slots in use: at most max_total
// requests at once, per_endpoint to one endpoint and per_account for one account. Waiting
// deliveries start in FIFO order, but one whose endpoint or account is full is passed over, so a
// slow receiver holds up only its own deliveries (RELIABILITY.md F12, "Fairness").
//
// An endpoint is a postback (its id). Piggyback deliveries (postback_id 0) have no postback:
// each (account, URL host) is an endpoint of its own, so a slow partner pixel host delays only
// the piggybacks to that host.
//
// Not thread-safe: the notifier's thread owns it.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "store/store.h"

namespace ct::notify {

// A claimed delivery and the end of our lease on it.
struct Job {
  ClaimedDelivery delivery;
  int64_t lease_until_us = 0;
};

std::string EndpointKey(const DeliveryRow& row);

class DispatchQueue {
 public:
  DispatchQueue(int max_total, int per_endpoint, int per_account);

  void Push(Job job);
  // Removes the waiting jobs that fit the limits now, in FIFO order, and takes their slots.
  std::vector<Job> TakeStartable();
  // Gives back the slots of a job taken by TakeStartable.
  void Release(const DeliveryRow& row);
  // Removes (and returns) the waiting jobs for which `drop` is true.
  std::vector<Job> DropWaiting(const std::function<bool(const Job&)>& drop);

  size_t waiting() const { return waiting_.size(); }
  int running() const { return running_; }

 private:
  const int max_total_, per_endpoint_, per_account_;
  std::deque<Job> waiting_;
  int running_ = 0;
  std::map<std::string, int> per_endpoint_running_;
  std::map<int64_t, int> per_account_running_;
};

}  // namespace ct::notify
