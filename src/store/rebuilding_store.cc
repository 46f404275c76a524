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

std::shared_ptr<Store> RebuildingStore::Current() const {
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

Result<int64_t> RebuildingStore::CreateAccount(const NewAccount& account) {
  return Current()->CreateAccount(account);
}
Result<std::optional<ApiKeyInfo>> RebuildingStore::FindApiKey(const std::string& key_hash) {
  return Current()->FindApiKey(key_hash);
}
Result<LinkRow> RebuildingStore::CreateLink(const NewLink& link) {
  return Current()->CreateLink(link);
}
Result<std::optional<LinkRow>> RebuildingStore::GetLink(int64_t account_id, int64_t link_id) {
  return Current()->GetLink(account_id, link_id);
}
Result<LinkPage> RebuildingStore::ListLinks(int64_t account_id, int64_t after_id, int limit) {
  return Current()->ListLinks(account_id, after_id, limit);
}
Result<std::optional<LinkRow>> RebuildingStore::UpdateLink(int64_t account_id, int64_t link_id,
                                                           const LinkUpdate& update) {
  return Current()->UpdateLink(account_id, link_id, update);
}
Result<bool> RebuildingStore::DeleteLink(int64_t account_id, int64_t link_id) {
  return Current()->DeleteLink(account_id, link_id);
}
Result<LinkChanges> RebuildingStore::LinksChangedSince(int64_t version) {
  return Current()->LinksChangedSince(version);
}
Result<CommitResult> RebuildingStore::Commit(const CommitBatch& batch) {
  return Current()->Commit(batch);
}
Result<uint64_t> RebuildingStore::ConsumedPosition(const std::string& consumer) {
  return Current()->ConsumedPosition(consumer);
}
Result<std::optional<LinkStats>> RebuildingStore::GetLinkStats(const StatsQuery& query) {
  return Current()->GetLinkStats(query);
}
Status RebuildingStore::Probe() { return Current()->Probe(); }

}  // namespace ct
