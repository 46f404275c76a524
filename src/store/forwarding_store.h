// ForwardingStore: a Store that passes every call to another Store (Target()). Wrappers that
// change one or two calls — RebuildingStore, the tests' failing and recording stores — derive
// from it and override only those, so a method added to Store is forwarded in one place.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace ct {

class ForwardingStore : public Store {
 public:
  Result<int64_t> CreateAccount(const NewAccount& a) override { return Target()->CreateAccount(a); }
  Result<std::optional<ApiKeyInfo>> FindApiKey(const std::string& key_hash) override {
    return Target()->FindApiKey(key_hash);
  }
  Result<LinkRow> CreateLink(const NewLink& l) override { return Target()->CreateLink(l); }
  Result<std::vector<LinkRow>> CreateLinks(const std::vector<NewLink>& l) override {
    return Target()->CreateLinks(l);
  }
  Result<std::optional<LinkRow>> GetLink(int64_t account_id, int64_t link_id) override {
    return Target()->GetLink(account_id, link_id);
  }
  Result<LinkPage> ListLinks(int64_t account_id, const LinkFilter& filter, int64_t after_id,
                             int limit) override {
    return Target()->ListLinks(account_id, filter, after_id, limit);
  }
  Result<std::optional<LinkRow>> UpdateLink(int64_t account_id, int64_t link_id,
                                            const LinkUpdate& update) override {
    return Target()->UpdateLink(account_id, link_id, update);
  }
  Result<bool> DeleteLink(int64_t account_id, int64_t link_id) override {
    return Target()->DeleteLink(account_id, link_id);
  }
  Result<DomainRow> CreateDomain(int64_t account_id, const std::string& host) override {
    return Target()->CreateDomain(account_id, host);
  }
  Result<std::vector<DomainRow>> ListDomains(int64_t account_id) override {
    return Target()->ListDomains(account_id);
  }
  Result<bool> DeleteDomain(int64_t account_id, int64_t domain_id) override {
    return Target()->DeleteDomain(account_id, domain_id);
  }
  Result<LinkChanges> LinksChangedSince(int64_t version) override {
    return Target()->LinksChangedSince(version);
  }
  Result<CommitResult> Commit(const CommitBatch& batch) override { return Target()->Commit(batch); }
  Result<uint64_t> ConsumedPosition(const std::string& consumer) override {
    return Target()->ConsumedPosition(consumer);
  }
  Result<std::optional<LinkStats>> GetLinkStats(const StatsQuery& query) override {
    return Target()->GetLinkStats(query);
  }
  Result<std::optional<std::vector<BreakdownRow>>> GetBreakdown(const StatsQuery& query,
                                                                Dimension dimension,
                                                                int limit) override {
    return Target()->GetBreakdown(query, dimension, limit);
  }
  Result<std::vector<TopLink>> GetTopLinks(int64_t account_id, int64_t from_us, int64_t to_us,
                                           int limit) override {
    return Target()->GetTopLinks(account_id, from_us, to_us, limit);
  }
  Result<std::optional<HitPage>> ListHits(int64_t account_id, int64_t link_id,
                                          const std::optional<HitCursor>& after,
                                          int limit) override {
    return Target()->ListHits(account_id, link_id, after, limit);
  }
  Result<int64_t> ExpireHits(int64_t before_us, int64_t max_rows) override {
    return Target()->ExpireHits(before_us, max_rows);
  }
  Status Probe() override { return Target()->Probe(); }

 protected:
  // The store to call; pinned by the returned pointer for the duration of one call.
  virtual std::shared_ptr<Store> Target() const = 0;
};

// Forwards to a store it does not own.
class StoreWrapper : public ForwardingStore {
 public:
  explicit StoreWrapper(Store* inner) : inner_(inner, [](Store*) {}) {}

 protected:
  std::shared_ptr<Store> Target() const override { return inner_; }

 private:
  std::shared_ptr<Store> inner_;
};

}  // namespace ct
