// "ip_30min" uniques on PostgreSQL, held to the SQLite store's behaviour: the cases of
// tests/unit/store/sqlite_ip_uniques_test.cc (the 30-minute boundary to the microsecond, per
// link, event-time order within a batch, a late earlier click taking a later one's uniqueness
// in rollups, breakdowns and the raw hit, bots and HEADs never seen, replays, pruning), and two
// trackers committing clicks of one IP on one link at once.
#include <thread>

#include "pg_conversion_fixture.h"

namespace ct::testing_pg {
namespace {

constexpr int64_t kWindow = kIpUniqueWindowUs;

class PgIpUniquesTest : public PgConversionTest {
 protected:
  void SetUp() override {
    PgConversionTest::SetUp();
    other_link_ = Link(account_, "other").id;
    auto a = store_->UpdateAccount(account_, {.unique_definition = UniqueDefinition::kIp30Min});
    ASSERT_TRUE(a.ok()) << a.status().ToString();
  }
  // Every click from a fresh visitor (so per_visitor_day would call each one unique).
  HitRecord Hit(int64_t time_us, const std::string& ip, int64_t link = 0,
                EventKind kind = EventKind::kClick) {
    const uint64_t n = ++n_;
    HitRecord h = MakeTimedHit(n, link ? link : link_, account_, time_us,
                               "visitor-" + std::to_string(n), kind);
    h.event.ip = ip;
    h.enrichment.country = "US";
    return h;
  }
  // The unique flags of the link's human clicks, oldest first by event time.
  std::vector<bool> Flags(int64_t link = 0) {
    const std::string out =
        Sql("SELECT string_agg(CASE WHEN is_unique THEN '1' ELSE '0' END, '' ORDER BY time_us, "
            "event_id) FROM hits WHERE kind = 1 AND link_id = " +
            std::to_string(link ? link : link_));
    std::vector<bool> flags;
    for (char c : out) {
      if (c == '0' || c == '1') flags.push_back(c == '1');
    }
    return flags;
  }
  int64_t Unique(int64_t from_us, int64_t to_us, Interval interval = Interval::kMinute) {
    return Stats(account_, link_, interval, from_us, to_us).unique;
  }
  int64_t CountryUniques() {
    auto rows = store_->GetBreakdown({.account_id = account_,
                                      .link_id = link_,
                                      .from_us = kDay0 - kDayUs,
                                      .to_us = kDay0 + kDayUs,
                                      .interval = Interval::kHour},
                                     Dimension::kCountry, 10);
    EXPECT_TRUE(rows.ok() && rows->has_value());
    if (!rows.ok() || !*rows) return -1;
    for (const BreakdownRow& r : **rows) {
      if (r.value == "US") return r.unique;
    }
    return 0;
  }

  int64_t other_link_ = 0;
  uint64_t n_ = 0;
};

TEST_F(PgIpUniquesTest, ThirtyMinuteBoundaryIsExact) {
  const int64_t t0 = kDay0 + kHourUs;
  Commit({Hit(t0, "10.0.0.1"), Hit(t0 + kWindow - 1, "10.0.0.1"), Hit(t0, "10.0.0.2"),
          Hit(t0 + kWindow, "10.0.0.2"), Hit(t0 + kWindow, "10.0.0.3"),
          Hit(t0 + kWindow, "10.0.0.3")});
  EXPECT_EQ(Unique(t0, t0 + 1), 2);
  EXPECT_EQ(Unique(t0 + kWindow - kMinuteUs, t0 + kWindow), 0);
  EXPECT_EQ(Unique(t0 + kWindow, t0 + kWindow + 1), 2);
  EXPECT_EQ(Stats(account_, link_, Interval::kDay).total, 6);
  EXPECT_EQ(Stats(account_, link_, Interval::kDay).unique, 4);
  EXPECT_EQ(CountryUniques(), 4);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM hits WHERE is_unique"), 4);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM visitor_days"), 0);  // not used by ip_30min
}

TEST_F(PgIpUniquesTest, PerLinkAndNotPerVisitor) {
  const int64_t t0 = kDay0 + kHourUs;
  Commit({Hit(t0, "10.0.0.1"), Hit(t0 + kMinuteUs, "10.0.0.1"),
          Hit(t0 + 2 * kMinuteUs, "10.0.0.1", other_link_)});
  EXPECT_EQ(Flags(), (std::vector<bool>{true, false}));
  EXPECT_EQ(Flags(other_link_), (std::vector<bool>{true}));
}

TEST_F(PgIpUniquesTest, OutOfOrderWithinABatchIsDecidedByEventTime) {
  const int64_t t0 = kDay0 + kHourUs;
  Commit({Hit(t0 + 20 * kMinuteUs, "10.0.0.1"), Hit(t0 + 45 * kMinuteUs, "10.0.0.1"),
          Hit(t0, "10.0.0.1")});
  EXPECT_EQ(Flags(), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(Unique(t0, t0 + kMinuteUs), 1);
  EXPECT_EQ(Unique(t0 + kMinuteUs, t0 + kHourUs), 0);
}

TEST_F(PgIpUniquesTest, ALateEarlierClickTakesTheNextOnesUniqueness) {
  const int64_t t0 = kDay0 + kHourUs;
  Commit({Hit(t0 + 20 * kMinuteUs, "10.0.0.1"), Hit(t0 + 70 * kMinuteUs, "10.0.0.1")});
  EXPECT_EQ(Flags(), (std::vector<bool>{true, true}));
  Commit({Hit(t0, "10.0.0.1")});
  EXPECT_EQ(Flags(), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(Unique(t0, t0 + kMinuteUs), 1);
  EXPECT_EQ(Unique(t0 + 20 * kMinuteUs, t0 + 21 * kMinuteUs), 0);
  EXPECT_EQ(Stats(account_, link_, Interval::kDay).unique, 2);
  EXPECT_EQ(Stats(account_, link_, Interval::kHour).unique, 2);
  EXPECT_EQ(CountryUniques(), 2);
  EXPECT_EQ(Int("SELECT SUM(unique_count) FROM account_rollups WHERE granularity = 86400"), 2);
  EXPECT_EQ(Int("SELECT SUM(unique_count) FROM combo_rollups"), 2);
  Commit({Hit(t0 - 40 * kMinuteUs, "10.0.0.1")});
  EXPECT_EQ(Flags(), (std::vector<bool>{true, true, false, true}));
  EXPECT_EQ(Stats(account_, link_, Interval::kDay).unique, 3);
  Commit({Hit(t0 + 10 * kMinuteUs, "10.0.0.1")});
  EXPECT_EQ(Flags(), (std::vector<bool>{true, true, false, false, true}));
  EXPECT_EQ(Stats(account_, link_, Interval::kDay).unique, 3);
  EXPECT_EQ(CountryUniques(), 3);
}

TEST_F(PgIpUniquesTest, BotsAndHeadsAreNeverSeenAndReplaysChangeNothing) {
  const int64_t t0 = kDay0 + kHourUs;
  HitRecord bot = Hit(t0, "10.0.0.1");
  bot.enrichment.bot = true;
  HitRecord human = Hit(t0 + 2, "10.0.0.1");
  Commit({bot, Hit(t0 + 1, "10.0.0.1", 0, EventKind::kHead), human});
  EXPECT_EQ(Stats(account_, link_, Interval::kDay).unique, 1);
  Commit({human, Hit(t0 + 3, "10.0.0.1")});
  LinkStats day = Stats(account_, link_, Interval::kDay);
  EXPECT_EQ(day.total, 2);
  EXPECT_EQ(day.unique, 1);
  EXPECT_EQ(day.bots, 1);
  EXPECT_EQ(day.head, 1);
}

TEST_F(PgIpUniquesTest, PerVisitorDayAccountsAreUntouched) {
  int64_t other = Account("daily");
  int64_t link = Link(other, "daily").id;
  const int64_t t0 = kDay0 + kHourUs;
  HitRecord a = MakeTimedHit(100, link, other, t0, "v1");
  HitRecord b = MakeTimedHit(101, link, other, t0 + kMinuteUs, "v2");
  HitRecord c = MakeTimedHit(102, link, other, t0 + 2 * kHourUs, "v1");
  Commit({a, b, c});
  EXPECT_EQ(Stats(other, link, Interval::kDay).unique, 2);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM ip_sightings"), 0);
}

TEST_F(PgIpUniquesTest, SightingsArePrunedInBoundedBatches) {
  const int64_t t0 = kDay0 + kHourUs;
  std::vector<HitRecord> hits;
  for (int i = 0; i < 5; ++i) hits.push_back(Hit(t0 + i, "10.0.0." + std::to_string(i)));
  hits.push_back(Hit(t0 + kHourUs, "10.0.0.9"));
  Commit(hits);
  Result<int64_t> n = store_->ExpireIpSightings(t0 + kMinuteUs, 3);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 3);
  n = store_->ExpireIpSightings(t0 + kMinuteUs, 3);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(*store_->ExpireIpSightings(t0 + kMinuteUs, 3), 0);
  Commit({Hit(t0 + 2 * kMinuteUs, "10.0.0.0"), Hit(t0 + kHourUs + 1, "10.0.0.9")});
  EXPECT_EQ(Stats(account_, link_, Interval::kDay).unique, 7);
}

// Two trackers commit clicks of the same IPs on one link at once, in many small batches: the
// (link, ip) locks make them decide one after the other, so the uniques are what one tracker
// committing everything in event-time order would count.
TEST_F(PgIpUniquesTest, TwoTrackersCommittingOneIpCountItsUniquesOnce) {
  std::unique_ptr<Store> second = Open();
  ASSERT_NE(second, nullptr);
  positions_["t1"] = positions_["t2"] = 0;  // no insertion into the map from the threads
  const int64_t t0 = kDay0 + kHourUs;
  // Per IP, clicks at 0, 20, 60, 80, 120... minutes: each on the hour is unique (40 minutes
  // after the one before), each 20 past is not; the two trackers get one kind each, so a
  // tracker deciding without seeing the other's uncommitted clicks would count both.
  constexpr int kClicks = 30;
  std::vector<HitRecord> a_hits, b_hits;
  for (int ip = 0; ip < 4; ++ip) {
    for (int i = 0; i < kClicks; ++i) {
      HitRecord h =
          Hit(t0 + (i / 2) * kHourUs + (i % 2) * 20 * kMinuteUs, "10.1.0." + std::to_string(ip));
      (i % 2 == 0 ? a_hits : b_hits).push_back(h);
    }
  }
  auto run = [&](std::vector<HitRecord> hits, Store* store, const std::string& consumer) {
    for (size_t i = 0; i < hits.size(); i += 5) {
      std::vector<HitRecord> batch(
          hits.begin() + static_cast<ptrdiff_t>(i),
          hits.begin() + static_cast<ptrdiff_t>(std::min(i + 5, hits.size())));
      Commit(std::move(batch), store, consumer);
    }
  };
  std::thread t1([&] { run(a_hits, store_.get(), "t1"); });
  std::thread t2([&] { run(b_hits, second.get(), "t2"); });
  t1.join();
  t2.join();
  LinkStats day = Stats(account_, link_, Interval::kDay);
  EXPECT_EQ(day.total, 4 * kClicks);
  EXPECT_EQ(day.unique, 4 * kClicks / 2);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM hits WHERE is_unique"), 4 * kClicks / 2);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM ip_sightings WHERE is_unique"), 4 * kClicks / 2);
  EXPECT_EQ(CountryUniques(), 4 * kClicks / 2);
}

}  // namespace
}  // namespace ct::testing_pg
