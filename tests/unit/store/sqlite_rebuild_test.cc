// `clicktrail rebuild` on SQLite (store/sqlite/rebuilder.h): rebuilt rows equal the tracker's,
// row for row; rebuilding is deterministic; new bot rules reclassify the past; ranges past the
// raw-hit retention are refused; an interrupted job resumes to the same result; and tracker
// commits running alongside are neither lost nor counted twice.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "conversion_fixture.h"
#include "store/sqlite/rebuilder.h"

namespace ct::testing_store {
namespace {

// A stand-in for enrich::Enricher with a rule set a test can change: a User-Agent containing
// one of `bot_words` is a bot; the other dimensions are plain functions of the raw fields.
struct Rules {
  std::vector<std::string> bot_words;
  int64_t version = 1;

  Enrichment Enrich(const Event& e, std::string_view stored_country) const {
    Enrichment en;
    en.classifier = version;
    en.country = std::string(stored_country);
    en.device = e.user_agent.find("Mobile") != std::string::npos ? "mobile" : "desktop";
    en.os = e.user_agent.find("Android") != std::string::npos ? "android" : "linux";
    en.browser = "firefox";
    en.referrer_domain = e.referrer.empty() ? "" : "example.org";
    en.language = e.accept_language.substr(0, 2);
    en.bot = e.kind == EventKind::kHead || e.user_agent.empty();
    for (const std::string& w : bot_words) {
      if (e.user_agent.find(w) != std::string::npos) en.bot = true;
    }
    if (en.bot) en.device = "bot";
    return en;
  }
  sqlite::Reclassifier Fn() const {
    return [r = *this](const Event& e, std::string_view c) { return r.Enrich(e, c); };
  }
};

class RebuildTest : public ConversionTest {
 protected:
  void SetUp() override {
    ConversionTest::SetUp();
    link2_ = Link(account_, "second").id;
    other_account_ = Account("other");
    other_link_ = Link(other_account_, "theirs").id;
  }

  // A click as the tracker would commit it under `rules`.
  HitRecord Hit(uint64_t n, int64_t link, int64_t time_us, const std::string& visitor,
                const std::string& ua = "Mozilla/5.0 Mobile Android",
                EventKind kind = EventKind::kClick) {
    const int64_t account = link == other_link_ ? other_account_ : account_;
    HitRecord h = MakeHit(n, link, account, time_us, visitor, kind);
    h.event.user_agent = ua;
    h.event.destination = "https://example.com/d" + std::to_string(n % 3);
    h.enrichment = rules_.Enrich(h.event, n % 2 ? "DE" : "");
    return h;
  }

  // A day of traffic on three links and two accounts, in time order, plus conversions.
  void CommitTraffic(int64_t day, uint64_t base) {
    std::vector<HitRecord> batch;
    uint64_t n = base;
    for (int i = 0; i < 60; ++i) {
      const int64_t t = day + i * 23 * kMinuteUs + 17'000'000;  // spread over the day
      const std::string visitor = "visitor-" + std::to_string(i % 9);
      const int64_t link = i % 3 == 0 ? link_ : i % 3 == 1 ? link2_ : other_link_;
      const char* ua = i % 7 == 0    ? "NewCrawler/1.0"
                       : i % 11 == 0 ? "Googlebot/2.1"
                                     : "Mozilla/5.0 Mobile Android";
      batch.push_back(
          Hit(++n, link, t, visitor, ua, i % 13 == 0 ? EventKind::kHead : EventKind::kClick));
      if (batch.size() == 7) Commit(std::exchange(batch, {}));
    }
    Commit(std::exchange(batch, {}));
  }

  std::vector<std::string> Rows(const std::string& query) {
    std::vector<std::string> out;
    Result<sqlite::Statement> s = sql_->Prepare(query);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return out;
    for (;;) {
      Result<bool> row = s->Step();
      EXPECT_TRUE(row.ok());
      if (!row.ok() || !*row) break;
      out.push_back(s->ColumnText(0));
    }
    return out;
  }
  // Every derived row, and every hit's derived columns, as text.
  std::vector<std::string> Derived() {
    std::vector<std::string> all;
    for (const char* q : {
             "SELECT 'r|' || link_id || '|' || granularity || '|' || bucket_start_us || '|' || "
             "total || '|' || unique_count || '|' || head || '|' || bots || '|' || conversions "
             "|| '|' || value_micros FROM rollups ORDER BY 1",
             "SELECT 'a|' || account_id || '|' || granularity || '|' || bucket_start_us || '|' "
             "|| total || '|' || unique_count || '|' || head || '|' || bots || '|' || "
             "conversions || '|' || value_micros FROM account_rollups ORDER BY 1",
             "SELECT 'd|' || link_id || '|' || dim || '|' || bucket_start_us || '|' || value || "
             "'|' || total || '|' || unique_count || '|' || bots || '|' || conversions || '|' "
             "|| value_micros FROM dim_rollups ORDER BY 1",
             "SELECT 'c|' || link_id || '|' || bucket_start_us || '|' || country || '|' || "
             "device || '|' || os || '|' || browser || '|' || referrer_domain || '|' || "
             "language || '|' || destination || '|' || total || '|' || unique_count || '|' || "
             "bots || '|' || conversions || '|' || value_micros FROM combo_rollups ORDER BY 1",
             "SELECT 'ad|' || account_id || '|' || dim || '|' || granularity || '|' || "
             "bucket_start_us || '|' || value || '|' || total || '|' || unique_count || '|' || "
             "bots || '|' || conversions || '|' || value_micros FROM account_dim_rollups ORDER BY "
             "1",
             "SELECT 'ac|' || account_id || '|' || granularity || '|' || bucket_start_us || '|' "
             "|| country || '|' || device || '|' || os || '|' || browser || '|' || "
             "referrer_domain || '|' || language || '|' || total || '|' || unique_count || '|' "
             "|| bots || '|' || conversions || '|' || value_micros FROM account_combo_rollups "
             "ORDER BY 1",
             "SELECT 'ap|' || account_id || '|' || dim_a || '|' || dim_b || '|' || granularity "
             "|| '|' || bucket_start_us || '|' || value_a || '|' || value_b || '|' || total || "
             "'|' || unique_count || '|' || bots || '|' || conversions || '|' || value_micros "
             "FROM account_pair_rollups ORDER BY 1",
             "SELECT 'dl|' || account_id || '|' || destination || '|' || link_id FROM "
             "account_destination_links ORDER BY 1",
             "SELECT 'g|' || goal_id || '|' || granularity || '|' || bucket_start_us || '|' || "
             "link_id || '|' || conversions || '|' || value_micros FROM goal_rollups ORDER BY 1",
             "SELECT 'v|' || link_id || '|' || day || '|' || hex(visitor_key) FROM visitor_days "
             "ORDER BY 1",
             "SELECT 'h|' || hex(event_id) || '|' || country || '|' || device || '|' || os || "
             "'|' || browser || '|' || referrer_domain || '|' || language || '|' || bot || '|' "
             "|| is_unique || '|' || classifier FROM hits ORDER BY 1",
         }) {
      std::vector<std::string> rows = Rows(q);
      all.insert(all.end(), rows.begin(), rows.end());
    }
    return all;
  }

  sqlite::RebuildOptions Options(int64_t from, int64_t to, const Rules& rules) {
    sqlite::RebuildOptions o;
    o.db_path = path_;
    o.from_us = from;
    o.to_us = to;
    o.classifier = rules.version;
    o.reclassify = rules.Fn();
    o.txn_max_slices = 1;  // one slice per Step: interruptible at any slice
    return o;
  }
  // Runs a whole job; returns its final progress.
  sqlite::RebuildProgress Rebuild(sqlite::RebuildOptions o) {
    Result<std::unique_ptr<sqlite::Rebuilder>> r = sqlite::Rebuilder::Start(std::move(o));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {};
    for (int guard = 0; guard < 100000; ++guard) {
      Result<bool> more = (*r)->Step();
      EXPECT_TRUE(more.ok()) << more.status().ToString();
      if (!more.ok() || !*more) break;
    }
    return (*r)->progress();
  }

  Rules rules_{{"Googlebot"}, 7};
  int64_t link2_ = 0;
  int64_t other_account_ = 0;
  int64_t other_link_ = 0;
};

TEST_F(RebuildTest, RebuiltRowsEqualTheTrackersIncludingConversionsAndDimensions) {
  CommitTraffic(kDay0, 0);
  CommitTraffic(kDay0 + kDayUs, 1000);
  // A conversion credited to a click (its dimensions are the click's), one unattributed.
  GoalRow goal =
      MakeGoal({.default_value_micros = 2'500'000, .currency = "EUR", .window_seconds = 86400});
  HitRecord click = Hit(5000, link_, kDay0 + kDayUs + 20 * kHourUs, "buyer");
  Commit({click});
  Commit({Conversion(5001, goal, kDay0 + kDayUs + 21 * kHourUs, Cid(click)),
          Conversion(5002, goal, kDay0 + kDayUs + 22 * kHourUs, "")});
  ASSERT_EQ(Int("SELECT COUNT(*) FROM conversions WHERE status = 0"), 2);
  ASSERT_GT(Int("SELECT COUNT(*) FROM dim_rollups WHERE conversions > 0"), 0);

  const std::vector<std::string> tracker = Derived();
  sqlite::RebuildProgress p = Rebuild(Options(kDay0, kDay0 + 2 * kDayUs, rules_));
  EXPECT_EQ(p.events_done, Int("SELECT COUNT(*) FROM hits"));
  EXPECT_EQ(p.changed_hits, 0);  // same rules: not one hit rewritten
  EXPECT_EQ(Derived(), tracker);
}

TEST_F(RebuildTest, RebuildingTwiceIsIdenticalAndRepairsDamagedRows) {
  CommitTraffic(kDay0, 0);
  const std::vector<std::string> tracker = Derived();
  ASSERT_TRUE(sql_->Exec("UPDATE rollups SET total = total + 5; DELETE FROM dim_rollups; "
                         "UPDATE account_rollups SET bots = 0; DELETE FROM visitor_days;")
                  .ok());
  ASSERT_NE(Derived(), tracker);
  Rebuild(Options(kDay0 + 3 * kHourUs, kDay0 + 5 * kHourUs, rules_));  // widened to the day
  EXPECT_EQ(Derived(), tracker);
  // Several slices per transaction (bounded by hits, then by slices): the same rows.
  sqlite::RebuildOptions batched = Options(kDay0, kDay0 + kDayUs, rules_);
  batched.txn_max_slices = 500;
  batched.txn_max_hits = 15;
  Rebuild(batched);
  EXPECT_EQ(Derived(), tracker);
  batched.txn_max_hits = 1 << 30;
  Rebuild(batched);
  EXPECT_EQ(Derived(), tracker);
}

TEST_F(RebuildTest, NewBotRulesReclassifyThePast) {
  CommitTraffic(kDay0, 0);
  const LinkStats before = Stats(account_, 0, Interval::kDay);
  Rules caught{{"Googlebot", "NewCrawler"}, 8};
  sqlite::RebuildProgress p = Rebuild(Options(kDay0, kDay0 + kDayUs, caught));
  EXPECT_GT(p.changed_hits, 0);
  const LinkStats after = Stats(account_, 0, Interval::kDay);
  EXPECT_GT(after.bots, before.bots);
  EXPECT_LT(after.total, before.total);
  EXPECT_EQ(after.total + after.bots, before.total + before.bots);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM hits WHERE user_agent LIKE 'NewCrawler%' AND bot = 0"), 0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM hits WHERE classifier != 8"), 0);
  const std::vector<std::string> once = Derived();
  Rebuild(Options(kDay0, kDay0 + kDayUs, caught));
  EXPECT_EQ(Derived(), once);

  // The same events committed by a tracker with the new rules give the same rows.
  {
    std::unique_ptr<Store> keep = std::move(store_);
    path_ = (dir_ / "fresh.db").string();
    store_ = Open();
    Account("acme");
    Link(account_, "promo");
    Link(account_, "second");
    Account("other");
    Link(other_account_, "theirs");
    rules_ = caught;
    position_ = 0;
    CommitTraffic(kDay0, 0);
    sql_ = std::move(sqlite::Db::Open(path_, {})).value();
  }
  EXPECT_EQ(Derived(), once);
}

TEST_F(RebuildTest, RefusesRangesPastTheRawHitRetention) {
  CommitTraffic(kDay0, 0);
  CommitTraffic(kDay0 + kDayUs, 1000);
  CommitTraffic(kDay0 + 2 * kDayUs, 2000);
  // Retention swept up to day 1, 05:30.
  Result<int64_t> n = store_->ExpireHits(kDay0 + kDayUs + 5 * kHourUs + 30 * kMinuteUs, 1000000);
  ASSERT_TRUE(n.ok());
  ASSERT_GT(*n, 0);
  const std::vector<std::string> kept = Derived();
  for (int64_t from : {kDay0, kDay0 + kDayUs}) {
    Result<std::unique_ptr<sqlite::Rebuilder>> r =
        sqlite::Rebuilder::Start(Options(from, kDay0 + 3 * kDayUs, rules_));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(r.status().message().find("earliest hour that still has raw hits is "
                                        "2024-01-02T06:00:00Z"),
              std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find("--from 2024-01-03T00:00:00Z"), std::string::npos);
  }
  EXPECT_EQ(Derived(), kept);  // nothing was zeroed
  Rebuild(Options(kDay0 + 2 * kDayUs, kDay0 + 3 * kDayUs, rules_));
  EXPECT_EQ(Derived(), kept);
}

TEST_F(RebuildTest, ResumeAfterInterruptionGivesTheSameResult) {
  CommitTraffic(kDay0, 0);
  CommitTraffic(kDay0 + kDayUs, 1000);
  Rules caught{{"Googlebot", "NewCrawler"}, 8};
  // The reference: one uninterrupted job, on a copy of the file.
  const std::vector<std::string> before = Derived();
  Rebuild(Options(kDay0, kDay0 + 2 * kDayUs, caught));
  const std::vector<std::string> reference = Derived();
  // Back to the tracker's rows (old rules), then interrupt a job after k slices, for each k.
  for (int k = 1; k <= 9; k += 4) {
    Rebuild(Options(kDay0, kDay0 + 2 * kDayUs, rules_));
    ASSERT_EQ(Derived(), before);
    {
      auto r = sqlite::Rebuilder::Start(Options(kDay0, kDay0 + 2 * kDayUs, caught));
      ASSERT_TRUE(r.ok());
      EXPECT_FALSE((*r)->progress().resumed);
      for (int i = 0; i < k; ++i) ASSERT_TRUE((*r)->Step().ok());
    }  // "interrupted": dropped between slices
    auto r = sqlite::Rebuilder::Start(Options(kDay0, kDay0 + 2 * kDayUs, caught));
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE((*r)->progress().resumed);
    EXPECT_GT((*r)->progress().events_done, 0);
    for (;;) {
      Result<bool> more = (*r)->Step();
      ASSERT_TRUE(more.ok());
      if (!*more) break;
    }
    EXPECT_EQ((*r)->progress().events_done, Int("SELECT COUNT(*) FROM hits"));
    EXPECT_EQ(Derived(), reference) << "interrupted after " << k << " slices";
  }
  // A finished job is not resumed; --restart ignores an unfinished one.
  auto again = sqlite::Rebuilder::Start(Options(kDay0, kDay0 + 2 * kDayUs, caught));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE((*again)->progress().resumed);
  ASSERT_TRUE((*again)->Step().ok());
  sqlite::RebuildOptions restart = Options(kDay0, kDay0 + 2 * kDayUs, caught);
  restart.restart = true;
  auto fresh = sqlite::Rebuilder::Start(std::move(restart));
  ASSERT_TRUE(fresh.ok());
  EXPECT_FALSE((*fresh)->progress().resumed);
}

TEST_F(RebuildTest, ConcurrentTrackerCommitsAreNeitherLostNorDoubleCounted) {
  CommitTraffic(kDay0, 0);
  CommitTraffic(kDay0 + kDayUs, 1000);
  // The tracker keeps committing late events into the days being rebuilt (and new visitors),
  // from another connection, while the rebuild runs slice by slice.
  std::atomic<bool> done{false};
  std::atomic<int> committed{0};
  std::thread tracker([&] {
    uint64_t n = 100000;
    for (int b = 0; b < 150 && !done.load(); ++b) {
      std::vector<HitRecord> batch;
      for (int i = 0; i < 4; ++i, ++n) {
        const int64_t day = kDay0 + (n % 2) * kDayUs;
        const int64_t link = n % 3 == 0 ? link_ : n % 3 == 1 ? link2_ : other_link_;
        batch.push_back(Hit(n, link, day + static_cast<int64_t>(n % 1440) * kMinuteUs,
                            "late-" + std::to_string(n % 17)));
      }
      CommitBatch cb;
      cb.consumer = "late";
      cb.from_position = static_cast<uint64_t>(b) * 4;
      cb.to_position = cb.from_position + 4;
      cb.hits = std::move(batch);
      Result<CommitResult> r = store_->Commit(cb);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      committed += 4;
    }
  });
  int runs = 0;
  while (committed.load() < 300 && runs < 50) {
    Rebuild(Options(kDay0, kDay0 + 2 * kDayUs, rules_));
    ++runs;
  }
  done = true;
  tracker.join();
  ASSERT_GT(runs, 0);
  // Every hit counted once: per link and hour, total + bots + head == the hits there.
  EXPECT_EQ(Rows("SELECT link_id || '|' || bucket_start_us || '|' || (total + bots + head) "
                 "FROM rollups WHERE granularity = 3600 ORDER BY 1"),
            Rows("SELECT link_id || '|' || (time_us / 3600000000 * 3600000000) || '|' || "
                 "COUNT(*) FROM hits GROUP BY link_id, time_us / 3600000000 ORDER BY 1"));
  // Exactly one unique per visitor, link and day, whichever side decided it.
  EXPECT_EQ(Rows("SELECT link_id || '|' || bucket_start_us || '|' || unique_count FROM rollups "
                 "WHERE granularity = 86400 ORDER BY 1"),
            Rows("SELECT link_id || '|' || (time_us / 86400000000 * 86400000000) || '|' || "
                 "COUNT(DISTINCT CASE WHEN bot = 0 AND kind != 2 THEN visitor_key END) FROM hits "
                 "GROUP BY link_id, time_us / 86400000000 ORDER BY 1"));
  EXPECT_EQ(Int("SELECT COUNT(*) FROM hits WHERE is_unique = 1"),
            Int("SELECT SUM(unique_count) FROM rollups WHERE granularity = 86400"));
  // Accounts are the sum of their links.
  EXPECT_EQ(Int("SELECT SUM(total + bots + head) FROM account_rollups WHERE granularity = 60"),
            Int("SELECT COUNT(*) FROM hits"));
  // And a quiet rebuild afterwards is a fixed point of itself.
  Rebuild(Options(kDay0, kDay0 + 2 * kDayUs, rules_));
  const std::vector<std::string> settled = Derived();
  Rebuild(Options(kDay0, kDay0 + 2 * kDayUs, rules_));
  EXPECT_EQ(Derived(), settled);
}

}  // namespace
}  // namespace ct::testing_store

namespace ct::testing_store {
namespace {

// ip_30min accounts (store/sqlite/ip_uniques.h): the rebuild decides uniques by IP as the
// tracker does, across midnight (the slice of a day reads the previous day's last 30 minutes),
// and rewrites the IP sightings the tracker keeps.
TEST_F(RebuildTest, UniquesByIpEqualTheTrackersAcrossMidnight) {
  ASSERT_TRUE(
      store_->UpdateAccount(account_, {.unique_definition = UniqueDefinition::kIp30Min}).ok());
  std::vector<HitRecord> batch;
  for (int i = 0; i < 80; ++i) {
    // 23:00 on day 0 to about 11:00 on day 1, irregular gaps of 4..19 minutes per IP.
    const int64_t t = kDay0 + 23 * kHourUs + i * 9 * kMinuteUs + (i % 5) * 61'000'000;
    HitRecord h = Hit(9000 + i, i % 4 == 0 ? link2_ : link_, t, "v" + std::to_string(i % 6),
                      i % 9 == 0 ? "Googlebot/2.1" : "Mozilla/5.0 Mobile Android");
    h.event.ip = "198.51.100." + std::to_string((i * i) % 5);
    batch.push_back(h);
    if (batch.size() == 5) Commit(std::exchange(batch, {}));
  }
  Commit(std::exchange(batch, {}));
  const auto sightings = [&] {
    return Rows(
        "SELECT link_id || '|' || ip || '|' || time_us || '|' || hex(event_id) || '|' || "
        "is_unique FROM ip_sightings ORDER BY 1");
  };
  const std::vector<std::string> tracker = Derived();
  const std::vector<std::string> tracker_sightings = sightings();
  ASSERT_GT(Int("SELECT COUNT(*) FROM hits WHERE is_unique = 1"), 0);
  ASSERT_GT(Int("SELECT COUNT(*) FROM hits WHERE is_unique = 0 AND bot = 0"), 0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM visitor_days"), 0);

  Rebuild(Options(kDay0, kDay0 + 2 * kDayUs, rules_));
  EXPECT_EQ(Derived(), tracker);
  EXPECT_EQ(sightings(), tracker_sightings);
}

}  // namespace
}  // namespace ct::testing_store
