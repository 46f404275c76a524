// Filtered reports on PostgreSQL (pg_filtered_reports.h): the cases of the SQLite store's
// filter tests (sqlite_reports_test.cc FiltersReadComboRollups, sqlite_combo_reports_test.cc),
// and the same random hits committed into both engines answering every filtered series and
// breakdown identically, through every path (link combos, account combos, account dims, pairs,
// destination links), per account and per link, UTC and local buckets.
#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include "pg_twin_fixture.h"

namespace ct::testing_pg {
namespace {

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

std::string Rows(const std::vector<BreakdownRow>& rows) {
  std::string out;
  for (const auto& r : rows) {
    out += (out.empty() ? "" : " ") + r.value + ":" + std::to_string(r.total) + "/" +
           std::to_string(r.unique) + "/" + std::to_string(r.bots);
  }
  return out;
}

std::string Series(const LinkStats& s) {
  std::ostringstream out;
  out << s.total << "/" << s.unique << "/" << s.head << "/" << s.bots << "/" << s.conversions
      << ":";
  for (const StatsBucket& b : s.series) {
    out << " " << b.start_us << "=" << b.total << "/" << b.unique << "/" << b.head << "/" << b.bots;
  }
  return out.str();
}

class PgFilteredReportsTest : public PgTwinTest {
 protected:
  LinkStats Get(Store* s, const StatsQuery& q) {
    Result<std::optional<LinkStats>> r = s->GetLinkStats(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r.ok() && r->has_value());
    return r.ok() && r->has_value() ? **r : LinkStats{};
  }
  std::vector<BreakdownRow> Breakdown(Store* s, const StatsQuery& q, Dimension d, int limit = 50) {
    auto r = s->GetBreakdown(q, d, limit);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r.ok() && r->has_value());
    return r.ok() && r->has_value() ? **r : std::vector<BreakdownRow>{};
  }
};

TEST_F(PgFilteredReportsTest, FiltersReadComboRollups) {
  const int64_t a = Account("acme");
  const int64_t l = Link(a, "promo").id;
  uint64_t n = 0;
  auto hit = [&](int64_t t, const char* v, Enrichment e) {
    HitRecord h = TwinHit(++n, l, a, t, v);
    h.enrichment = std::move(e);
    return h;
  };
  Commit({
      hit(kDay0 + 1, "a", Enriched("US", "mobile", "ios", "safari", "t.co", "en")),
      hit(kDay0 + 2, "b", Enriched("US", "desktop", "windows", "chrome", "", "en")),
      hit(kDay0 + 3, "a", Enriched("US", "mobile", "ios", "safari", "t.co", "en")),
      hit(kDay0 + kDayUs, "c", Enriched("DE", "mobile", "android", "chrome", "", "de")),
      hit(kDay0 + 5, "bot", Enriched("US", "mobile", "", "", "", "", true)),
  });
  StatsQuery q{.account_id = a,
               .link_id = l,
               .from_us = kDay0 - 10 * kDayUs,
               .to_us = kDay0 + 10 * kDayUs,
               .interval = Interval::kDay};
  q.filters = {{Dimension::kCountry, "US"}, {Dimension::kDevice, "mobile"}};
  LinkStats s = Get(store_.get(), q);
  EXPECT_EQ(s.total, 2);
  EXPECT_EQ(s.unique, 1);
  EXPECT_EQ(s.bots, 1);
  ASSERT_EQ(s.series.size(), 1u);
  EXPECT_EQ(Rows(Breakdown(store_.get(), q, Dimension::kReferrer)), "t.co:2/1/0 :0/0/1");
  EXPECT_EQ(Rows(Breakdown(store_.get(), q, Dimension::kBot)), "human:2/1/0 bot:0/0/1");
  q.filters = {{Dimension::kBot, "human"}};
  EXPECT_EQ(Get(store_.get(), q).total, 4);
  EXPECT_EQ(Get(store_.get(), q).bots, 0);
  q.filters = {{Dimension::kBot, "bot"}};
  EXPECT_EQ(Get(store_.get(), q).total, 0);
  EXPECT_EQ(Get(store_.get(), q).bots, 1);
  q.filters = {{Dimension::kReferrer, ""}, {Dimension::kLanguage, "de"}};
  EXPECT_EQ(Get(store_.get(), q).total, 1);
  // Two values of one dimension never match together.
  q.filters = {{Dimension::kCountry, "US"}, {Dimension::kCountry, "DE"}};
  EXPECT_EQ(Get(store_.get(), q).total, 0);
  EXPECT_TRUE(Breakdown(store_.get(), q, Dimension::kCountry).empty());
  // Account-wide: one filter (account_dim_rollups), two (account_pair_rollups), a breakdown
  // under one (pairs, the unknown value derived).
  StatsQuery acct = q;
  acct.link_id = 0;
  acct.filters = {{Dimension::kOs, "ios"}};
  EXPECT_EQ(Get(store_.get(), acct).total, 2);
  acct.filters = {{Dimension::kCountry, "US"}, {Dimension::kOs, "ios"}};
  EXPECT_EQ(Get(store_.get(), acct).total, 2);
  EXPECT_EQ(Get(store_.get(), acct).unique, 1);
  acct.filters = {{Dimension::kCountry, "US"}};
  EXPECT_EQ(Rows(Breakdown(store_.get(), acct, Dimension::kOs)), "ios:2/1/0 windows:1/1/0 :0/0/1");
  // Filtered reports are hourly at best.
  q.interval = Interval::kMinute;
  q.filters = {{Dimension::kCountry, "US"}};
  EXPECT_EQ(store_->GetLinkStats(q).status().code(), StatusCode::kInvalidArgument);
  // A link of another account: nullopt, as unfiltered.
  const int64_t other = Account("other");
  q.account_id = other;
  q.interval = Interval::kDay;
  Result<std::optional<LinkStats>> foreign = store_->GetLinkStats(q);
  ASSERT_TRUE(foreign.ok());
  EXPECT_FALSE(foreign->has_value());
}

TEST_F(PgFilteredReportsTest, RedeliveredHitsAddNothingToPairsOrDestinationLinks) {
  const int64_t a = Account("acme");
  const int64_t l = Link(a, "promo").id;
  HitRecord h = TwinHit(1, l, a, kDay0 + kHourUs, "v");
  h.enrichment = Enriched("US", "mobile", "ios");
  Commit({h, h});
  Commit({h});
  // (country, device), (country, os), (country, browser), (country, language), (device, os),
  // ... : the 10 pairs of the 5 known values, each in an hour and a day row, counted once.
  EXPECT_EQ(Int("SELECT COUNT(*) FROM account_pair_rollups"), 20);
  EXPECT_EQ(Int("SELECT SUM(total) FROM account_pair_rollups"), 20);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM account_destination_links"), 1);
  EXPECT_EQ(Sql("SELECT account_id, destination, link_id FROM account_destination_links"),
            std::to_string(a) + "|https://example.com/d|" + std::to_string(l) + "\n");
}

// The same random hits into both engines; every filtered report answers the same.
TEST_F(PgFilteredReportsTest, FilteredReportsMatchTheSqliteStore) {
  const int64_t a = BothAccount("acme");
  const int64_t b = BothAccount("other");
  const std::vector<int64_t> links = {BothLink(a, "l0"), BothLink(a, "l1"), BothLink(a, "l2"),
                                      BothLink(a, "l3")};
  const int64_t foreign = BothLink(b, "f0");
  std::mt19937_64 rng(7);
  auto pick = [&](std::initializer_list<const char*> v) {
    return std::string(*(v.begin() + static_cast<std::ptrdiff_t>(rng() % v.size())));
  };
  std::vector<HitRecord> sent;
  uint64_t n = 0;
  for (int batch = 0; batch < 6; ++batch) {
    std::vector<HitRecord> hits;
    for (int i = 0; i < 250; ++i) {
      if (!sent.empty() && rng() % 10 == 0) {  // redelivered
        hits.push_back(sent[rng() % sent.size()]);
        continue;
      }
      const bool other_account = rng() % 10 == 0;
      const size_t li = rng() % links.size();
      const int r = static_cast<int>(rng() % 20);
      HitRecord h =
          TwinHit(++n, other_account ? foreign : links[li], other_account ? b : a,
                  kDay0 - 2 * kHourUs + static_cast<int64_t>(rng() % (3 * kDayUs)),
                  "v" + std::to_string(rng() % 40), r == 0 ? EventKind::kHead : EventKind::kClick);
      h.enrichment.bot = r == 1 || r == 2;
      h.enrichment.country = pick({"", "US", "DE", "FR"});
      h.enrichment.device = pick({"", "mobile", "desktop"});
      h.enrichment.os = pick({"", "ios", "android", "windows"});
      h.enrichment.browser = pick({"", "chrome", "safari"});
      h.enrichment.referrer_domain = pick({"", "t.co", "news.test"});
      h.enrichment.language = pick({"", "en", "de"});
      // Destinations shared by some links (account_destination_links lists several).
      h.event.destination = "https://example.com/d" + std::to_string((li + rng() % 2) % 3);
      hits.push_back(h);
      sent.push_back(h);
    }
    CommitBoth(hits);
  }
  using F = std::vector<StatsFilter>;
  const std::vector<F> filter_sets = {
      {{Dimension::kCountry, "US"}},
      {{Dimension::kCountry, ""}},
      {{Dimension::kDestination, "https://example.com/d1"}},
      {{Dimension::kBot, "human"}},
      {{Dimension::kBot, "bot"}},
      {{Dimension::kCountry, "US"}, {Dimension::kDevice, "mobile"}},
      {{Dimension::kLanguage, "de"}, {Dimension::kOs, "ios"}},
      {{Dimension::kCountry, "US"}, {Dimension::kOs, ""}},
      {{Dimension::kDestination, "https://example.com/d0"}, {Dimension::kCountry, "DE"}},
      {{Dimension::kDestination, "https://example.com/d2"}, {Dimension::kBot, "human"}},
      {{Dimension::kCountry, "US"},
       {Dimension::kDevice, "mobile"},
       {Dimension::kBrowser, "chrome"}},
      {{Dimension::kReferrer, "t.co"}, {Dimension::kBot, "bot"}},
      {{Dimension::kCountry, "US"}, {Dimension::kCountry, "DE"}},
      {{Dimension::kDestination, "https://example.com/none"}, {Dimension::kOs, "ios"}},
  };
  // Local days of a +03:00 zone (hour-aligned buckets, not UTC days).
  std::vector<int64_t> local_days;
  for (int d = 0; d < 4; ++d) local_days.push_back(kDay0 - 3 * kHourUs + d * kDayUs);
  const Dimension dims[] = {Dimension::kCountry,     Dimension::kDevice,   Dimension::kOs,
                            Dimension::kBrowser,     Dimension::kReferrer, Dimension::kLanguage,
                            Dimension::kDestination, Dimension::kBot};
  int compared = 0;
  for (int64_t link : {int64_t{0}, links[0], links[2]}) {
    for (const F& filters : filter_sets) {
      std::vector<StatsQuery> queries = {
          {.account_id = a,
           .link_id = link,
           .from_us = kDay0 + 3 * kHourUs,
           .to_us = kDay0 + 2 * kDayUs + 5 * kHourUs,
           .interval = Interval::kHour},
          {.account_id = a,
           .link_id = link,
           .from_us = kDay0 - kDayUs,
           .to_us = kDay0 + 3 * kDayUs,
           .interval = Interval::kDay},
          {.account_id = a,
           .link_id = link,
           .from_us = kDay0 + 90 * kMinuteUs,
           .to_us = kDay0 + 2 * kDayUs + 30 * kMinuteUs,
           .interval = Interval::kDay},
          {.account_id = a,
           .link_id = link,
           .from_us = local_days.front(),
           .to_us = local_days.back() + kDayUs,
           .interval = Interval::kDay,
           .bucket_starts_us = local_days},
      };
      for (StatsQuery& q : queries) {
        q.filters = filters;
        const std::string what = "link " + std::to_string(link) + " filters " +
                                 std::to_string(&filters - filter_sets.data()) + " from " +
                                 std::to_string(q.from_us);
        EXPECT_EQ(Series(Get(store_.get(), q)), Series(Get(lite_.get(), q))) << what;
        for (Dimension d : dims) {
          EXPECT_EQ(Rows(Breakdown(store_.get(), q, d, 7)), Rows(Breakdown(lite_.get(), q, d, 7)))
              << what << " dimension " << static_cast<int>(d);
        }
        ++compared;
      }
    }
  }
  EXPECT_EQ(compared, 3 * 14 * 4);
  // Not vacuous: the account's US clicks are many, and the other account's are not in them.
  StatsQuery us{.account_id = a, .from_us = kDay0 - kDayUs, .to_us = kDay0 + 3 * kDayUs};
  us.filters = {{Dimension::kCountry, "US"}};
  EXPECT_GT(Get(store_.get(), us).total, 200);
  // The tables the commit now writes are filled, and hold exactly what migration 3's backfill
  // derives from the combinations (so a database migrated with data reports the same).
  EXPECT_GT(Int("SELECT COUNT(*) FROM account_pair_rollups"), 100);
  const std::string backfill = R"sql(
    SELECT account_id, dim_a, dim_b, granularity, bucket_start_us, value_a, value_b, SUM(total),
           SUM(unique_count), SUM(bots), SUM(conversions), SUM(value_micros)
    FROM (SELECT c.*, a.n AS dim_a, b.n AS dim_b,
                 (ARRAY[country, device, os, browser, referrer_domain, language])[a.n + 1] AS value_a,
                 (ARRAY[country, device, os, browser, referrer_domain, language])[b.n + 1] AS value_b
          FROM account_combo_rollups c, generate_series(0, 5) a(n), generate_series(0, 5) b(n)
          WHERE a.n < b.n) v
    WHERE value_a <> '' AND value_b <> ''
    GROUP BY 1, 2, 3, 4, 5, 6, 7)sql";
  EXPECT_EQ(
      Int("SELECT COUNT(*) FROM (" + backfill + " EXCEPT SELECT * FROM account_pair_rollups) x"),
      0);
  EXPECT_EQ(
      Int("SELECT COUNT(*) FROM (SELECT * FROM account_pair_rollups EXCEPT " + backfill + ") x"),
      0);
  std::set<std::tuple<int64_t, std::string, int64_t>> destination_links;
  for (const HitRecord& h : sent) {
    if (h.event.kind == EventKind::kHead) continue;  // no dimension rows
    destination_links.emplace(h.event.account_id, h.event.destination, h.event.link_id);
  }
  EXPECT_EQ(Int("SELECT COUNT(*) FROM account_destination_links"),
            static_cast<int64_t>(destination_links.size()));
}

}  // namespace
}  // namespace ct::testing_pg
