// Conversions on PostgreSQL, held to the SQLite store's behaviour: the cases of
// tests/unit/store/sqlite_conversions_test.cc (status rules, last/first-click attribution
// within the window, dedup by order id and click, a re-committed event changing nothing, every
// rollup a counted one adds), the read side of sqlite_conversion_reports_test.cc (the list, goal
// stats, goal series and breakdowns; here the conversions come through Commit), the outbox rows
// they fire, and what only a shared database has: two trackers committing the same conversion,
// or two conversions of one order, at once.
#include <algorithm>
#include <thread>

#include "pg_conversion_fixture.h"

namespace ct::testing_pg {
namespace {

constexpr int64_t kClickAt = kDay0 + kHourUs;
constexpr int64_t kConvAt = kDay0 + 2 * kHourUs + 5 * kMinuteUs;

TEST_F(PgConversionTest, LastClickAttributedAndCountedEverywhere) {
  GoalRow goal = MakeGoal({.default_value_micros = 1'000'000});
  HitRecord click = Click(1, kClickAt);
  EXPECT_EQ(Commit({click}).conversions, 0u);
  HitRecord conv = Conversion(2, goal, kConvAt, Cid(click));
  conv.event.flags = kFlagHasValue;
  conv.event.value_micros = 12'500'000;
  conv.event.order_id = "A-1";
  CommitResult r = Commit({conv});
  EXPECT_EQ(r.applied, 1u);
  EXPECT_EQ(r.conversions, 1u);

  ConversionView row = Row(conv);
  EXPECT_EQ(row.status, St(ConversionStatus::kCounted));
  EXPECT_EQ(row.link_id, link_);
  EXPECT_FALSE(row.click_null);
  EXPECT_EQ(row.value_micros, 12'500'000);
  EXPECT_EQ(row.currency, "USD");
  EXPECT_EQ(Int("SELECT click_time_us FROM conversions"), kClickAt);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM hits"), 1);  // not a hit

  const int64_t hour = kDay0 + 2 * kHourUs;
  for (const std::string t : {"rollups", "account_rollups"}) {
    EXPECT_EQ(Int("SELECT SUM(conversions) FROM " + t +
                  " WHERE granularity = 3600 AND bucket_start_us = " + std::to_string(hour)),
              1)
        << t;
    EXPECT_EQ(Int("SELECT SUM(value_micros) FROM " + t + " WHERE granularity = 86400"), 12'500'000)
        << t;
    EXPECT_EQ(Int("SELECT SUM(conversions) FROM " + t +
                  " WHERE granularity = 60 AND bucket_start_us = " + std::to_string(kConvAt)),
              1)
        << t;
    EXPECT_EQ(Int("SELECT SUM(total) FROM " + t + " WHERE granularity = 86400"), 1) << t;
  }
  EXPECT_EQ(Int("SELECT conversions FROM dim_rollups WHERE dim = 0 AND value = 'DE' AND "
                "bucket_start_us = " +
                std::to_string(hour)),
            1);
  EXPECT_EQ(Int("SELECT value_micros FROM dim_rollups WHERE dim = 1 AND value = 'mobile' AND "
                "bucket_start_us = " +
                std::to_string(hour)),
            12'500'000);
  EXPECT_EQ(Int("SELECT SUM(conversions) FROM dim_rollups"), 2);  // country and device known
  EXPECT_EQ(Int("SELECT SUM(conversions) FROM combo_rollups"), 1);
  EXPECT_EQ(Int("SELECT SUM(conversions) FROM account_combo_rollups"), 2);  // hour and day
  EXPECT_EQ(Int("SELECT conversions FROM goal_rollups WHERE granularity = 86400 AND goal_id = " +
                std::to_string(goal.id) + " AND link_id = " + std::to_string(link_)),
            1);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM goal_rollups"), 3);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM conversion_keys"), 2);  // its order id and its click
}

TEST_F(PgConversionTest, ClickAndConversionInOneBatch) {
  GoalRow goal = MakeGoal();
  HitRecord click = Click(1, kClickAt);
  HitRecord conv = Conversion(2, goal, kClickAt + 1, Cid(click));
  CommitResult r = Commit({click, conv});
  EXPECT_EQ(r.applied, 2u);
  EXPECT_EQ(r.conversions, 1u);
  EXPECT_EQ(Row(conv).link_id, link_);
  // The other order: SQLite applies a batch in order, so the click comes too late to be credited.
  HitRecord click2 = Click(3, kClickAt);
  HitRecord conv2 = Conversion(4, goal, kClickAt + 1, Cid(click2));
  EXPECT_EQ(Commit({conv2, click2}).applied, 2u);
  EXPECT_EQ(Row(conv2).link_id, 0);
}

TEST_F(PgConversionTest, FirstClickFollowsTheVisitorCookie) {
  const int64_t other_link = Link(account_, "second").id;
  GoalRow last = MakeGoal();
  GoalRow first = MakeGoal({.attribution = AttributionModel::kFirstClick});
  HitRecord c1 = Click(1, kClickAt);
  c1.event.link_id = other_link;
  HitRecord c2 = Click(2, kClickAt + kMinuteUs, Cid(c1));
  Commit({c1, c2});
  HitRecord by_last = Conversion(3, last, kConvAt, Cid(c2));
  HitRecord by_first = Conversion(4, first, kConvAt, Cid(c2));
  Commit({by_last, by_first});
  EXPECT_EQ(Row(by_last).link_id, link_);
  EXPECT_EQ(Row(by_first).link_id, other_link);

  GoalRow narrow = MakeGoal({.window_seconds = 3600, .attribution = AttributionModel::kFirstClick});
  HitRecord old = Click(5, kClickAt - 2 * kHourUs);
  old.event.link_id = other_link;
  HitRecord recent = Click(6, kConvAt - kMinuteUs, Cid(old));
  Commit({old, recent});
  HitRecord conv = Conversion(7, narrow, kConvAt, Cid(recent));
  Commit({conv});
  EXPECT_EQ(Row(conv).link_id, link_);
}

TEST_F(PgConversionTest, OutsideTheWindowIsUnattributedButCounted) {
  GoalRow goal = MakeGoal({.window_seconds = 3600});
  HitRecord click = Click(1, kConvAt - 2 * kHourUs);
  HitRecord late = Click(9, kConvAt + 10 * kMinuteUs);
  HitRecord skewed = Click(10, kConvAt + 2 * kMinuteUs);
  Commit({click, late, skewed});
  HitRecord conv = Conversion(2, goal, kConvAt, Cid(click));
  HitRecord conv_late = Conversion(3, goal, kConvAt, Cid(late));
  HitRecord conv_skewed = Conversion(4, goal, kConvAt, Cid(skewed));
  HitRecord garbage = Conversion(5, goal, kConvAt, "not-a-click-id");
  EXPECT_EQ(Commit({conv, conv_late, conv_skewed, garbage}).conversions, 4u);
  EXPECT_EQ(Row(conv).link_id, 0);
  EXPECT_TRUE(Row(conv).click_null);
  EXPECT_EQ(Row(conv_late).link_id, 0);
  EXPECT_EQ(Row(conv_skewed).link_id, link_);
  EXPECT_EQ(Row(garbage).link_id, 0);
  EXPECT_EQ(Int("SELECT SUM(conversions) FROM account_rollups WHERE granularity = 86400"), 4);
  EXPECT_EQ(Int("SELECT SUM(conversions) FROM rollups WHERE granularity = 86400"), 1);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM rollups WHERE link_id = 0"), 0);
  EXPECT_EQ(Int("SELECT conversions FROM goal_rollups WHERE granularity = 86400 AND "
                "link_id = 0"),
            3);
}

TEST_F(PgConversionTest, AnotherAccountsClickOrABotClickIsNotCredited) {
  int64_t other = Account("beta");
  GoalRow goal = MakeGoal();
  HitRecord foreign = Click(1, kClickAt);
  foreign.event.account_id = other;
  HitRecord bot = Click(2, kClickAt);
  bot.enrichment.bot = true;
  HitRecord pixel = Click(3, kClickAt);
  pixel.event.kind = EventKind::kImpression;
  Commit({foreign, bot, pixel});
  HitRecord c1 = Conversion(4, goal, kConvAt, Cid(foreign));
  HitRecord c2 = Conversion(5, goal, kConvAt, Cid(bot));
  HitRecord c3 = Conversion(6, goal, kConvAt, Cid(pixel));
  Commit({c1, c2, c3});
  EXPECT_EQ(Row(c1).link_id, 0);
  EXPECT_EQ(Row(c2).link_id, 0);
  EXPECT_EQ(Row(c3).link_id, 0);
}

TEST_F(PgConversionTest, UnknownDeletedOrForeignGoal) {
  GoalRow goal = MakeGoal();
  GoalRow gone = MakeGoal();
  DeleteGoal(gone.id);
  GoalRow foreign = MakeGoal({.account_id = Account("beta")});
  HitRecord click = Click(1, kClickAt);
  HitRecord deleted = Conversion(2, gone, kConvAt, Cid(click));
  HitRecord missing = Conversion(3, goal, kConvAt, Cid(click));
  missing.event.goal_id = 9999;
  HitRecord other = Conversion(4, foreign, kConvAt, Cid(click));
  CommitResult r = Commit({click, deleted, missing, other});
  EXPECT_EQ(r.applied, 4u);
  EXPECT_EQ(r.conversions, 0u);
  for (const HitRecord* c : {&deleted, &missing, &other}) {
    EXPECT_EQ(Row(*c).status, St(ConversionStatus::kUnknownGoal));
  }
  EXPECT_EQ(Int("SELECT COALESCE(SUM(conversions), 0) FROM account_rollups"), 0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM goal_rollups"), 0);
}

TEST_F(PgConversionTest, BotPixelIsRecordedNotCounted) {
  GoalRow goal = MakeGoal();
  HitRecord click = Click(1, kClickAt);
  HitRecord bot = Conversion(2, goal, kConvAt, Cid(click));
  bot.enrichment.bot = true;
  HitRecord s2s = Conversion(3, goal, kConvAt, Cid(click));
  s2s.enrichment.bot = true;
  s2s.event.flags = kFlagServerToServer;
  EXPECT_EQ(Commit({click, bot, s2s}).conversions, 1u);
  EXPECT_EQ(Row(bot).status, St(ConversionStatus::kBot));
  EXPECT_EQ(Row(s2s).status, St(ConversionStatus::kCounted));
}

TEST_F(PgConversionTest, CurrencyMismatch) {
  GoalRow goal = MakeGoal({.currency = "EUR"});
  HitRecord usd = Conversion(1, goal, kConvAt, "");
  usd.event.currency = "USD";
  HitRecord eur = Conversion(2, goal, kConvAt, "");
  eur.event.currency = "EUR";
  HitRecord none = Conversion(3, goal, kConvAt, "");
  EXPECT_EQ(Commit({usd, eur, none}).conversions, 2u);
  EXPECT_EQ(Row(usd).status, St(ConversionStatus::kCurrencyMismatch));
  EXPECT_EQ(Row(eur).status, St(ConversionStatus::kCounted));
  EXPECT_EQ(Row(none).currency, "EUR");
}

TEST_F(PgConversionTest, DuplicateOrderInEveryMode) {
  for (ConversionCounting mode : {ConversionCounting::kEvery, ConversionCounting::kOncePerClick,
                                  ConversionCounting::kOncePerOrder}) {
    SCOPED_TRACE(static_cast<int>(mode));
    GoalRow goal = MakeGoal({.counting = mode});
    const uint64_t base = 100 * (static_cast<uint64_t>(mode) + 1);
    HitRecord c1 = Click(base, kClickAt);
    HitRecord c2 = Click(base + 1, kClickAt);
    HitRecord first = Conversion(base + 2, goal, kConvAt, Cid(c1));
    first.event.order_id = "ORDER-1";
    HitRecord again = Conversion(base + 3, goal, kConvAt, Cid(c2));
    again.event.order_id = "ORDER-1";
    Commit({c1, c2, first});
    Commit({again});
    EXPECT_EQ(Row(first).status, St(ConversionStatus::kCounted));
    EXPECT_EQ(Row(again).status, St(ConversionStatus::kDuplicateOrder));
  }
  GoalRow g1 = MakeGoal();
  GoalRow g2 = MakeGoal();
  HitRecord a = Conversion(1, g1, kConvAt, "");
  a.event.order_id = "X";
  HitRecord b = Conversion(2, g2, kConvAt, "");
  b.event.order_id = "X";
  EXPECT_EQ(Commit({a, b}).conversions, 2u);
}

TEST_F(PgConversionTest, OncePerClick) {
  GoalRow goal = MakeGoal({.counting = ConversionCounting::kOncePerClick});
  GoalRow every = MakeGoal();
  HitRecord c1 = Click(1, kClickAt);
  HitRecord c2 = Click(2, kClickAt);
  HitRecord a = Conversion(3, goal, kConvAt, Cid(c1));
  HitRecord b = Conversion(4, goal, kConvAt, Cid(c1));
  b.event.order_id = "B";  // its order key is given back when the click stops it
  HitRecord c = Conversion(5, goal, kConvAt, Cid(c2));
  HitRecord u1 = Conversion(6, goal, kConvAt, "");
  HitRecord u2 = Conversion(7, goal, kConvAt, "");
  HitRecord e1 = Conversion(8, every, kConvAt, Cid(c1));
  HitRecord e2 = Conversion(9, every, kConvAt, Cid(c1));
  EXPECT_EQ(Commit({c1, c2, a, b, c, u1, u2, e1, e2}).conversions, 6u);
  EXPECT_EQ(Row(a).status, St(ConversionStatus::kCounted));
  EXPECT_EQ(Row(b).status, St(ConversionStatus::kDuplicateClick));
  EXPECT_EQ(Row(c).status, St(ConversionStatus::kCounted));
  EXPECT_EQ(Row(u2).status, St(ConversionStatus::kCounted));
  EXPECT_EQ(Row(e2).status, St(ConversionStatus::kCounted));
  EXPECT_EQ(Int("SELECT COUNT(*) FROM conversion_keys WHERE kind = 1"), 0);
  // So order B is still free: another click's conversion with it counts.
  HitRecord c3 = Click(10, kClickAt);
  HitRecord d = Conversion(11, goal, kConvAt, Cid(c3));
  d.event.order_id = "B";
  EXPECT_EQ(Commit({c3, d}).conversions, 1u);
}

TEST_F(PgConversionTest, OncePerOrderWithoutOrderId) {
  GoalRow goal = MakeGoal({.counting = ConversionCounting::kOncePerOrder});
  HitRecord none = Conversion(1, goal, kConvAt, "");
  HitRecord with = Conversion(2, goal, kConvAt, "");
  with.event.order_id = "O-9";
  EXPECT_EQ(Commit({none, with}).conversions, 1u);
  EXPECT_EQ(Row(none).status, St(ConversionStatus::kMissingOrderId));
  EXPECT_EQ(Row(with).status, St(ConversionStatus::kCounted));
}

TEST_F(PgConversionTest, ValueDefaultsToTheGoals) {
  GoalRow goal = MakeGoal({.default_value_micros = 4'200'000});
  HitRecord plain = Conversion(1, goal, kConvAt, "");
  HitRecord zero = Conversion(2, goal, kConvAt, "");
  zero.event.flags = kFlagHasValue;
  HitRecord given = Conversion(3, goal, kConvAt, "");
  given.event.flags = kFlagHasValue;
  given.event.value_micros = 1;
  Commit({plain, zero, given});
  EXPECT_EQ(Row(plain).value_micros, 4'200'000);
  EXPECT_EQ(Row(zero).value_micros, 0);
  EXPECT_EQ(Row(given).value_micros, 1);
  EXPECT_EQ(Int("SELECT value_micros FROM account_rollups WHERE granularity = 86400"), 4'200'001);
}

TEST_F(PgConversionTest, ReCommittedConversionChangesNothing) {
  GoalRow goal = MakeGoal({.counting = ConversionCounting::kOncePerClick});
  MakePostback();
  HitRecord click = Click(1, kClickAt);
  HitRecord conv = Conversion(2, goal, kConvAt, Cid(click));
  conv.event.order_id = "O-1";
  CommitResult first = Commit({click, conv});
  EXPECT_EQ(first.conversions, 1u);
  EXPECT_EQ(first.deliveries, 1u);
  CommitResult again = Commit({conv});
  EXPECT_EQ(again.applied, 0u);
  EXPECT_EQ(again.duplicates, 1u);
  EXPECT_EQ(again.conversions, 0u);
  EXPECT_EQ(again.deliveries, 0u);
  EXPECT_EQ(Row(conv).status, St(ConversionStatus::kCounted));
  EXPECT_EQ(Int("SELECT COUNT(*) FROM conversions"), 1);
  EXPECT_EQ(Int("SELECT SUM(conversions) FROM account_rollups WHERE granularity = 86400"), 1);
  EXPECT_EQ(Int("SELECT SUM(conversions) FROM goal_rollups WHERE granularity = 86400"), 1);
  EXPECT_EQ(Outbox().size(), 1u);
}

TEST_F(PgConversionTest, PostbacksAndPiggybackPixelsGoToTheOutbox) {
  GoalRow goal = MakeGoal({.default_value_micros = 2'500'000,
                           .piggyback_urls = {"https://ads.example/px?c={conversion_id}"}});
  const int64_t get = MakePostback();
  const int64_t post = MakePostback(kPostbackOnConversion, "POST", /*attributed_only=*/false,
                                    "https://hooks.example/p");
  HitRecord click = Click(1, kClickAt);
  HitRecord attributed = Conversion(2, goal, kConvAt, Cid(click));
  HitRecord unattributed = Conversion(3, goal, kConvAt, "");
  unattributed.event.flags = kFlagPiggybackServed;  // the browser fired the pixels
  CommitResult r = Commit({click, attributed, unattributed});
  // attributed: both postbacks and the piggyback pixel; unattributed: the POST one only.
  EXPECT_EQ(r.deliveries, 4u);
  std::vector<OutboxRowView> rows = Outbox();
  ASSERT_EQ(rows.size(), 4u);
  int gets = 0, posts = 0, pixels = 0;
  for (const OutboxRowView& o : rows) {
    EXPECT_EQ(o.event_kind, static_cast<int64_t>(EventKind::kConversion));
    EXPECT_EQ(o.state, 0);
    if (o.postback_id == get) {
      ++gets;
      EXPECT_EQ(o.url, "https://hooks.example/c?cid=" + Cid(click));
      EXPECT_EQ(o.id, "msg_" + ClickId(attributed.event.id) + "_" + std::to_string(get));
    } else if (o.postback_id == post) {
      ++posts;
      EXPECT_EQ(o.method, "POST");
      EXPECT_NE(o.body.find("\"value\""), std::string::npos) << o.body;
    } else {
      ++pixels;
      EXPECT_EQ(o.postback_id, 0);
      EXPECT_EQ(o.url, "https://ads.example/px?c=" + ClickId(attributed.event.id));
      EXPECT_EQ(o.id, "msg_" + ClickId(attributed.event.id) + "_pg0");
    }
  }
  EXPECT_EQ(gets, 1);
  EXPECT_EQ(posts, 2);
  EXPECT_EQ(pixels, 1);
}

// Two trackers (two stores, two consumers) commit the same conversion event, and two
// conversions of one order, at the same moment, many times: each counts exactly once.
TEST_F(PgConversionTest, TwoTrackersCommittingTheSameConversionCountItOnce) {
  std::unique_ptr<Store> second = Open();
  ASSERT_NE(second, nullptr);
  GoalRow goal = MakeGoal({.default_value_micros = 1'000'000});
  MakePostback();
  HitRecord click = Click(1, kClickAt);
  Commit({click});
  positions_["t1"] = positions_["t2"] = 0;  // no insertion into the map from the threads
  constexpr int kRounds = 20;
  for (int i = 0; i < kRounds; ++i) {
    // The same event (a redelivery racing itself), and another event of the same order.
    HitRecord same = Conversion(10 + 2 * static_cast<uint64_t>(i), goal, kConvAt, Cid(click));
    same.event.order_id = "same-" + std::to_string(i);
    HitRecord order_a = Conversion(11 + 2 * static_cast<uint64_t>(i), goal, kConvAt, Cid(click));
    order_a.event.order_id = "order-" + std::to_string(i);
    HitRecord order_b = order_a;
    order_b.event.id[15] ^= 0x80;  // another event id, same order
    CommitResult a, b;
    std::thread t1([&] { a = Commit({same, order_a}, store_.get(), "t1"); });
    std::thread t2([&] { b = Commit({same, order_b}, second.get(), "t2"); });
    t1.join();
    t2.join();
    EXPECT_EQ(a.conversions + b.conversions, 2u) << "round " << i;
    EXPECT_EQ(a.duplicates + b.duplicates, 1u) << "round " << i;
    EXPECT_EQ(a.deliveries + b.deliveries, 2u) << "round " << i;
  }
  EXPECT_EQ(Int("SELECT COUNT(*) FROM conversions"), 3 * kRounds);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM conversions WHERE status = 0"), 2 * kRounds);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM conversions WHERE status = 1"), kRounds);
  EXPECT_EQ(Int("SELECT SUM(conversions) FROM account_rollups WHERE granularity = 86400"),
            2 * kRounds);
  EXPECT_EQ(Int("SELECT SUM(conversions) FROM rollups WHERE granularity = 60"), 2 * kRounds);
  EXPECT_EQ(Int("SELECT SUM(conversions) FROM goal_rollups WHERE granularity = 3600"), 2 * kRounds);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM outbox"), 2 * kRounds);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM conversion_keys WHERE kind = 1"), 2 * kRounds);
}

// ---- the read side (sqlite_conversion_reports_test.cc) ----

class PgConversionReportsTest : public PgConversionTest {
 protected:
  void SetUp() override {
    PgConversionTest::SetUp();
    other_ = Account("other");
    l1_ = link_;
    l2_ = Link(account_, "two").id;
    g1_ = MakeGoal();
    g2_ = MakeGoal();
  }
  // A committed click with the given country/device (empty = unknown).
  HitRecord ClickOn(int64_t link, int64_t time_us, std::string country, std::string device = "") {
    const uint64_t n = ++seq_;
    HitRecord h = MakeTimedHit(n, link, account_, time_us, "v" + std::to_string(n));
    h.enrichment.country = std::move(country);
    h.enrichment.device = std::move(device);
    Commit({h});
    return h;
  }
  // A conversion through Commit: counted (credited to `click` when given, its window 30 days),
  // or recorded as a bot's when `counted` is false.
  HitRecord Convert(const GoalRow& goal, int64_t time_us, int64_t value_micros,
                    const HitRecord* click = nullptr, bool counted = true, int64_t account = 0) {
    HitRecord h = MakeTimedHit(1'000'000 + ++seq_, 0, account ? account : account_, time_us, "conv",
                               EventKind::kConversion);
    h.event.goal_id = goal.id;
    h.event.flags = kFlagHasValue | kFlagServerToServer;
    h.event.value_micros = value_micros;
    if (click) h.event.click_ref = Cid(*click);
    if (!counted) {
      h.event.flags = kFlagHasValue;
      h.enrichment.bot = true;
    }
    Commit({h});
    return h;
  }
  StatsQuery Query(int64_t link, Interval interval = Interval::kHour, int64_t goal = 0) {
    StatsQuery q;
    q.account_id = account_;
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
  static std::string Series(const LinkStats& s) {
    std::string out;
    for (const StatsBucket& b : s.series) {
      out += (out.empty() ? "" : " ") + std::to_string((b.start_us - kDay0) / kHourUs) + ":" +
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

  int64_t other_ = 0, l1_ = 0, l2_ = 0;
  GoalRow g1_, g2_;
  uint64_t seq_ = 0;
};

TEST_F(PgConversionReportsTest, ListConversionsPagesNewestFirstWithFiltersAndTenancy) {
  const HitRecord click = ClickOn(l1_, kDay0, "US");
  std::vector<EventId> expected;  // newest first
  for (int i = 0; i < 13; ++i) {
    const bool attributed = i % 2 == 0;
    expected.push_back(Convert(i % 3 == 0 ? g2_ : g1_, kDay0 + (i / 2) * kHourUs, 1'000'000 * i,
                               attributed ? &click : nullptr, /*counted=*/i != 4)
                           .event.id);
  }
  Convert(MakeGoal({.account_id = other_}), kDay0, 5, nullptr, true, other_);
  std::reverse(expected.begin(), expected.end());  // ids grow with i within a microsecond

  std::vector<EventId> seen;
  std::optional<ConversionCursor> after;
  for (int page = 0; page < 10; ++page) {
    auto r = store_->ListConversions({.account_id = account_}, after, 4);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const ConversionRow& c : r->conversions) seen.push_back(c.event_id);
    after = r->next;
    if (!after) break;
  }
  EXPECT_EQ(seen, expected);

  auto all = store_->ListConversions({.account_id = account_}, std::nullopt, 100);
  ASSERT_TRUE(all.ok());
  const ConversionRow& first = all->conversions.back();  // i = 0
  EXPECT_EQ(first.goal_id, g2_.id);
  EXPECT_EQ(first.link_id, l1_);
  EXPECT_EQ(first.click_event_id, click.event.id);
  EXPECT_EQ(first.click_time_us, kDay0);
  EXPECT_EQ(first.currency, "USD");
  EXPECT_EQ(first.click_ref, Cid(click));
  EXPECT_TRUE(first.server_to_server);
  EXPECT_EQ(all->conversions[all->conversions.size() - 5].status, ConversionStatus::kBot);
  EXPECT_EQ(all->conversions[1].click_event_id, EventId{});  // i = 11: unattributed

  auto count = [&](ConversionFilter f) {
    f.account_id = f.account_id ? f.account_id : account_;
    auto r = store_->ListConversions(f, std::nullopt, 100);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->conversions.size() : 0u;
  };
  EXPECT_EQ(count({.goal_id = g2_.id}), 5u);
  EXPECT_EQ(count({.link_id = l1_}), 7u);
  EXPECT_EQ(count({.goal_id = g2_.id, .link_id = l1_}), 3u);
  EXPECT_EQ(count({.from_us = kDay0 + 2 * kHourUs, .to_us = kDay0 + 4 * kHourUs}), 4u);
  EXPECT_EQ(count({.from_us = kDay0 + 6 * kHourUs}), 1u);
  EXPECT_EQ(count({.account_id = other_}), 1u);
}

TEST_F(PgConversionReportsTest, GoalStatsFromGoalRollups) {
  const HitRecord click = ClickOn(l1_, kDay0, "US");
  Convert(g1_, kDay0 + 5 * kMinuteUs, 1'000'000, &click);
  Convert(g1_, kDay0 + 2 * kHourUs, 2'000'000);
  Convert(g1_, kDay0 + kDayUs + 5 * kHourUs, 4'000'000, &click);
  Convert(g1_, kDay0 + 3 * kDayUs, 8'000'000, &click);
  Convert(g2_, kDay0 + 2 * kHourUs, 0, &click);
  Convert(g2_, kDay0 + 2 * kHourUs, 9, &click, /*counted=*/false);
  MakeGoal();  // no conversions: left out
  Convert(MakeGoal({.account_id = other_}), kDay0 + 2 * kHourUs, 7, nullptr, true, other_);

  auto stats = store_->GetGoalStats(account_, kDay0 + 10 * kMinuteUs, kDay0 + 2 * kDayUs + kHourUs);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  ASSERT_EQ(stats->size(), 2u);
  EXPECT_EQ((*stats)[0].goal_id, g1_.id);
  EXPECT_EQ((*stats)[0].conversions, 3);
  EXPECT_EQ((*stats)[0].attributed, 2);
  EXPECT_EQ((*stats)[0].value_micros, 7'000'000);
  EXPECT_EQ((*stats)[1].goal_id, g2_.id);
  EXPECT_EQ((*stats)[1].conversions, 1);
  EXPECT_EQ((*stats)[1].value_micros, 0);

  stats = store_->GetGoalStats(account_, kDay0 + kHourUs, kDay0 + 3 * kHourUs);
  ASSERT_TRUE(stats.ok());
  ASSERT_EQ(stats->size(), 2u);
  EXPECT_EQ((*stats)[0].conversions, 1);
  EXPECT_EQ((*stats)[0].attributed, 0);
  EXPECT_TRUE(store_->GetGoalStats(account_, kDay0, kDay0)->empty());
}

TEST_F(PgConversionReportsTest, SeriesCarryConversionsPerBucketAndAccountWideUnattributed) {
  const HitRecord c1 = ClickOn(l1_, kDay0 + kHourUs, "US");
  ClickOn(l1_, kDay0 + 2 * kHourUs, "DE");
  const HitRecord c2 = ClickOn(l2_, kDay0 + 2 * kHourUs, "US");
  Convert(g1_, kDay0 + 2 * kHourUs + 5, 1'500'000, &c1);
  Convert(g2_, kDay0 + 5 * kHourUs, 500'000, &c1);
  Convert(g1_, kDay0 + 5 * kHourUs, 2'000'000, &c2);
  Convert(g1_, kDay0 + 6 * kHourUs, 3'000'000);
  Convert(g1_, kDay0 + 6 * kHourUs, 9, &c1, /*counted=*/false);

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

  EXPECT_EQ(Series(Get(Query(l1_, Interval::kHour, g1_.id))), "1:1/0/0 2:1/1/1500000");
  EXPECT_EQ(Series(Get(Query(l1_, Interval::kHour, g2_.id))), "1:1/0/0 2:1/0/0 5:0/1/500000");
  LinkStats goal_wide = Get(Query(0, Interval::kDay, g1_.id));
  EXPECT_EQ(goal_wide.total, 3);
  EXPECT_EQ(goal_wide.conversions, 3);
  EXPECT_EQ(goal_wide.value_micros, 6'500'000);
  const GoalRow theirs = MakeGoal({.account_id = other_});
  Convert(theirs, kDay0 + 2 * kHourUs, 1, nullptr, true, other_);
  LinkStats foreign = Get(Query(0, Interval::kDay, theirs.id));
  EXPECT_EQ(foreign.total, 3);
  EXPECT_EQ(foreign.conversions, 0);

  StatsQuery local = Query(l1_, Interval::kDay);
  local.bucket_starts_us = {kDay0 - 2 * kHourUs, kDay0 + 4 * kHourUs};
  EXPECT_EQ(Series(Get(local)), "-2:2/1/1500000 4:0/1/500000");
}

TEST_F(PgConversionReportsTest, BreakdownsGiveConversionsPerValueWithTheRestUnknown) {
  const HitRecord us = ClickOn(l1_, kDay0 + kHourUs, "US", "mobile");
  ClickOn(l1_, kDay0 + kHourUs, "US", "desktop");
  const HitRecord de = ClickOn(l1_, kDay0 + kHourUs, "DE", "mobile");
  const HitRecord unknown = ClickOn(l1_, kDay0 + kHourUs, "");
  Convert(g1_, kDay0 + 3 * kHourUs, 1'000'000, &us);
  Convert(g2_, kDay0 + 3 * kHourUs, 2'000'000, &us);
  Convert(g1_, kDay0 + 3 * kHourUs, 4'000'000, &de);
  Convert(g1_, kDay0 + 3 * kHourUs, 8'000'000, &unknown);
  Convert(g1_, kDay0 + 4 * kHourUs, 16'000'000);

  EXPECT_EQ(Breakdown(Query(l1_), Dimension::kCountry),
            "US:2/2/3000000 :1/1/8000000 DE:1/1/4000000");
  EXPECT_EQ(Breakdown(Query(l1_), Dimension::kCountry, 1), "US:2/2/3000000");
  EXPECT_EQ(Breakdown(Query(0), Dimension::kCountry),
            "US:2/2/3000000 :1/2/24000000 DE:1/1/4000000");
  EXPECT_EQ(Breakdown(Query(l1_), Dimension::kBot), "human:4/4/15000000");
  EXPECT_EQ(Breakdown(Query(0), Dimension::kBot), "human:4/5/31000000");

  EXPECT_EQ(Breakdown(Query(l1_, Interval::kHour, g1_.id), Dimension::kCountry),
            "US:2/1/1000000 :1/1/8000000 DE:1/1/4000000");
  EXPECT_EQ(Breakdown(Query(0, Interval::kHour, g1_.id), Dimension::kCountry),
            "US:2/1/1000000 :1/2/24000000 DE:1/1/4000000");
  EXPECT_EQ(Breakdown(Query(l1_, Interval::kHour, g2_.id), Dimension::kDevice),
            "mobile:2/1/2000000 :1/0/0 desktop:1/0/0");
  EXPECT_EQ(Breakdown(Query(l1_, Interval::kHour, g1_.id), Dimension::kBot), "human:4/3/13000000");
}

TEST_F(PgConversionReportsTest, FilteredReportsCountConversionsOfMatchingClicks) {
  const HitRecord us_mobile = ClickOn(l1_, kDay0 + kHourUs, "US", "mobile");
  const HitRecord us_desktop = ClickOn(l1_, kDay0 + kHourUs, "US", "desktop");
  const HitRecord de = ClickOn(l1_, kDay0 + kHourUs, "DE", "mobile");
  const HitRecord other_link = ClickOn(l2_, kDay0 + kHourUs, "US", "mobile");
  // A click before the range: its conversion in the range still counts under its values.
  const HitRecord early = ClickOn(l1_, kDay0 - 2 * kHourUs, "US", "tablet");
  Convert(g1_, kDay0 + 2 * kHourUs, 1'000'000, &us_mobile);
  Convert(g2_, kDay0 + 3 * kHourUs, 2'000'000, &us_desktop);
  Convert(g1_, kDay0 + 3 * kHourUs, 4'000'000, &de);
  Convert(g1_, kDay0 + 3 * kHourUs, 8'000'000, &other_link);
  Convert(g1_, kDay0 + 4 * kHourUs, 16'000'000, &early);
  Convert(g1_, kDay0 + 4 * kHourUs, 64'000'000);  // unattributed: matches no filter

  StatsQuery us = Query(l1_);
  us.filters = {{Dimension::kCountry, "US"}};
  EXPECT_EQ(Series(Get(us)), "1:2/0/0 2:0/1/1000000 3:0/1/2000000 4:0/1/16000000");
  us.goal_id = g1_.id;
  EXPECT_EQ(Series(Get(us)), "1:2/0/0 2:0/1/1000000 4:0/1/16000000");
  us.goal_id = g2_.id;
  EXPECT_EQ(Series(Get(us)), "1:2/0/0 3:0/1/2000000");
  StatsQuery us_wide = Query(0, Interval::kDay, g1_.id);
  us_wide.filters = {{Dimension::kCountry, "US"}};
  EXPECT_EQ(Get(us_wide).conversions, 3);
  EXPECT_EQ(Get(us_wide).value_micros, 25'000'000);
  us_wide.filters.push_back({Dimension::kDevice, "mobile"});
  EXPECT_EQ(Get(us_wide).conversions, 2);
  EXPECT_EQ(Get(us_wide).value_micros, 9'000'000);
  us_wide.filters.push_back({Dimension::kBot, "bot"});
  EXPECT_EQ(Get(us_wide).conversions, 0);
  StatsQuery foreign = us_wide;  // another account's goal id: nothing of it
  foreign.account_id = other_;
  foreign.filters = {{Dimension::kCountry, "US"}};
  EXPECT_EQ(Get(foreign).conversions, 0);

  // A filtered breakdown: the tablet click is before the range (no clicks in it) yet converted.
  StatsQuery by_device = Query(l1_);
  by_device.filters = {{Dimension::kCountry, "US"}};
  EXPECT_EQ(Breakdown(by_device, Dimension::kDevice),
            "desktop:1/1/2000000 mobile:1/1/1000000 tablet:0/1/16000000");
  by_device.goal_id = g2_.id;
  EXPECT_EQ(Breakdown(by_device, Dimension::kDevice), "desktop:1/1/2000000 mobile:1/0/0");
  by_device.goal_id = g1_.id;
  EXPECT_EQ(Breakdown(by_device, Dimension::kDevice),
            "desktop:1/0/0 mobile:1/1/1000000 tablet:0/1/16000000");
  StatsQuery by_country = Query(0, Interval::kHour, g1_.id);
  by_country.filters = {{Dimension::kDevice, "mobile"}};
  EXPECT_EQ(Breakdown(by_country, Dimension::kCountry), "US:2/2/9000000 DE:1/1/4000000");
}

}  // namespace
}  // namespace ct::testing_pg
