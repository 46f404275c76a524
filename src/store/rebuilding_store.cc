#include "store/rebuilding_store.h"

#include <utility>

#include "common/log.h"

namespace ct {
namespace {

const Logger& Log() {
  static const Logger log("store");
  return log;
}

}  // namespace

RebuildingStore::RebuildingStore(std::unique_ptr<Store> initial, Factory factory,
                                 MetricsRegistry* metrics, Clock* clock,
                                 std::chrono::milliseconds min_interval)
    : factory_(std::move(factory)),
      clock_(clock),
      min_interval_(min_interval),
      rebuilds_(metrics->AddCounter("clicktrail_store_rebuilds_total",
                                    "Store clients torn down and reopened after failures.")),
      rebuild_failures_(metrics->AddCounter(
          "clicktrail_store_rebuild_failures_total",
          "Store rebuilds whose fresh client could not be opened (the old one was kept).")),
      inner_(std::move(initial)) {}

std::shared_ptr<Store> RebuildingStore::Target() const {
  std::lock_guard lock(mu_);
  return inner_;
}

Status RebuildingStore::Rebuild() {
  std::unique_lock rebuild_lock(rebuild_mu_, std::try_to_lock);
  if (!rebuild_lock.owns_lock()) return Status::Unavailable("store rebuild already running");
  const auto now = clock_->SteadyNow();
  if (last_rebuild_ && now - *last_rebuild_ < min_interval_) {
    return Status::Unavailable("store rebuilt less than " + std::to_string(min_interval_.count()) +
                               " ms ago");
  }
  // An attempt counts against the rate limit whether or not it works: reopening a store that
  // is down in a tight loop only adds load to it.
  last_rebuild_ = now;
  Result<std::unique_ptr<Store>> fresh = factory_();
  if (!fresh.ok()) {
    rebuild_failures_->Inc();
    Log().Warn("store rebuild failed, keeping the current client: {}", fresh.status().ToString());
    return fresh.status().Annotate("rebuilding the store");
  }
  std::shared_ptr<Store> old;
  {
    std::lock_guard lock(mu_);
    old = std::exchange(inner_, std::shared_ptr<Store>(std::move(fresh).value()));
  }
  rebuilds_->Inc();
  Log().Warn("store client rebuilt; the old one closes once its calls in flight return");
  return Status::Ok();  // `old` is released here (or by its last caller), outside mu_
}

}  // namespace ct
