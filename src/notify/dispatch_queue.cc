#include "notify/dispatch_queue.h"

#include <algorithm>

namespace ct::notify {

std::string EndpointKey(const DeliveryRow& row) {
  if (row.postback_id != 0) return "pb:" + std::to_string(row.postback_id);
  std::string_view url = row.url;
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string host(url.substr(start, end == std::string_view::npos ? url.npos : end - start));
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return "pg:" + std::to_string(row.account_id) + ":" + host;
}

DispatchQueue::DispatchQueue(int max_total, int per_endpoint, int per_account)
    : max_total_(std::max(1, max_total)),
      per_endpoint_(std::max(1, per_endpoint)),
      per_account_(std::max(1, per_account)) {}

void DispatchQueue::Push(Job job) { waiting_.push_back(std::move(job)); }

std::vector<Job> DispatchQueue::TakeStartable() {
  std::vector<Job> out;
  for (auto it = waiting_.begin(); it != waiting_.end() && running_ < max_total_;) {
    const DeliveryRow& row = it->delivery.row;
    std::string key = EndpointKey(row);
    auto endpoint = per_endpoint_running_.find(key);
    auto account = per_account_running_.find(row.account_id);
    if ((endpoint != per_endpoint_running_.end() && endpoint->second >= per_endpoint_) ||
        (account != per_account_running_.end() && account->second >= per_account_)) {
      ++it;
      continue;
    }
    ++per_endpoint_running_[key];
    ++per_account_running_[row.account_id];
    ++running_;
    out.push_back(std::move(*it));
    it = waiting_.erase(it);
  }
  return out;
}

void DispatchQueue::Release(const DeliveryRow& row) {
  // Erase zero counts so the maps stay as small as the set of busy endpoints.
  auto endpoint = per_endpoint_running_.find(EndpointKey(row));
  if (endpoint != per_endpoint_running_.end() && --endpoint->second <= 0) {
    per_endpoint_running_.erase(endpoint);
  }
  auto account = per_account_running_.find(row.account_id);
  if (account != per_account_running_.end() && --account->second <= 0) {
    per_account_running_.erase(account);
  }
  --running_;
}

std::vector<Job> DispatchQueue::DropWaiting(const std::function<bool(const Job&)>& drop) {
  std::vector<Job> out;
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (drop(*it)) {
      out.push_back(std::move(*it));
      it = waiting_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

}  // namespace ct::notify
