// RebuildingStore: forwarding, swapping the inner client, keeping it when the factory fails,
// and calls racing a Rebuild.
#include "store/rebuilding_store.h"

#include <atomic>
#include <thread>
#include <vector>

#include "store_fixture.h"

namespace ct::testing_store {
namespace {

using std::chrono::milliseconds;

class RebuildingStoreTest : public StoreTest {
 protected:
  // A RebuildingStore over a fresh client of the fixture's file; the factory opens another
  // (counted), or fails while `fail_factory` is set.
  std::unique_ptr<RebuildingStore> Wrap(milliseconds min_interval = milliseconds(0)) {
    return std::make_unique<RebuildingStore>(
        Open(),
        [this]() -> Result<std::unique_ptr<Store>> {
          ++factory_calls_;
          if (fail_factory_) return Status::Unavailable("injected: cannot open");
          return Open();
        },
        &metrics_, &clock_, min_interval);
  }

  MetricsRegistry metrics_;
  std::atomic<int> factory_calls_{0};
  std::atomic<bool> fail_factory_{false};
};

TEST_F(RebuildingStoreTest, ForwardsEveryCall) {
  auto store = Wrap();
  int64_t account = Account("acme", store.get());
  LinkRow link = Link(account, "promo", store.get());
  auto got = store->GetLink(account, link.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->slug, "promo");
  // The same file under the fixture's own client.
  auto direct = store_->GetLink(account, link.id);
  ASSERT_TRUE(direct.ok() && direct->has_value());
  EXPECT_TRUE(store->Probe().ok());
  auto pos = store->ConsumedPosition("journal");
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ(*pos, 0u);
}

TEST_F(RebuildingStoreTest, RebuildSwapsInAFreshClient) {
  auto store = Wrap();
  int64_t account = Account("acme", store.get());
  ASSERT_TRUE(store->Rebuild().ok());
  EXPECT_EQ(factory_calls_.load(), 1);
  EXPECT_EQ(store->Rebuilds(), 1u);
  EXPECT_EQ(metrics_.Value("clicktrail_store_rebuilds_total"), 1);
  // The new client sees what the old one wrote, and works.
  LinkRow link = Link(account, "after-rebuild", store.get());
  EXPECT_GT(link.id, 0);
  EXPECT_TRUE(store->Probe().ok());
}

TEST_F(RebuildingStoreTest, FailingFactoryKeepsTheOldClient) {
  auto store = Wrap();
  int64_t account = Account("acme", store.get());
  fail_factory_ = true;
  Status s = store->Rebuild();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("injected"), std::string::npos);
  EXPECT_EQ(store->Rebuilds(), 0u);
  EXPECT_EQ(store->RebuildFailures(), 1u);
  EXPECT_EQ(metrics_.Value("clicktrail_store_rebuild_failures_total"), 1);
  LinkRow link = Link(account, "still-works", store.get());
  EXPECT_GT(link.id, 0);
}

TEST_F(RebuildingStoreTest, RebuildsAreRateLimited) {
  auto store = Wrap(milliseconds(10'000));
  ASSERT_TRUE(store->Rebuild().ok());
  Status s = store->Rebuild();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(factory_calls_.load(), 1);
  clock_.Advance(std::chrono::seconds(11));
  EXPECT_TRUE(store->Rebuild().ok());
  EXPECT_EQ(factory_calls_.load(), 2);
}

TEST_F(RebuildingStoreTest, ConcurrentCallsDuringRebuildAreSafe) {
  auto store = Wrap();
  int64_t account = Account("acme", store.get());
  LinkRow link = Link(account, "busy", store.get());
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::atomic<int> calls{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t) {
    callers.emplace_back([&] {
      while (!stop) {
        auto got = store->GetLink(account, link.id);
        if (!got.ok() || !got->has_value()) ++errors;
        if (!store->ConsumedPosition("journal").ok()) ++errors;
        ++calls;
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(store->Rebuild().ok());
    std::this_thread::sleep_for(milliseconds(2));
  }
  stop = true;
  for (auto& t : callers) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GT(calls.load(), 0);
  EXPECT_EQ(store->Rebuilds(), 20u);
}

}  // namespace
}  // namespace ct::testing_store
