// Filtered and grouped reports read rollups only (combo_rollups, account_dim_rollups,
// account_combo_rollups), and must
// equal counting the raw hits: random clicks (varied dimensions, repeat visitors and IPs, bots,
// HEADs, committed out of time order in several batches) for an account of each unique
// definition, then every single filter, pairs of filters and filter + group_by compared with a
// GROUP BY over the hits table.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "store/sqlite/db.h"
#include "store/sqlite/report_query.h"
#include "store/sqlite/schema.h"
#include "store_fixture.h"

namespace ct::testing_store {
namespace {

constexpr Dimension kAll[] = {Dimension::kCountry,     Dimension::kDevice,   Dimension::kOs,
                              Dimension::kBrowser,     Dimension::kReferrer, Dimension::kLanguage,
                              Dimension::kDestination, Dimension::kBot};

class ComboReportsTest : public StoreTest, public ::testing::WithParamInterface<UniqueDefinition> {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    account_ = Account("acme");
    auto a = store_->UpdateAccount(account_, {.unique_definition = GetParam()});
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    links_ = {Link(account_, "one").id, Link(account_, "two").id};
    auto db = sqlite::Db::Open(path_, {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    Fill();
  }
  void TearDown() override {
    db_.reset();
    StoreTest::TearDown();
  }

  // 1,200 hits over three days, in batches of 50 whose order is shuffled (late events).
  void Fill() {
    std::mt19937 rng(7);
    auto pick = [&](std::vector<std::string> pool) { return pool[rng() % pool.size()]; };
    std::vector<HitRecord> hits;
    for (uint64_t n = 1; n <= 1200; ++n) {
      const int64_t t = kDay0 + static_cast<int64_t>(rng() % (3 * 24 * 60)) * 60'000'000;
      const int64_t link = links_[rng() % 2];
      const EventKind kind = rng() % 20 == 0 ? EventKind::kHead : EventKind::kClick;
      HitRecord h = MakeHit(n, link, account_, t, "v" + std::to_string(rng() % 40), kind);
      h.event.ip = "192.0.2." + std::to_string(rng() % 12);
      h.event.destination = pick({"https://a.example/", "https://b.example/=cmd"});
      h.enrichment = {pick({"US", "DE", "", "FR"}),
                      pick({"mobile", "desktop", ""}),
                      pick({"ios", "android", "windows"}),
                      pick({"safari", "chrome", ""}),
                      pick({"t.co", "", "google.com"}),
                      pick({"en", "de", ""}),
                      rng() % 10 == 0};
      hits.push_back(std::move(h));
    }
    std::shuffle(hits.begin(), hits.end(), rng);
    for (size_t i = 0; i < hits.size(); i += 50) {
      CommitBatch b;
      b.consumer = "journal";
      b.from_position = position_;
      b.to_position = ++position_;
      b.hits.assign(hits.begin() + static_cast<long>(i),
                    hits.begin() + static_cast<long>(std::min(i + 50, hits.size())));
      ASSERT_TRUE(store_->Commit(b).ok());
    }
  }

  StatsQuery Query(int64_t link, std::vector<StatsFilter> filters) {
    StatsQuery q;
    q.account_id = account_;
    q.link_id = link;
    q.from_us = kDay0 - kDayUs;
    q.to_us = kDay0 + 5 * kDayUs;
    q.interval = Interval::kHour;
    q.filters = std::move(filters);
    return q;
  }

  // "key:total/unique/bots" rows of a raw-hit GROUP BY `key`, sorted, for the query's scope.
  std::vector<std::string> Raw(const StatsQuery& q, const std::string& key) {
    sqlite::FilterValues f;
    EXPECT_TRUE(sqlite::CollapseFilters(q.filters, &f));
    Result<sqlite::Statement> s = db_->Prepare(
        "SELECT " + key +
        ", SUM(bot = 0), SUM(is_unique), SUM(bot <> 0) FROM hits WHERE kind = 1 AND account_id = "
        "?1 AND (?2 = 0 OR link_id = ?2) AND time_us >= " +
        std::to_string(q.from_us / 3'600'000'000 * 3'600'000'000) + " AND time_us < " +
        std::to_string(q.to_us) + sqlite::FilterSql(f) + " GROUP BY 1");
    EXPECT_TRUE(s.ok());
    std::vector<std::string> rows;
    if (!s.ok()) return rows;
    EXPECT_TRUE(s->BindAll(q.account_id, q.link_id).ok());
    EXPECT_TRUE(sqlite::BindFilters(&*s, 3, f).ok());
    for (;;) {
      Result<bool> row = s->Step();
      EXPECT_TRUE(row.ok());
      if (!row.ok() || !*row) break;
      if (s->ColumnInt(1) == 0 && s->ColumnInt(2) == 0 && s->ColumnInt(3) == 0) continue;
      rows.push_back(s->ColumnText(0) + ":" + std::to_string(s->ColumnInt(1)) + "/" +
                     std::to_string(s->ColumnInt(2)) + "/" + std::to_string(s->ColumnInt(3)));
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  // The series' rows keyed by bucket start in `unit_us` units.
  std::vector<std::string> Series(const StatsQuery& q, int64_t unit_us = 3'600'000'000) {
    Result<std::optional<LinkStats>> s = store_->GetLinkStats(q);
    EXPECT_TRUE(s.ok() && s->has_value()) << s.status().ToString();
    std::vector<std::string> rows;
    if (!s.ok() || !s->has_value()) return rows;
    for (const StatsBucket& b : (*s)->series) {
      if (b.total == 0 && b.unique == 0 && b.bots == 0) continue;  // a HEAD-only hour
      rows.push_back(std::to_string(b.start_us / unit_us) + ":" + std::to_string(b.total) + "/" +
                     std::to_string(b.unique) + "/" + std::to_string(b.bots));
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  std::vector<std::string> Grouped(const StatsQuery& q, Dimension d) {
    auto r = store_->GetBreakdown(q, d, 1000);
    EXPECT_TRUE(r.ok() && r->has_value()) << r.status().ToString();
    std::vector<std::string> rows;
    if (!r.ok() || !r->has_value()) return rows;
    for (const BreakdownRow& b : **r) {
      rows.push_back(b.value + ":" + std::to_string(b.total) + "/" + std::to_string(b.unique) +
                     "/" + std::to_string(b.bots));
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  // Every raw value of `d` in the hits (for filters), "" included.
  std::vector<std::string> Values(Dimension d) {
    if (d == Dimension::kBot) return {"bot", "human"};
    std::vector<std::string> out;
    Result<sqlite::Statement> s =
        db_->Prepare("SELECT DISTINCT " + std::string(sqlite::DimColumn(d)) + " FROM hits");
    EXPECT_TRUE(s.ok());
    while (s.ok()) {
      Result<bool> row = s->Step();
      if (!row.ok() || !*row) break;
      out.push_back(s->ColumnText(0));
    }
    return out;
  }

  void ExpectEqualToRawHits(const std::vector<StatsFilter>& filters) {
    for (int64_t link : {links_[0], links_[1], int64_t{0}}) {
      StatsQuery q = Query(link, filters);
      SCOPED_TRACE("link " + std::to_string(link) + " filters " + std::to_string(filters.size()));
      EXPECT_EQ(Series(q), Raw(q, "time_us / 3600000000"));
      for (Dimension g : kAll) {
        EXPECT_EQ(Grouped(q, g), Raw(q, std::string(sqlite::DimColumn(g))))
            << "group_by " << static_cast<int>(g);
      }
    }
  }

  std::unique_ptr<sqlite::Db> db_;
  int64_t account_ = 0;
  std::vector<int64_t> links_;
  uint64_t position_ = 0;
};

TEST_P(ComboReportsTest, UnfilteredBreakdownsEqualRawHits) { ExpectEqualToRawHits({}); }

TEST_P(ComboReportsTest, EverySingleFilterWithEveryGroupByEqualsRawHits) {
  for (Dimension d : kAll) {
    for (const std::string& v : Values(d)) {
      SCOPED_TRACE("filter " + std::to_string(static_cast<int>(d)) + "=" + v);
      ExpectEqualToRawHits({{d, v}});
    }
  }
}

TEST_P(ComboReportsTest, PairsOfFiltersEqualRawHits) {
  const std::vector<std::pair<Dimension, Dimension>> pairs = {
      {Dimension::kCountry, Dimension::kDevice},
      {Dimension::kReferrer, Dimension::kBot},
      {Dimension::kDestination, Dimension::kLanguage},
      {Dimension::kOs, Dimension::kBrowser}};
  for (const auto& [a, b] : pairs) {
    for (const std::string& va : Values(a)) {
      for (const std::string& vb : Values(b)) {
        SCOPED_TRACE(va + " & " + vb);
        ExpectEqualToRawHits({{a, va}, {b, vb}});
      }
    }
  }
}

TEST_P(ComboReportsTest, AccountWideOverDaysAndHourEndsEqualsRawHits) {
  // Account-wide (account_combo_rollups unless a destination is involved): a day series reads
  // whole days from the day rows; a breakdown over a range that is not whole days reads the day
  // rows in between and the hour rows at either end.
  const std::vector<std::vector<StatsFilter>> filter_sets = {
      {{Dimension::kCountry, "US"}},
      {{Dimension::kDevice, "mobile"}, {Dimension::kBot, "human"}},
      {{Dimension::kReferrer, ""}, {Dimension::kLanguage, "de"}},
      {{Dimension::kBrowser, "safari"}, {Dimension::kBot, "bot"}},
      {{Dimension::kDestination, "https://a.example/"}, {Dimension::kOs, "ios"}},
      // One known value alone: the series from account_dim_rollups.
      {{Dimension::kDestination, "https://b.example/=cmd"}},
      {{Dimension::kOs, "ios"}}};
  for (const auto& filters : filter_sets) {
    SCOPED_TRACE("filters " + filters.front().value);
    StatsQuery days = Query(0, filters);
    days.interval = Interval::kDay;
    EXPECT_EQ(Series(days, kDayUs), Raw(days, "time_us / " + std::to_string(kDayUs)));
    StatsQuery ends = Query(0, filters);
    ends.from_us = kDay0 + 5 * 3'600'000'000 + 1'234;
    ends.to_us = kDay0 + 2 * kDayUs + 7 * 3'600'000'000;
    EXPECT_EQ(Series(ends), Raw(ends, "time_us / 3600000000"));
    for (Dimension g : kAll) {
      EXPECT_EQ(Grouped(ends, g), Raw(ends, std::string(sqlite::DimColumn(g))))
          << "group_by " << static_cast<int>(g);
    }
  }
}

TEST_P(ComboReportsTest, UniquesSummedOverCombinationsEqualTheRollups) {
  // Each unique click has one combination, so the combination rows add up to the link rollups.
  Result<sqlite::Statement> s = db_->Prepare(R"sql(
      SELECT (SELECT SUM(unique_count) FROM combo_rollups),
             (SELECT SUM(unique_count) FROM rollups WHERE granularity = 3600),
             (SELECT SUM(total) FROM combo_rollups),
             (SELECT SUM(total) FROM rollups WHERE granularity = 3600))sql");
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(*s->Step());
  EXPECT_GT(s->ColumnInt(0), 0);
  EXPECT_EQ(s->ColumnInt(0), s->ColumnInt(1));
  EXPECT_EQ(s->ColumnInt(2), s->ColumnInt(3));
}

TEST_P(ComboReportsTest, MigrationBackfillEqualsTheTrackersRows) {
  // The migration that adds the tables fills them from the raw hits (all kept here) and the
  // links' dim_rollups: the same rows the tracker wrote.
  auto dump = [&] {
    std::vector<std::string> rows;
    for (const char* sql :
         {"SELECT bucket_start_us || '|' || link_id || '|' || country || '|' || device || '|' || "
          "os || '|' || browser || '|' || referrer_domain || '|' || language || '|' || "
          "destination || '|' || total || '|' || unique_count || '|' || bots FROM combo_rollups "
          "ORDER BY 1",
          "SELECT account_id || '|' || dim || '|' || granularity || '|' || bucket_start_us || "
          "'|' || value || '|' || total || '|' || unique_count || '|' || bots FROM "
          "account_dim_rollups ORDER BY 1",
          "SELECT account_id || '|' || granularity || '|' || bucket_start_us || '|' || country || "
          "'|' || device || '|' || os || '|' || browser || '|' || referrer_domain || '|' || "
          "language || '|' || total || '|' || unique_count || '|' || bots FROM "
          "account_combo_rollups ORDER BY 1"}) {
      Result<sqlite::Statement> s = db_->Prepare(sql);
      EXPECT_TRUE(s.ok());
      while (s.ok()) {
        Result<bool> row = s->Step();
        if (!row.ok() || !*row) break;
        rows.push_back(s->ColumnText(0));
      }
    }
    return rows;
  };
  const std::vector<std::string> tracker = dump();
  ASSERT_GT(tracker.size(), 100u);
  store_.reset();
  // Back to before the combo migration (v12); the later one (v13, edge ranges) is undone too so
  // that both re-run.
  ASSERT_TRUE(db_->Exec("DROP TABLE combo_rollups; DROP TABLE account_dim_rollups; "
                        "DROP TABLE account_combo_rollups; DROP TABLE edge_ranges; "
                        "DROP TABLE edge_watermarks; PRAGMA user_version = " +
                        std::to_string(sqlite::LatestSchemaVersion() - 2))
                  .ok());
  store_ = Open();
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(dump(), tracker);
}

INSTANTIATE_TEST_SUITE_P(UniqueDefinitions, ComboReportsTest,
                         ::testing::Values(UniqueDefinition::kPerVisitorDay,
                                           UniqueDefinition::kIp30Min));

}  // namespace
}  // namespace ct::testing_store
