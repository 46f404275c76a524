// HitRetention: the cutoff is now minus the retention, deletion runs in bounded batches until a
// short one, 0 days means never, and a store error ends the sweep without a crash.
#include "tracker/hit_retention.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "store/forwarding_store.h"

namespace ct {
namespace {

constexpr int64_t kDayUs = 86'400'000'000;

// Only ExpireHits matters: it records its calls and deletes from a pretend table of times.
class ExpiringStore : public ForwardingStore {
 public:
  Result<int64_t> ExpireHits(int64_t before_us, int64_t max_rows) override {
    calls.push_back({before_us, max_rows});
    if (fail) return Status::Unavailable("injected");
    int64_t n = 0;
    for (auto it = times.begin(); it != times.end() && n < max_rows;) {
      if (*it < before_us) {
        it = times.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    return n;
  }
  Result<int64_t> ExpireIpSightings(int64_t before_us, int64_t max_rows) override {
    sighting_calls.push_back({before_us, max_rows});
    return int64_t{0};
  }
  std::vector<std::pair<int64_t, int64_t>> calls;
  std::vector<std::pair<int64_t, int64_t>> sighting_calls;
  std::vector<int64_t> times;
  bool fail = false;

 protected:
  std::shared_ptr<Store> Target() const override { return nullptr; }
};

TEST(HitRetentionTest, DeletesOlderThanTheRetentionInBatches) {
  FakeClock clock(100 * kDayUs);
  ExpiringStore store;
  for (int i = 0; i < 25; ++i) store.times.push_back(90 * kDayUs + i);  // 10 days old
  store.times.push_back(95 * kDayUs);                                   // 5 days old: kept
  HitRetentionOptions o;
  o.retention_days = 7;
  o.batch_rows = 10;
  o.pause = std::chrono::milliseconds(0);
  HitRetention r(o, &store, &clock);
  Result<int64_t> n = r.RunOnce();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 25);
  ASSERT_EQ(store.calls.size(), 3u);  // 10, 10, 5 (< batch: done)
  EXPECT_EQ(store.calls[0].first, 93 * kDayUs);
  EXPECT_EQ(store.calls[0].second, 10);
  EXPECT_EQ(store.times.size(), 1u);
}

TEST(HitRetentionTest, ZeroDaysKeepsEverything) {
  FakeClock clock(100 * kDayUs);
  ExpiringStore store;
  store.times.push_back(0);
  HitRetention r(HitRetentionOptions{}, &store, &clock);
  Result<int64_t> n = r.RunOnce();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  EXPECT_TRUE(store.calls.empty());
}

TEST(HitRetentionTest, IpSightingsArePrunedAfterTwoDaysWhateverTheHitsRetention) {
  FakeClock clock(100 * kDayUs);
  ExpiringStore store;
  HitRetentionOptions o;  // hits kept forever
  o.batch_rows = 10;
  HitRetention r(o, &store, &clock);
  ASSERT_TRUE(r.PruneIpSightings().ok());
  ASSERT_EQ(store.sighting_calls.size(), 1u);
  EXPECT_EQ(store.sighting_calls[0].first, 100 * kDayUs - kIpSightingsKeepUs);
  EXPECT_EQ(store.sighting_calls[0].second, 10);
  EXPECT_TRUE(store.calls.empty());
}

TEST(HitRetentionTest, StoreErrorEndsTheSweep) {
  FakeClock clock(100 * kDayUs);
  ExpiringStore store;
  store.fail = true;
  HitRetentionOptions o;
  o.retention_days = 1;
  HitRetention r(o, &store, &clock);
  EXPECT_FALSE(r.RunOnce().ok());
  EXPECT_EQ(store.calls.size(), 1u);
}

TEST(HitRetentionTest, StopsPromptlyWithAThread) {
  FakeClock clock(100 * kDayUs);
  ExpiringStore store;
  HitRetentionOptions o;
  o.retention_days = 1;
  o.interval = std::chrono::hours(1);
  HitRetention r(o, &store, &clock);
  r.Start();
  auto t0 = std::chrono::steady_clock::now();
  r.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

}  // namespace
}  // namespace ct
