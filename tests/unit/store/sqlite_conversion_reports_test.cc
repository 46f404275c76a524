// Conversions on SQLite, read side: the raw list (pagination, filters, tenancy), goal stats, and
// conversions in link/account series, breakdowns (unknown and bot/human rows), top links, with
// a goal filter and with dimension filters (raw hits). Clicks are committed through Store::Commit;
// conversions are seeded with plain SQL into the v5 tables exactly as the commit path writes
// them (docs/design/conversions.md "Attribution and counting", step 5).
#include <algorithm>
#include <cstring>

#include "store/sqlite/commit.h"
#include "store/sqlite/db.h"
#include "store_fixture.h"

namespace ct::testing_store {
namespace {

constexpr int64_t kH = kHourUs;

class ConversionReportsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    auto db = sqlite::Db::Open(path_, {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    acme_ = Account("acme");
    other_ = Account("other");
    l1_ = Link(acme_, "one").id;
    l2_ = Link(acme_, "two").id;
    g1_ = Goal(acme_, "key-one");
    g2_ = Goal(acme_, "key-two");
  }
  void TearDown() override {
    db_.reset();
    StoreTest::TearDown();
  }

  void Run(std::string_view sql, auto... args) {
    Result<sqlite::Statement> s = db_->Prepare(sql);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    ASSERT_TRUE(s->BindAll(args...).ok());
    ASSERT_TRUE(s->Run().ok()) << sql;
  }

  int64_t Goal(int64_t account, const std::string& key) {
    Run(R"sql(INSERT INTO goals (account_id, key, name, default_value_micros, currency,
              window_seconds, counting, attribution, created_at, updated_at, version)
              VALUES (?, ?, 'goal', 0, 'USD', 86400, 0, 0, 1, 1,
                      (SELECT COALESCE(MAX(version), 0) + 1000 FROM goals)))sql",
        account, std::string_view(key));
    return db_->LastInsertRowId();
  }

  // A committed click with the given country/device (empty = unknown); returns its event id.
  EventId Click(int64_t link, int64_t time_us, std::string country, std::string device = "",
                int64_t account = 0) {
    const uint64_t n = ++seq_;
    HitRecord h = MakeHit(n, link, account ? account : acme_, time_us, "v" + std::to_string(n));
    h.enrichment.country = std::move(country);
    h.enrichment.device = std::move(device);
    CommitHits({h});
    return h.event.id;
  }

  // A conversion as Commit records it: the row (any status) and, when counted, the rollups of
  // the credited click's link (if any), the account, the click's known dimension values (its
  // hour; the account's per hour and day), its combination of values (the link's per hour, the
  // account's per hour and day), the account's pair of values (per hour and day) and the goal.
  EventId Convert(int64_t goal, int64_t time_us, int64_t value_micros,
                  const std::optional<EventId>& click = std::nullopt, int64_t link = 0,
                  ConversionStatus status = ConversionStatus::kCounted, int64_t account = 0) {
    account = account ? account : acme_;
    EventId id{};
    const uint64_t n = ++seq_;
    std::memcpy(id.data(), "conv-id-", 8);
    std::memcpy(id.data() + 8, &n, 8);
    const sqlite::Blob id_blob{id.data(), id.size()};
    if (click) {
      Run(R"sql(INSERT INTO conversions (event_id, account_id, goal_id, time_us, link_id,
                click_event_id, click_time_us, value_micros, currency, order_id, click_ref,
                status, flags, ip, user_agent, referrer)
                VALUES (?, ?, ?, ?, ?, ?, 1, ?, 'USD', 'order', 'ref', ?, 32, '', '', ''))sql",
          id_blob, account, goal, time_us, link, sqlite::Blob{click->data(), click->size()},
          value_micros, static_cast<int64_t>(status));
    } else {
      Run(R"sql(INSERT INTO conversions (event_id, account_id, goal_id, time_us, link_id,
                click_event_id, click_time_us, value_micros, currency, order_id, click_ref,
                status, flags, ip, user_agent, referrer)
                VALUES (?, ?, ?, ?, 0, NULL, 0, ?, 'USD', '', '', ?, 0, '', '', ''))sql",
          id_blob, account, goal, time_us, value_micros, static_cast<int64_t>(status));
    }
    if (status != ConversionStatus::kCounted) return id;
    for (int64_t width : {60, 3600, 86400}) {
      const int64_t start = sqlite::BucketStart(time_us, width);
      if (link != 0) {
        Run(R"sql(INSERT INTO rollups (link_id, granularity, bucket_start_us, total,
                  unique_count, head, conversions, value_micros) VALUES (?, ?, ?, 0, 0, 0, 1, ?)
                  ON CONFLICT DO UPDATE SET conversions = conversions + 1,
                                            value_micros = value_micros + excluded.value_micros)sql",
            link, width, start, value_micros);
      }
      Run(R"sql(INSERT INTO account_rollups (account_id, granularity, bucket_start_us, total,
                unique_count, bots, head, conversions, value_micros)
                VALUES (?, ?, ?, 0, 0, 0, 0, 1, ?)
                ON CONFLICT DO UPDATE SET conversions = conversions + 1,
                                          value_micros = value_micros + excluded.value_micros)sql",
          account, width, start, value_micros);
      Run(R"sql(INSERT INTO goal_rollups (goal_id, granularity, bucket_start_us, link_id,
                conversions, value_micros) VALUES (?, ?, ?, ?, 1, ?)
                ON CONFLICT DO UPDATE SET conversions = conversions + 1,
                                          value_micros = value_micros + excluded.value_micros)sql",
          goal, width, start, link, value_micros);
    }
    if (click) {
      // The click's known dimension values, from its hit row, in the conversion's hour.
      Run(R"sql(INSERT INTO dim_rollups (link_id, dim, bucket_start_us, value, total,
                unique_count, bots, conversions, value_micros)
                SELECT ?1, d.dim, ?2, d.value, 0, 0, 0, 1, ?3 FROM (
                  SELECT 0 AS dim, country AS value FROM hits WHERE event_id = ?4
                  UNION ALL SELECT 1, device FROM hits WHERE event_id = ?4) d
                WHERE d.value <> ''
                ON CONFLICT DO UPDATE SET conversions = conversions + 1,
                                          value_micros = value_micros + excluded.value_micros)sql",
          link, sqlite::BucketStart(time_us, 3600), value_micros,
          sqlite::Blob{click->data(), click->size()});
      // The same summed for the account, per hour and per day.
      for (int64_t width : {3600, 86400}) {
        Run(R"sql(INSERT INTO account_dim_rollups (account_id, dim, granularity, bucket_start_us,
                  value, total, unique_count, bots, conversions, value_micros)
                  SELECT ?1, d.dim, ?2, ?3, d.value, 0, 0, 0, 1, ?4 FROM (
                    SELECT 0 AS dim, country AS value FROM hits WHERE event_id = ?5
                    UNION ALL SELECT 1, device FROM hits WHERE event_id = ?5) d
                  WHERE d.value <> ''
                  ON CONFLICT DO UPDATE SET conversions = conversions + 1,
                                            value_micros = value_micros + excluded.value_micros)sql",
            account, width, sqlite::BucketStart(time_us, width), value_micros,
            sqlite::Blob{click->data(), click->size()});
      }
      // And under the click's whole combination of values (filtered reports).
      Run(R"sql(INSERT INTO combo_rollups
                SELECT ?1, ?2, country, device, os, browser, referrer_domain, language,
                       destination, 0, 0, 0, 1, ?3 FROM hits WHERE event_id = ?4
                ON CONFLICT DO UPDATE SET conversions = conversions + 1,
                                          value_micros = value_micros + excluded.value_micros)sql",
          sqlite::BucketStart(time_us, 3600), link, value_micros,
          sqlite::Blob{click->data(), click->size()});
      // And the account's, without the destination, per hour and per day.
      for (int64_t width : {3600, 86400}) {
        Run(R"sql(INSERT INTO account_combo_rollups
                  SELECT ?1, ?2, ?3, country, device, os, browser, referrer_domain, language,
                         0, 0, 0, 1, ?4 FROM hits WHERE event_id = ?5
                  ON CONFLICT DO UPDATE SET conversions = conversions + 1,
                                            value_micros = value_micros + excluded.value_micros)sql",
            account, width, sqlite::BucketStart(time_us, width), value_micros,
            sqlite::Blob{click->data(), click->size()});
        // And its pair of known values (these clicks have a country and a device only).
        Run(R"sql(INSERT INTO account_pair_rollups
                  SELECT ?1, 0, 1, ?2, ?3, country, device, 0, 0, 0, 1, ?4 FROM hits
                  WHERE event_id = ?5 AND country <> '' AND device <> ''
                  ON CONFLICT DO UPDATE SET conversions = conversions + 1,
                                            value_micros = value_micros + excluded.value_micros)sql",
            account, width, sqlite::BucketStart(time_us, width), value_micros,
            sqlite::Blob{click->data(), click->size()});
      }
    }
    return id;
  }

  StatsQuery Query(int64_t link, Interval interval = Interval::kHour, int64_t goal = 0) {
    StatsQuery q;
    q.account_id = acme_;
    q.link_id = link;
    q.from_us = kDay0;
    q.to_us = kDay0 + kDayUs;
    q.interval = interval;
    q.goal_id = goal;
    return q;
  }
  LinkStats Get(const StatsQuery& q) {
    auto s = store_->GetLinkStats(q);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() && s->has_value() ? **s : LinkStats{};
  }
  // "start/hours:total/conversions/value" per bucket: one readable string to compare.
  static std::string Series(const LinkStats& s) {
    std::string out;
    for (const StatsBucket& b : s.series) {
      out += (out.empty() ? "" : " ") + std::to_string((b.start_us - kDay0) / kH) + ":" +
             std::to_string(b.total) + "/" + std::to_string(b.conversions) + "/" +
             std::to_string(b.value_micros);
    }
    return out;
  }
  std::string Breakdown(const StatsQuery& q, Dimension d, int limit = 50) {
    auto r = store_->GetBreakdown(q, d, limit);
    EXPECT_TRUE(r.ok() && r->has_value()) << r.status().ToString();
    std::string out;
    if (!r.ok() || !r->has_value()) return out;
    for (const BreakdownRow& row : **r) {
      out += (out.empty() ? "" : " ") + row.value + ":" + std::to_string(row.total) + "/" +
             std::to_string(row.conversions) + "/" + std::to_string(row.value_micros);
    }
    return out;
  }

  std::unique_ptr<sqlite::Db> db_;
  int64_t acme_ = 0, other_ = 0, l1_ = 0, l2_ = 0, g1_ = 0, g2_ = 0;
  uint64_t seq_ = 0;
};

TEST_F(ConversionReportsTest, ListConversionsPagesNewestFirstWithFiltersAndTenancy) {
  const EventId click = Click(l1_, kDay0, "US");
  std::vector<EventId> expected;  // newest first
  for (int i = 0; i < 13; ++i) {
    // Pairs share a microsecond: the event id breaks the tie.
    const bool attributed = i % 2 == 0;
    expected.push_back(
        Convert(i % 3 == 0 ? g2_ : g1_, kDay0 + (i / 2) * kH, 1'000'000 * i,
                attributed ? std::optional(click) : std::nullopt, attributed ? l1_ : 0,
                i == 4 ? ConversionStatus::kDuplicateOrder : ConversionStatus::kCounted));
  }
  Convert(Goal(other_, "theirs"), kDay0, 5, std::nullopt, 0, ConversionStatus::kCounted, other_);
  std::reverse(expected.begin(), expected.end());  // ids grow with i within a microsecond

  std::vector<EventId> seen;
  std::optional<ConversionCursor> after;
  for (int page = 0; page < 10; ++page) {
    auto r = store_->ListConversions({.account_id = acme_}, after, 4);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const ConversionRow& c : r->conversions) seen.push_back(c.event_id);
    after = r->next;
    if (!after) break;
  }
  EXPECT_EQ(seen, expected);

  auto all = store_->ListConversions({.account_id = acme_}, std::nullopt, 100);
  ASSERT_TRUE(all.ok());
  const ConversionRow& first = all->conversions.back();  // i = 0
  EXPECT_EQ(first.goal_id, g2_);
  EXPECT_EQ(first.link_id, l1_);
  EXPECT_EQ(first.click_event_id, click);
  EXPECT_EQ(first.currency, "USD");
  EXPECT_EQ(first.order_id, "order");
  EXPECT_EQ(first.click_ref, "ref");
  EXPECT_TRUE(first.server_to_server);
  EXPECT_EQ(all->conversions[all->conversions.size() - 5].status,
            ConversionStatus::kDuplicateOrder);              // every status is listed
  EXPECT_EQ(all->conversions[1].click_event_id, EventId{});  // i = 11: unattributed

  auto count = [&](ConversionFilter f) {
    f.account_id = f.account_id ? f.account_id : acme_;
    auto r = store_->ListConversions(f, std::nullopt, 100);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->conversions.size() : 0u;
  };
  EXPECT_EQ(count({.goal_id = g2_}), 5u);  // i = 0, 3, 6, 9, 12
  EXPECT_EQ(count({.link_id = l1_}), 7u);
  EXPECT_EQ(count({.goal_id = g2_, .link_id = l1_}), 3u);                      // 0, 6, 12
  EXPECT_EQ(count({.from_us = kDay0 + 2 * kH, .to_us = kDay0 + 4 * kH}), 4u);  // i = 4..7
  EXPECT_EQ(count({.from_us = kDay0 + 6 * kH}), 1u);
  EXPECT_EQ(count({.account_id = other_}), 1u);
}

TEST_F(ConversionReportsTest, GoalStatsFromGoalRollups) {
  const EventId click = Click(l1_, kDay0, "US");
  Convert(g1_, kDay0 + 5 * kMinuteUs, 1'000'000, click, l1_);    // before from, in its hour
  Convert(g1_, kDay0 + 2 * kH, 2'000'000);                       // unattributed
  Convert(g1_, kDay0 + kDayUs + 5 * kH, 4'000'000, click, l1_);  // in a whole day
  Convert(g1_, kDay0 + 3 * kDayUs, 8'000'000, click, l1_);       // after the range
  Convert(g2_, kDay0 + 2 * kH, 0, click, l1_);
  Convert(g2_, kDay0 + 2 * kH, 9, click, l1_, ConversionStatus::kDuplicateClick);  // not counted
  Goal(acme_, "quiet");  // no conversions: left out
  Convert(Goal(other_, "theirs"), kDay0 + 2 * kH, 7, std::nullopt, 0, ConversionStatus::kCounted,
          other_);

  // From mid-hour 0 (read as the whole hour) to the end of day 2: hours, whole day 1, hours.
  auto stats = store_->GetGoalStats(acme_, kDay0 + 10 * kMinuteUs, kDay0 + 2 * kDayUs + kH);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  ASSERT_EQ(stats->size(), 2u);
  EXPECT_EQ((*stats)[0].goal_id, g1_);
  EXPECT_EQ((*stats)[0].conversions, 3);
  EXPECT_EQ((*stats)[0].attributed, 2);
  EXPECT_EQ((*stats)[0].value_micros, 7'000'000);
  EXPECT_EQ((*stats)[1].goal_id, g2_);
  EXPECT_EQ((*stats)[1].conversions, 1);
  EXPECT_EQ((*stats)[1].value_micros, 0);

  stats = store_->GetGoalStats(acme_, kDay0 + kH, kDay0 + 3 * kH);  // hours only
  ASSERT_TRUE(stats.ok());
  ASSERT_EQ(stats->size(), 2u);
  EXPECT_EQ((*stats)[0].conversions, 1);
  EXPECT_EQ((*stats)[0].attributed, 0);
}

TEST_F(ConversionReportsTest, SeriesCarryConversionsPerBucketAndAccountWideUnattributed) {
  const EventId c1 = Click(l1_, kDay0 + kH, "US");
  Click(l1_, kDay0 + 2 * kH, "DE");
  const EventId c2 = Click(l2_, kDay0 + 2 * kH, "US");
  Convert(g1_, kDay0 + 2 * kH + 5, 1'500'000, c1, l1_);
  Convert(g2_, kDay0 + 5 * kH, 500'000, c1, l1_);  // an hour without clicks
  Convert(g1_, kDay0 + 5 * kH, 2'000'000, c2, l2_);
  Convert(g1_, kDay0 + 6 * kH, 3'000'000);  // unattributed: account-wide only
  Convert(g1_, kDay0 + 6 * kH, 9, c1, l1_, ConversionStatus::kBot);  // not counted

  LinkStats one = Get(Query(l1_));
  EXPECT_EQ(Series(one), "1:1/0/0 2:1/1/1500000 5:0/1/500000");
  EXPECT_EQ(one.conversions, 2);
  EXPECT_EQ(one.value_micros, 2'000'000);
  EXPECT_EQ(Get(Query(l1_, Interval::kDay)).series.at(0).conversions, 2);
  EXPECT_EQ(Get(Query(l1_, Interval::kMinute)).series.size(), 3u);

  LinkStats account = Get(Query(0));
  EXPECT_EQ(Series(account), "1:1/0/0 2:2/1/1500000 5:0/2/2500000 6:0/1/3000000");
  EXPECT_EQ(account.conversions, 4);
  EXPECT_EQ(account.value_micros, 7'000'000);

  // One goal: conversions from goal_rollups, clicks as before.
  EXPECT_EQ(Series(Get(Query(l1_, Interval::kHour, g1_))), "1:1/0/0 2:1/1/1500000");
  EXPECT_EQ(Series(Get(Query(l1_, Interval::kHour, g2_))), "1:1/0/0 2:1/0/0 5:0/1/500000");
  LinkStats goal_wide = Get(Query(0, Interval::kDay, g1_));
  EXPECT_EQ(goal_wide.total, 3);
  EXPECT_EQ(goal_wide.conversions, 3);  // with the unattributed one
  EXPECT_EQ(goal_wide.value_micros, 6'500'000);
  // Another account's goal id: no conversions, clicks unchanged.
  const int64_t theirs = Goal(other_, "theirs");
  Convert(theirs, kDay0 + 2 * kH, 1, std::nullopt, 0, ConversionStatus::kCounted, other_);
  LinkStats foreign = Get(Query(0, Interval::kDay, theirs));
  EXPECT_EQ(foreign.total, 3);
  EXPECT_EQ(foreign.conversions, 0);

  // Caller-given (local-day) buckets read the same columns.
  StatsQuery local = Query(l1_, Interval::kDay);
  local.bucket_starts_us = {kDay0 - 2 * kH, kDay0 + 4 * kH};
  EXPECT_EQ(Series(Get(local)), "-2:2/1/1500000 4:0/1/500000");
}

TEST_F(ConversionReportsTest, BreakdownsGiveConversionsPerValueWithTheRestUnknown) {
  const EventId us = Click(l1_, kDay0 + kH, "US", "mobile");
  Click(l1_, kDay0 + kH, "US", "desktop");
  const EventId de = Click(l1_, kDay0 + kH, "DE", "mobile");
  const EventId unknown = Click(l1_, kDay0 + kH, "");
  Convert(g1_, kDay0 + 3 * kH, 1'000'000, us, l1_);
  Convert(g2_, kDay0 + 3 * kH, 2'000'000, us, l1_);
  Convert(g1_, kDay0 + 3 * kH, 4'000'000, de, l1_);
  Convert(g1_, kDay0 + 3 * kH, 8'000'000, unknown, l1_);
  Convert(g1_, kDay0 + 4 * kH, 16'000'000);  // unattributed

  EXPECT_EQ(Breakdown(Query(l1_), Dimension::kCountry),
            "US:2/2/3000000 :1/1/8000000 DE:1/1/4000000");
  EXPECT_EQ(Breakdown(Query(l1_), Dimension::kCountry, 1), "US:2/2/3000000");
  // Account-wide: the unattributed conversion has no click, so no value: unknown.
  EXPECT_EQ(Breakdown(Query(0), Dimension::kCountry),
            "US:2/2/3000000 :1/2/24000000 DE:1/1/4000000");
  EXPECT_EQ(Breakdown(Query(l1_), Dimension::kBot), "human:4/4/15000000");
  EXPECT_EQ(Breakdown(Query(0), Dimension::kBot), "human:4/5/31000000");

  // One goal: per value from its conversions' clicks; the rest of its total is unknown.
  EXPECT_EQ(Breakdown(Query(l1_, Interval::kHour, g1_), Dimension::kCountry),
            "US:2/1/1000000 :1/1/8000000 DE:1/1/4000000");
  EXPECT_EQ(Breakdown(Query(0, Interval::kHour, g1_), Dimension::kCountry),
            "US:2/1/1000000 :1/2/24000000 DE:1/1/4000000");
  EXPECT_EQ(Breakdown(Query(l1_, Interval::kHour, g2_), Dimension::kDevice),
            "mobile:2/1/2000000 :1/0/0 desktop:1/0/0");
}

TEST_F(ConversionReportsTest, FilteredReportsCountConversionsOfMatchingClicks) {
  const EventId us_mobile = Click(l1_, kDay0 + kH, "US", "mobile");
  const EventId us_desktop = Click(l1_, kDay0 + kH, "US", "desktop");
  const EventId de = Click(l1_, kDay0 + kH, "DE", "mobile");
  const EventId other_link = Click(l2_, kDay0 + kH, "US", "mobile");
  // A click before the range: its conversion in the range still counts under its values.
  const EventId early = Click(l1_, kDay0 - 2 * kH, "US", "tablet");
  Convert(g1_, kDay0 + 2 * kH, 1'000'000, us_mobile, l1_);
  Convert(g2_, kDay0 + 3 * kH, 2'000'000, us_desktop, l1_);
  Convert(g1_, kDay0 + 3 * kH, 4'000'000, de, l1_);
  Convert(g1_, kDay0 + 3 * kH, 8'000'000, other_link, l2_);
  Convert(g1_, kDay0 + 4 * kH, 16'000'000, early, l1_);
  Convert(g1_, kDay0 + 4 * kH, 32, us_mobile, l1_, ConversionStatus::kDuplicateClick);
  Convert(g1_, kDay0 + 4 * kH, 64'000'000);  // unattributed: matches no filter

  StatsQuery us = Query(l1_);
  us.filters = {{Dimension::kCountry, "US"}};
  EXPECT_EQ(Series(Get(us)), "1:2/0/0 2:0/1/1000000 3:0/1/2000000 4:0/1/16000000");
  us.goal_id = g1_;
  EXPECT_EQ(Series(Get(us)), "1:2/0/0 2:0/1/1000000 4:0/1/16000000");
  StatsQuery us_wide = Query(0);
  us_wide.filters = {{Dimension::kCountry, "US"}};
  EXPECT_EQ(Get(us_wide).conversions, 4);
  us_wide.filters.push_back({Dimension::kDevice, "mobile"});
  EXPECT_EQ(Get(us_wide).conversions, 2);
  EXPECT_EQ(Get(us_wide).value_micros, 9'000'000);
  us_wide.filters.push_back({Dimension::kBot, "bot"});
  EXPECT_EQ(Get(us_wide).conversions, 0);

  // A filtered breakdown: the tablet click is before the range (no clicks in it) yet converted.
  StatsQuery by_device = Query(l1_);
  by_device.filters = {{Dimension::kCountry, "US"}};
  EXPECT_EQ(Breakdown(by_device, Dimension::kDevice),
            "desktop:1/1/2000000 mobile:1/1/1000000 tablet:0/1/16000000");
  by_device.goal_id = g2_;
  EXPECT_EQ(Breakdown(by_device, Dimension::kDevice), "desktop:1/1/2000000 mobile:1/0/0");
}

TEST_F(ConversionReportsTest, TopLinksCarryConversions) {
  const EventId c1 = Click(l1_, kDay0 + kH, "US");
  Click(l1_, kDay0 + kH, "US");
  const EventId c2 = Click(l2_, kDay0 - kDayUs, "US");  // clicked the day before
  Convert(g1_, kDay0 + 2 * kH, 1'000'000, c1, l1_);
  Convert(g1_, kDay0 + kDayUs + kH, 2'000'000, c2, l2_);  // next day: whole-day rollups
  Convert(g1_, kDay0 + 3 * kH, 4'000'000);                // unattributed: no link

  auto top = store_->GetTopLinks(acme_, kDay0, kDay0 + 3 * kDayUs, 10);
  ASSERT_TRUE(top.ok()) << top.status().ToString();
  ASSERT_EQ(top->size(), 2u);
  EXPECT_EQ((*top)[0].link_id, l1_);
  EXPECT_EQ((*top)[0].total, 2);
  EXPECT_EQ((*top)[0].conversions, 1);
  EXPECT_EQ((*top)[0].value_micros, 1'000'000);
  EXPECT_EQ((*top)[1].link_id, l2_);  // listed for its conversion alone
  EXPECT_EQ((*top)[1].total, 0);
  EXPECT_EQ((*top)[1].conversions, 1);
  EXPECT_EQ((*top)[1].value_micros, 2'000'000);
}

}  // namespace
}  // namespace ct::testing_store
