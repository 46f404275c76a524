// The per-account unique definition (store.h UniqueDefinition) on SQLite: the account setting,
// and "ip_30min" as the commit applies it (store/sqlite/ip_uniques.h) — the 30-minute boundary
// to the microsecond, per link, by event time within a batch whatever its order, a late earlier
// click taking a later one's uniqueness (rollups, breakdowns and the raw hit all agree), bots
// and HEADs never seen, replays changing nothing, and the bounded pruning of sightings.
#include "store_fixture.h"

namespace ct::testing_store {
namespace {

constexpr int64_t kWindow = kIpUniqueWindowUs;

class IpUniquesTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    account_ = Account("acme");
    link_ = Link(account_, "promo").id;
    other_link_ = Link(account_, "other").id;
    auto a = store_->UpdateAccount(account_, {.unique_definition = UniqueDefinition::kIp30Min});
    ASSERT_TRUE(a.ok()) << a.status().ToString();
  }
  // Every click from a fresh visitor (so per_visitor_day would call each one unique).
  HitRecord Hit(int64_t time_us, const std::string& ip, int64_t link = 0,
                EventKind kind = EventKind::kClick) {
    const int64_t n = ++n_;
    HitRecord h =
        MakeHit(n, link ? link : link_, account_, time_us, "visitor-" + std::to_string(n), kind);
    h.event.ip = ip;
    h.enrichment.country = "US";
    return h;
  }
  void Commit(std::vector<HitRecord> hits) { CommitHits(std::move(hits)); }
  // The unique flags of the link's raw hits, oldest first by event time.
  std::vector<bool> Flags(int64_t link = 0) {
    auto page = store_->ListHits(account_, link ? link : link_, std::nullopt, 100);
    EXPECT_TRUE(page.ok() && page->has_value());
    std::vector<bool> out;
    if (!page.ok() || !*page) return out;
    for (auto it = (*page)->hits.rbegin(); it != (*page)->hits.rend(); ++it) {
      out.push_back(it->unique);
    }
    return out;
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

  int64_t account_ = 0, link_ = 0, other_link_ = 0;
  uint64_t n_ = 0, position_ = 0;
};

TEST_F(StoreTest, AccountUniqueDefinitionDefaultsAndChanges) {
  int64_t a = Account("a");
  int64_t b = Account("b");
  auto got = store_->GetAccount(a);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->name, "a");
  EXPECT_EQ((*got)->unique_definition, UniqueDefinition::kPerVisitorDay);
  got = store_->UpdateAccount(a, {.unique_definition = UniqueDefinition::kIp30Min});
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->unique_definition, UniqueDefinition::kIp30Min);
  EXPECT_EQ((*store_->GetAccount(a))->unique_definition, UniqueDefinition::kIp30Min);
  EXPECT_EQ((*store_->GetAccount(b))->unique_definition, UniqueDefinition::kPerVisitorDay);
  EXPECT_FALSE(store_->GetAccount(9999)->has_value());
  EXPECT_FALSE(store_->UpdateAccount(9999, {})->has_value());
  EXPECT_EQ(ParseUniqueDefinition("ip_30min"), UniqueDefinition::kIp30Min);
  EXPECT_EQ(UniqueDefinitionName(UniqueDefinition::kPerVisitorDay), "per_visitor_day");
}

TEST_F(IpUniquesTest, ThirtyMinuteBoundaryIsExact) {
  const int64_t t0 = kDay0 + kHourUs;
  Commit({Hit(t0, "10.0.0.1"), Hit(t0 + kWindow - 1, "10.0.0.1"),  // seen 1 us inside: not unique
          Hit(t0, "10.0.0.2"), Hit(t0 + kWindow, "10.0.0.2"),      // exactly 30 min: unique again
          Hit(t0 + kWindow, "10.0.0.3"), Hit(t0 + kWindow, "10.0.0.3")});  // same instant: first
  EXPECT_EQ(Unique(t0, t0 + 1), 2);
  EXPECT_EQ(Unique(t0 + kWindow - kMinuteUs, t0 + kWindow), 0);  // the minute of t0 + W - 1
  EXPECT_EQ(Unique(t0 + kWindow, t0 + kWindow + 1), 2);
  EXPECT_EQ(Stats(account_, link_, Interval::kDay).total, 6);
  EXPECT_EQ(Stats(account_, link_, Interval::kDay).unique, 4);
  EXPECT_EQ(CountryUniques(), 4);
}

TEST_F(IpUniquesTest, PerLinkAndNotPerVisitor) {
  const int64_t t0 = kDay0 + kHourUs;
  // Different visitors (cookies) behind one IP are one; the same IP on another link is new.
  Commit({Hit(t0, "10.0.0.1"), Hit(t0 + kMinuteUs, "10.0.0.1"),
          Hit(t0 + 2 * kMinuteUs, "10.0.0.1", other_link_)});
  EXPECT_EQ(Flags(), (std::vector<bool>{true, false}));
  EXPECT_EQ(Flags(other_link_), (std::vector<bool>{true}));
}

TEST_F(IpUniquesTest, OutOfOrderWithinABatchIsDecidedByEventTime) {
  const int64_t t0 = kDay0 + kHourUs;
  Commit({Hit(t0 + 20 * kMinuteUs, "10.0.0.1"), Hit(t0 + 45 * kMinuteUs, "10.0.0.1"),
          Hit(t0, "10.0.0.1")});
  // t0 unique; +20 min sees t0; +45 min sees +20 min.
  EXPECT_EQ(Flags(), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(Unique(t0, t0 + kMinuteUs), 1);
  EXPECT_EQ(Unique(t0 + kMinuteUs, t0 + kHourUs), 0);
}

TEST_F(IpUniquesTest, ALateEarlierClickTakesTheNextOnesUniqueness) {
  const int64_t t0 = kDay0 + kHourUs;
  Commit({Hit(t0 + 20 * kMinuteUs, "10.0.0.1"), Hit(t0 + 70 * kMinuteUs, "10.0.0.1")});
  EXPECT_EQ(Flags(), (std::vector<bool>{true, true}));
  Commit({Hit(t0, "10.0.0.1")});  // late: 20 minutes before a committed unique click
  EXPECT_EQ(Flags(), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(Unique(t0, t0 + kMinuteUs), 1);
  EXPECT_EQ(Unique(t0 + 20 * kMinuteUs, t0 + 21 * kMinuteUs), 0);
  EXPECT_EQ(Stats(account_, link_, Interval::kDay).unique, 2);
  EXPECT_EQ(Stats(account_, link_, Interval::kHour).unique, 2);
  EXPECT_EQ(CountryUniques(), 2);
  // Later still, and 40 minutes before t0: out of reach, t0 keeps its uniqueness.
  Commit({Hit(t0 - 40 * kMinuteUs, "10.0.0.1")});
  EXPECT_EQ(Flags(), (std::vector<bool>{true, true, false, true}));
  EXPECT_EQ(Stats(account_, link_, Interval::kDay).unique, 3);
  // One more between t0 and +20 min: +20 min is already not unique, nothing else changes.
  Commit({Hit(t0 + 10 * kMinuteUs, "10.0.0.1")});
  EXPECT_EQ(Flags(), (std::vector<bool>{true, true, false, false, true}));
  EXPECT_EQ(Stats(account_, link_, Interval::kDay).unique, 3);
  EXPECT_EQ(CountryUniques(), 3);
}

TEST_F(IpUniquesTest, BotsAndHeadsAreNeverSeenAndReplaysChangeNothing) {
  const int64_t t0 = kDay0 + kHourUs;
  HitRecord bot = Hit(t0, "10.0.0.1");
  bot.enrichment.bot = true;
  HitRecord human = Hit(t0 + 2, "10.0.0.1");
  Commit({bot, Hit(t0 + 1, "10.0.0.1", 0, EventKind::kHead), human});
  EXPECT_EQ(Stats(account_, link_, Interval::kDay).unique, 1);
  Commit({human, Hit(t0 + 3, "10.0.0.1")});  // the replay is a duplicate; the new one is not unique
  LinkStats day = Stats(account_, link_, Interval::kDay);
  EXPECT_EQ(day.total, 2);
  EXPECT_EQ(day.unique, 1);
  EXPECT_EQ(day.bots, 1);
  EXPECT_EQ(day.head, 1);
}

TEST_F(IpUniquesTest, PerVisitorDayAccountsAreUntouched) {
  int64_t other = Account("daily");
  int64_t link = Link(other, "daily").id;
  const int64_t t0 = kDay0 + kHourUs;
  HitRecord a = MakeHit(100, link, other, t0, "v1");
  HitRecord b = MakeHit(101, link, other, t0 + kMinuteUs, "v2");  // same IP, another visitor
  HitRecord c = MakeHit(102, link, other, t0 + 2 * kHourUs, "v1");
  Commit({a, b, c});
  EXPECT_EQ(Stats(other, link, Interval::kDay).unique, 2);
}

TEST_F(IpUniquesTest, SightingsArePrunedInBoundedBatches) {
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
  // The pruned IPs are forgotten: a click now is unique again; the kept one still counts.
  Commit({Hit(t0 + 2 * kMinuteUs, "10.0.0.0"), Hit(t0 + kHourUs + 1, "10.0.0.9")});
  EXPECT_EQ(Stats(account_, link_, Interval::kDay).unique, 7);
}

}  // namespace
}  // namespace ct::testing_store
