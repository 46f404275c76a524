// Reports on SQLite: enriched hits committed into rollups, dimension rollups and account
// rollups (bots apart, uniques for humans only, duplicates inert), local-time buckets across a
// DST change and in a :30 zone, filters, breakdowns, top links, the click stream's pagination
// and raw-hit retention.
#include <set>

#include "store_fixture.h"

namespace ct::testing_store {
namespace {

// 2024-03-31, the day Europe/Berlin moves from CET (+1) to CEST (+2) at 01:00Z.
constexpr int64_t kMar30 = 1'711'756'800'000'000;  // 2024-03-30T00:00:00Z
constexpr int64_t kMar31 = kMar30 + kDayUs;
constexpr int64_t kApr01 = kMar31 + kDayUs;

Enrichment Enriched(std::string country, std::string device, std::string os = "android",
                    std::string browser = "chrome", std::string referrer = "",
                    std::string language = "en", bool bot = false) {
  return {std::move(country),
          std::move(device),
          std::move(os),
          std::move(browser),
          std::move(referrer),
          std::move(language),
          bot};
}

class ReportsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    account_ = Account("acme");
    link_ = Link(account_, "promo").id;
  }

  HitRecord Hit(int64_t link, int64_t time_us, const std::string& visitor, Enrichment e = {},
                EventKind kind = EventKind::kClick, int64_t account = 0) {
    HitRecord h = MakeHit(++seq_, link, account ? account : account_, time_us, visitor, kind);
    h.enrichment = std::move(e);
    h.event.destination = "https://example.com/promo";
    return h;
  }
  CommitResult Commit(std::vector<HitRecord> hits) { return CommitHits(std::move(hits)); }
  StatsQuery Query(int64_t link, Interval interval = Interval::kDay,
                   int64_t from_us = kDay0 - 10 * kDayUs, int64_t to_us = kDay0 + 10 * kDayUs) {
    StatsQuery q;
    q.account_id = account_;
    q.link_id = link;
    q.from_us = from_us;
    q.to_us = to_us;
    q.interval = interval;
    return q;
  }
  LinkStats Get(const StatsQuery& q) {
    Result<std::optional<LinkStats>> s = store_->GetLinkStats(q);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_TRUE(s.ok() && s->has_value());
    return s.ok() && s->has_value() ? **s : LinkStats{};
  }
  std::vector<BreakdownRow> Breakdown(const StatsQuery& q, Dimension d, int limit = 50) {
    auto r = store_->GetBreakdown(q, d, limit);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r.ok() && r->has_value());
    return r.ok() && r->has_value() ? **r : std::vector<BreakdownRow>{};
  }
  // "value:total/unique/bots" per row, in order: one readable string to compare.
  static std::string Rows(const std::vector<BreakdownRow>& rows) {
    std::string out;
    for (const auto& r : rows) {
      out += (out.empty() ? "" : " ") + r.value + ":" + std::to_string(r.total) + "/" +
             std::to_string(r.unique) + "/" + std::to_string(r.bots);
    }
    return out;
  }

  int64_t account_ = 0;
  int64_t link_ = 0;
  uint64_t seq_ = 0;
};

TEST_F(ReportsTest, BotsCountApartAndNeverTakeAUnique) {
  CommitResult r = Commit({
      Hit(link_, kDay0 + 1, "crawler", Enriched("US", "bot", "other", "other", "", "", true)),
      Hit(link_, kDay0 + 2, "crawler", Enriched("US", "desktop")),  // same key, human: unique
      Hit(link_, kDay0 + 3, "v1", Enriched("DE", "mobile")),
      Hit(link_, kDay0 + 4, "v1", Enriched("DE", "mobile")),  // repeat: not unique
      Hit(link_, kDay0 + 5, "v2", {}, EventKind::kHead),      // HEAD: head only
  });
  EXPECT_EQ(r.applied, 5u);
  for (Interval i : {Interval::kMinute, Interval::kHour, Interval::kDay}) {
    LinkStats s = Get(Query(link_, i));
    EXPECT_EQ(s.total, 3);
    EXPECT_EQ(s.unique, 2);
    EXPECT_EQ(s.bots, 1);
    EXPECT_EQ(s.head, 1);
    ASSERT_EQ(s.series.size(), 1u);
    EXPECT_EQ(s.series[0].bots, 1);
  }
  EXPECT_EQ(Rows(Breakdown(Query(link_), Dimension::kBot)), "human:3/2/0 bot:0/0/1");
  EXPECT_EQ(Rows(Breakdown(Query(link_), Dimension::kDevice)),
            "mobile:2/1/0 desktop:1/1/0 bot:0/0/1");
  EXPECT_EQ(Rows(Breakdown(Query(link_), Dimension::kCountry)), "DE:2/1/0 US:1/1/1");
  EXPECT_EQ(Rows(Breakdown(Query(link_), Dimension::kDestination)),
            "https://example.com/promo:3/2/1");

  // Account rollups agree with the link's.
  LinkStats account = Get(Query(0));
  EXPECT_EQ(account.total, 3);
  EXPECT_EQ(account.unique, 2);
  EXPECT_EQ(account.bots, 1);
  EXPECT_EQ(account.head, 1);

  // Unknown values are not stored: the "" row is what the rollups count beyond the known rows.
  EXPECT_EQ(Rows(Breakdown(Query(link_), Dimension::kReferrer)), ":3/2/1");
  Commit({Hit(link_, kDay0 + 6, "v3", Enriched("", "tablet", "", "", "t.co"))});
  EXPECT_EQ(Rows(Breakdown(Query(link_), Dimension::kReferrer)), ":3/2/1 t.co:1/1/0");
  EXPECT_EQ(Rows(Breakdown(Query(link_), Dimension::kCountry)), "DE:2/1/0 US:1/1/1 :1/1/0");
}

TEST_F(ReportsTest, DuplicatesChangeNothing) {
  std::vector<HitRecord> hits = {
      Hit(link_, kDay0 + 1, "v1", Enriched("US", "mobile")),
      Hit(link_, kDay0 + 2, "b", Enriched("US", "bot", "", "", "", "", true)),
      Hit(link_, kDay0 + 3, "v2", {}, EventKind::kHead),
  };
  Commit(hits);
  CommitResult again = Commit(hits);
  EXPECT_EQ(again.applied, 0u);
  EXPECT_EQ(again.duplicates, 3u);
  LinkStats s = Get(Query(link_));
  EXPECT_EQ(s.total, 1);
  EXPECT_EQ(s.unique, 1);
  EXPECT_EQ(s.bots, 1);
  EXPECT_EQ(s.head, 1);
  EXPECT_EQ(Get(Query(0)).total, 1);
  EXPECT_EQ(Rows(Breakdown(Query(link_), Dimension::kCountry)), "US:1/1/1");
  auto page = store_->ListHits(account_, link_, std::nullopt, 10);
  ASSERT_TRUE(page.ok() && page->has_value());
  EXPECT_EQ((*page)->hits.size(), 3u);
}

TEST_F(ReportsTest, AccountWideSumsOnlyTheAccountsLinks) {
  int64_t second = Link(account_, "second").id;
  int64_t other_account = Account("other");
  int64_t foreign = Link(other_account, "foreign").id;
  Commit({
      Hit(link_, kDay0 + kHourUs, "a"),
      Hit(second, kDay0 + kHourUs, "b"),
      Hit(second, kDay0 + kDayUs, "c"),
      Hit(foreign, kDay0 + kHourUs, "d", {}, EventKind::kClick, other_account),
  });
  LinkStats s = Get(Query(0));
  EXPECT_EQ(s.total, 3);
  ASSERT_EQ(s.series.size(), 2u);
  EXPECT_EQ(s.series[0].total, 2);
  EXPECT_EQ(s.series[1].total, 1);
  EXPECT_EQ(Get(Query(0, Interval::kHour)).series.size(), 2u);
  // Breakdown over the account.
  EXPECT_EQ(Rows(Breakdown(Query(0), Dimension::kBot)), "human:3/3/0");
  // Another account's link reads as missing.
  StatsQuery q = Query(foreign);
  auto missing = store_->GetLinkStats(q);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  auto missing_breakdown = store_->GetBreakdown(q, Dimension::kCountry, 10);
  ASSERT_TRUE(missing_breakdown.ok());
  EXPECT_FALSE(missing_breakdown->has_value());
}

TEST_F(ReportsTest, LocalDaysAcrossBerlinsDstChange) {
  // Local midnights of Mar 30, Mar 31 (23 hours long) and Apr 1 in Europe/Berlin.
  const int64_t mar30 = kMar30 - kHourUs;      // 2024-03-29T23:00Z
  const int64_t mar31 = kMar31 - kHourUs;      // 2024-03-30T23:00Z
  const int64_t apr01 = kApr01 - 2 * kHourUs;  // 2024-03-31T22:00Z (CEST)
  Commit({
      Hit(link_, mar31 - 1, "a"),               // Mar 30 23:59:59 local
      Hit(link_, mar31 + 30 * kMinuteUs, "b"),  // Mar 31 00:30 CET
      Hit(link_, apr01 - 30 * kMinuteUs, "c"),  // Mar 31 23:30 CEST
      Hit(link_, apr01, "d"),                   // Apr 1 00:00 CEST
  });
  StatsQuery q = Query(link_, Interval::kDay, mar30, apr01 + kDayUs);
  q.bucket_starts_us = {mar30, mar31, apr01};
  LinkStats s = Get(q);
  ASSERT_EQ(s.series.size(), 3u);
  EXPECT_EQ(s.series[0].start_us, mar30);
  EXPECT_EQ(s.series[0].total, 1);
  EXPECT_EQ(s.series[1].start_us, mar31);
  EXPECT_EQ(s.series[1].total, 2);
  EXPECT_EQ(s.series[2].start_us, apr01);
  EXPECT_EQ(s.series[2].total, 1);
  EXPECT_EQ(s.total, 4);
  // The same from the account rollups.
  q.link_id = 0;
  LinkStats account = Get(q);
  ASSERT_EQ(account.series.size(), 3u);
  EXPECT_EQ(account.series[1].total, 2);
}

TEST_F(ReportsTest, LocalDaysInAHalfHourZone) {
  // Asia/Kolkata is UTC+5:30: local midnight of Jan 1 2024 is Dec 31 18:30Z. Minute rollups
  // decide hits on either side of 18:30.
  const int64_t jan1 = kDay0 - 5 * kHourUs - 30 * kMinuteUs;
  const int64_t jan2 = jan1 + kDayUs;
  Commit({
      Hit(link_, jan1 - kMinuteUs, "a"),  // 23:59 local, Dec 31
      Hit(link_, jan1, "b"),              // 00:00 local, Jan 1
      Hit(link_, jan1 + 29 * kMinuteUs, "c"), Hit(link_, jan2 + kMinuteUs, "d"),  // Jan 2
  });
  StatsQuery q = Query(link_, Interval::kDay, jan1 - kDayUs, jan2 + kDayUs);
  q.bucket_starts_us = {jan1 - kDayUs, jan1, jan2};
  LinkStats s = Get(q);
  ASSERT_EQ(s.series.size(), 3u);
  EXPECT_EQ(s.series[0].total, 1);
  EXPECT_EQ(s.series[1].start_us, jan1);
  EXPECT_EQ(s.series[1].total, 2);
  EXPECT_EQ(s.series[2].total, 1);
}

TEST_F(ReportsTest, GivenBucketsNeverReadCoarserRollupsThanTheInterval) {
  Commit({Hit(link_, kDay0 + 30 * kMinuteUs, "a"), Hit(link_, kDay0 + 5 * kHourUs, "b")});
  // One hour bucket starting at midnight: the day rollup would also hold 05:00's click.
  StatsQuery q = Query(link_, Interval::kHour, kDay0, kDay0 + kHourUs);
  q.bucket_starts_us = {kDay0};
  EXPECT_EQ(Get(q).total, 1);
  q.interval = Interval::kMinute;
  q.to_us = kDay0 + kMinuteUs;
  EXPECT_EQ(Get(q).total, 0);
}

TEST_F(ReportsTest, FiltersReadComboRollups) {
  Commit({
      Hit(link_, kDay0 + 1, "a", Enriched("US", "mobile", "ios", "safari", "t.co", "en")),
      Hit(link_, kDay0 + 2, "b", Enriched("US", "desktop", "windows", "chrome", "", "en")),
      Hit(link_, kDay0 + 3, "a", Enriched("US", "mobile", "ios", "safari", "t.co", "en")),
      Hit(link_, kDay0 + kDayUs, "c", Enriched("DE", "mobile", "android", "chrome", "", "de")),
      Hit(link_, kDay0 + 5, "bot", Enriched("US", "mobile", "", "", "", "", true)),
  });
  StatsQuery q = Query(link_);
  q.filters = {{Dimension::kCountry, "US"}, {Dimension::kDevice, "mobile"}};
  LinkStats s = Get(q);
  EXPECT_EQ(s.total, 2);
  EXPECT_EQ(s.unique, 1);
  EXPECT_EQ(s.bots, 1);
  ASSERT_EQ(s.series.size(), 1u);
  EXPECT_EQ(Rows(Breakdown(q, Dimension::kReferrer)), "t.co:2/1/0 :0/0/1");
  EXPECT_EQ(Rows(Breakdown(q, Dimension::kBot)), "human:2/1/0 bot:0/0/1");

  q.filters = {{Dimension::kBot, "human"}};
  EXPECT_EQ(Get(q).total, 4);
  EXPECT_EQ(Get(q).bots, 0);
  q.filters = {{Dimension::kBot, "bot"}};
  EXPECT_EQ(Get(q).total, 0);
  EXPECT_EQ(Get(q).bots, 1);
  q.filters = {{Dimension::kReferrer, ""}, {Dimension::kLanguage, "de"}};
  EXPECT_EQ(Get(q).total, 1);
  // Two values of one dimension never match together.
  q.filters = {{Dimension::kCountry, "US"}, {Dimension::kCountry, "DE"}};
  EXPECT_EQ(Get(q).total, 0);
  EXPECT_TRUE(Breakdown(q, Dimension::kCountry).empty());
  // Account-wide, filtered.
  StatsQuery a = Query(0);
  a.filters = {{Dimension::kOs, "ios"}};
  EXPECT_EQ(Get(a).total, 2);
}

TEST_F(ReportsTest, BreakdownMostClicksFirstWithLimit) {
  std::vector<HitRecord> hits;
  const std::pair<const char*, int> browsers[] = {
      {"firefox", 1}, {"chrome", 3}, {"safari", 2}, {"edge", 2}};
  int v = 0;
  for (const auto& [browser, n] : browsers) {
    for (int i = 0; i < n; ++i) {
      hits.push_back(Hit(link_, kDay0 + kHourUs * (v % 5), "v" + std::to_string(v),
                         Enriched("US", "desktop", "windows", browser)));
      ++v;
    }
  }
  Commit(hits);
  // Ties (edge, safari) by value; several hours summed.
  EXPECT_EQ(Rows(Breakdown(Query(link_), Dimension::kBrowser)),
            "chrome:3/3/0 edge:2/2/0 safari:2/2/0 firefox:1/1/0");
  EXPECT_EQ(Rows(Breakdown(Query(link_), Dimension::kBrowser, 2)), "chrome:3/3/0 edge:2/2/0");
  // The range is whole hours: hits at 00:00..04:00, ask from 02:00.
  EXPECT_EQ(Rows(Breakdown(Query(link_, Interval::kHour, kDay0 + 2 * kHourUs, kDay0 + kDayUs),
                           Dimension::kDevice)),
            "desktop:4/4/0");
  EXPECT_TRUE(Breakdown(Query(link_), Dimension::kBrowser, 0).empty());
}

TEST_F(ReportsTest, TopLinks) {
  int64_t b = Link(account_, "b").id;
  int64_t c = Link(account_, "c").id;
  int64_t other_account = Account("other");
  int64_t foreign = Link(other_account, "foreign").id;
  std::vector<HitRecord> hits;
  for (int i = 0; i < 3; ++i) hits.push_back(Hit(b, kDay0 + i * kDayUs, "x" + std::to_string(i)));
  for (int i = 0; i < 2; ++i) hits.push_back(Hit(c, kDay0 + 5 * kHourUs, "y" + std::to_string(i)));
  hits.push_back(Hit(link_, kDay0 + 7 * kHourUs + 5, "z"));
  for (int i = 0; i < 9; ++i) {
    hits.push_back(
        Hit(foreign, kDay0, "f" + std::to_string(i), {}, EventKind::kClick, other_account));
  }
  Commit(hits);
  auto top = store_->GetTopLinks(account_, kDay0 - kDayUs, kDay0 + 10 * kDayUs, 10);
  ASSERT_TRUE(top.ok());
  ASSERT_EQ(top->size(), 3u);
  EXPECT_EQ((*top)[0].link_id, b);
  EXPECT_EQ((*top)[0].total, 3);
  EXPECT_EQ((*top)[1].link_id, c);
  EXPECT_EQ((*top)[2].link_id, link_);
  top = store_->GetTopLinks(account_, kDay0 - kDayUs, kDay0 + 10 * kDayUs, 2);
  ASSERT_TRUE(top.ok());
  EXPECT_EQ(top->size(), 2u);
  // Partial days at both ends come from the hour rollups: 05:00..07:00 holds c's two clicks.
  top = store_->GetTopLinks(account_, kDay0 + 5 * kHourUs, kDay0 + 7 * kHourUs, 10);
  ASSERT_TRUE(top.ok());
  ASSERT_EQ(top->size(), 1u);
  EXPECT_EQ((*top)[0].link_id, c);
  // From 01:00 on day 0 to 01:00 on day 2: b's clicks of day 1 (a whole day) and of day 2's
  // first hour, c's and link_'s of day 0. Ties (b, c) by link id.
  top = store_->GetTopLinks(account_, kDay0 + kHourUs, kDay0 + 2 * kDayUs + kHourUs, 10);
  ASSERT_TRUE(top.ok());
  ASSERT_EQ(top->size(), 3u);
  EXPECT_EQ((*top)[0].link_id, b);
  EXPECT_EQ((*top)[0].total, 2);
  EXPECT_EQ((*top)[1].link_id, c);
  EXPECT_EQ((*top)[2].link_id, link_);
}

TEST_F(ReportsTest, HitsPagesNewestFirstWithoutGapsOrRepeats) {
  std::vector<HitRecord> hits;
  for (int i = 0; i < 25; ++i) {
    // Groups of three share a microsecond: the cursor must split ties by event id.
    hits.push_back(
        Hit(link_, kDay0 + (i / 3) * kMinuteUs, "v" + std::to_string(i), Enriched("US", "mobile")));
  }
  hits.push_back(Hit(Link(account_, "other-link").id, kDay0, "x"));
  Commit(hits);
  std::vector<HitRow> all;
  std::optional<HitCursor> after;
  int pages = 0;
  do {
    auto page = store_->ListHits(account_, link_, after, 7);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ASSERT_TRUE(page->has_value());
    for (auto& h : (*page)->hits) all.push_back(h);
    after = (*page)->next;
    ++pages;
  } while (after && pages < 10);
  EXPECT_EQ(pages, 4);
  ASSERT_EQ(all.size(), 25u);
  std::set<EventId> ids;
  for (size_t i = 0; i < all.size(); ++i) {
    ids.insert(all[i].event_id);
    EXPECT_EQ(all[i].link_id, link_);
    EXPECT_EQ(all[i].enrichment.country, "US");
    if (i > 0) {
      EXPECT_TRUE(all[i - 1].time_us > all[i].time_us ||
                  (all[i - 1].time_us == all[i].time_us && all[i - 1].event_id > all[i].event_id))
          << i;
    }
  }
  EXPECT_EQ(ids.size(), 25u);
  EXPECT_EQ(all.back().time_us, kDay0);
  EXPECT_TRUE(all.back().unique);
  // Exactly a page: no next.
  auto exact = store_->ListHits(account_, link_, std::nullopt, 25);
  ASSERT_TRUE(exact.ok() && exact->has_value());
  EXPECT_FALSE((*exact)->next.has_value());
  // Unknown link, another account's link: nullopt.
  auto unknown = store_->ListHits(account_, 9999, std::nullopt, 5);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
  int64_t other = Account("other");
  auto foreign = store_->ListHits(other, link_, std::nullopt, 5);
  ASSERT_TRUE(foreign.ok());
  EXPECT_FALSE(foreign->has_value());
}

TEST_F(ReportsTest, ExpireHitsIsBoundedAndLeavesRollupsExact) {
  std::vector<HitRecord> hits;
  for (int i = 0; i < 10; ++i) {
    hits.push_back(Hit(link_, kDay0 + i * kHourUs, "v" + std::to_string(i),
                       Enriched("US", i % 2 ? "mobile" : "desktop")));
  }
  Commit(hits);
  LinkStats before = Get(Query(link_, Interval::kHour));
  auto n = store_->ExpireHits(kDay0 + 6 * kHourUs, 4);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 4);
  n = store_->ExpireHits(kDay0 + 6 * kHourUs, 4);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  n = store_->ExpireHits(kDay0 + 6 * kHourUs, 4);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  LinkStats after = Get(Query(link_, Interval::kHour));
  EXPECT_EQ(after.total, before.total);
  EXPECT_EQ(after.unique, before.unique);
  EXPECT_EQ(after.series.size(), before.series.size());
  EXPECT_EQ(Rows(Breakdown(Query(link_), Dimension::kDevice)), "desktop:5/5/0 mobile:5/5/0");
  EXPECT_EQ(Get(Query(0)).total, 10);
  auto page = store_->ListHits(account_, link_, std::nullopt, 100);
  ASSERT_TRUE(page.ok() && page->has_value());
  ASSERT_EQ((*page)->hits.size(), 4u);
  EXPECT_EQ((*page)->hits.back().time_us, kDay0 + 6 * kHourUs);
  // Filtered reports read combo_rollups, which expiry does not touch: still every click.
  StatsQuery q = Query(link_);
  q.filters = {{Dimension::kCountry, "US"}};
  EXPECT_EQ(Get(q).total, 10);
  q.filters.push_back({Dimension::kDevice, "mobile"});
  EXPECT_EQ(Get(q).total, 5);
}

}  // namespace
}  // namespace ct::testing_store
