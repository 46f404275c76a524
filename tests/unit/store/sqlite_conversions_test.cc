// Store::Commit of conversions on SQLite (docs/design/conversions.md "Attribution and
// counting"): status rules, last/first-click attribution within the window, dedup by order id
// and click, durable dedup of a re-committed event, and every rollup a counted one adds.
#include "conversion_fixture.h"

namespace ct::testing_store {
namespace {

constexpr int64_t kClickAt = kDay0 + kHourUs;
constexpr int64_t kConvAt = kDay0 + 2 * kHourUs + 5 * kMinuteUs;

TEST_F(ConversionTest, LastClickAttributedAndCountedEverywhere) {
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
  // Not a hit: the click stream and click counts do not see it.
  EXPECT_EQ(Int("SELECT COUNT(*) FROM hits"), 1);

  // Rollups of the credited link and of the account, in the conversion's buckets, each width.
  const int64_t hour = kDay0 + 2 * kHourUs;
  for (const char* table : {"rollups", "account_rollups"}) {
    const std::string t = table;
    EXPECT_EQ(Int("SELECT SUM(conversions) FROM " + t +
                  " WHERE granularity = 3600 AND "
                  "bucket_start_us = " +
                  std::to_string(hour)),
              1)
        << t;
    EXPECT_EQ(Int("SELECT SUM(value_micros) FROM " + t + " WHERE granularity = 86400"), 12'500'000)
        << t;
    EXPECT_EQ(Int("SELECT SUM(conversions) FROM " + t +
                  " WHERE granularity = 60 AND "
                  "bucket_start_us = " +
                  std::to_string(kConvAt)),
              1)
        << t;
    // The click is still one click: conversions do not touch total.
    EXPECT_EQ(Int("SELECT SUM(total) FROM " + t + " WHERE granularity = 86400"), 1) << t;
  }
  // Dimensions: the click's values, in the conversion's hour.
  EXPECT_EQ(Int("SELECT conversions FROM dim_rollups WHERE dim = 0 AND value = 'DE' AND "
                "bucket_start_us = " +
                std::to_string(hour)),
            1);
  EXPECT_EQ(Int("SELECT value_micros FROM dim_rollups WHERE dim = 1 AND value = 'mobile' AND "
                "bucket_start_us = " +
                std::to_string(hour)),
            12'500'000);
  EXPECT_EQ(Int("SELECT SUM(conversions) FROM dim_rollups"), 2);  // country and device known
  // The goal's rollups, per credited link.
  EXPECT_EQ(Int("SELECT conversions FROM goal_rollups WHERE granularity = 86400 AND goal_id = " +
                std::to_string(goal.id) + " AND link_id = " + std::to_string(link_)),
            1);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM goal_rollups"), 3);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM conversion_keys"), 2);  // its order id and its click
}

TEST_F(ConversionTest, ClickAndConversionInOneBatch) {
  GoalRow goal = MakeGoal();
  HitRecord click = Click(1, kClickAt);
  HitRecord conv = Conversion(2, goal, kClickAt + 1, Cid(click));
  CommitResult r = Commit({click, conv});
  EXPECT_EQ(r.applied, 2u);
  EXPECT_EQ(r.conversions, 1u);
  EXPECT_EQ(Row(conv).link_id, link_);
}

TEST_F(ConversionTest, FirstClickFollowsTheVisitorCookie) {
  const int64_t other_link = Link(account_, "second").id;
  GoalRow last = MakeGoal();
  GoalRow first = MakeGoal({.attribution = AttributionModel::kFirstClick});
  HitRecord c1 = Click(1, kClickAt);  // the visitor's first click: no ct_vid came in
  c1.event.link_id = other_link;
  HitRecord c2 = Click(2, kClickAt + kMinuteUs, Cid(c1));
  Commit({c1, c2});
  HitRecord by_last = Conversion(3, last, kConvAt, Cid(c2));
  HitRecord by_first = Conversion(4, first, kConvAt, Cid(c2));
  Commit({by_last, by_first});
  EXPECT_EQ(Row(by_last).link_id, link_);
  EXPECT_EQ(Row(by_first).link_id, other_link);

  // The first click outside the window: the named click keeps the credit.
  GoalRow narrow = MakeGoal({.window_seconds = 3600, .attribution = AttributionModel::kFirstClick});
  HitRecord old = Click(5, kClickAt - 2 * kHourUs);
  old.event.link_id = other_link;
  HitRecord recent = Click(6, kConvAt - kMinuteUs, Cid(old));
  Commit({old, recent});
  HitRecord conv = Conversion(7, narrow, kConvAt, Cid(recent));
  Commit({conv});
  EXPECT_EQ(Row(conv).link_id, link_);
}

TEST_F(ConversionTest, OutsideTheWindowIsUnattributedButCounted) {
  GoalRow goal = MakeGoal({.window_seconds = 3600});
  HitRecord click = Click(1, kConvAt - 2 * kHourUs);
  HitRecord late = Click(9, kConvAt + 10 * kMinuteUs);    // after the 5 min clock slack
  HitRecord skewed = Click(10, kConvAt + 2 * kMinuteUs);  // within it
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
  // Unattributed: account and goal figures only.
  EXPECT_EQ(Int("SELECT SUM(conversions) FROM account_rollups WHERE granularity = 86400"), 4);
  EXPECT_EQ(Int("SELECT SUM(conversions) FROM rollups WHERE granularity = 86400"), 1);
  EXPECT_EQ(Int("SELECT conversions FROM goal_rollups WHERE granularity = 86400 AND "
                "link_id = 0"),
            3);
}

TEST_F(ConversionTest, AnotherAccountsClickOrABotClickIsNotCredited) {
  int64_t other = Account("beta");
  GoalRow goal = MakeGoal();
  HitRecord foreign = Click(1, kClickAt);
  foreign.event.account_id = other;
  HitRecord bot = Click(2, kClickAt);
  bot.enrichment.bot = true;
  HitRecord pixel = Click(3, kClickAt);
  pixel.event.kind = EventKind::kImpression;  // impressions are not clicks
  Commit({foreign, bot, pixel});
  HitRecord c1 = Conversion(4, goal, kConvAt, Cid(foreign));
  HitRecord c2 = Conversion(5, goal, kConvAt, Cid(bot));
  HitRecord c3 = Conversion(6, goal, kConvAt, Cid(pixel));
  Commit({c1, c2, c3});
  EXPECT_EQ(Row(c1).link_id, 0);
  EXPECT_EQ(Row(c2).link_id, 0);
  EXPECT_EQ(Row(c3).link_id, 0);
}

TEST_F(ConversionTest, UnknownDeletedOrForeignGoal) {
  GoalRow goal = MakeGoal();
  GoalRow gone = MakeGoal();
  ASSERT_TRUE(store_->DeleteGoal(account_, gone.id).ok());
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

TEST_F(ConversionTest, BotPixelIsRecordedNotCounted) {
  GoalRow goal = MakeGoal();
  HitRecord click = Click(1, kClickAt);
  HitRecord bot = Conversion(2, goal, kConvAt, Cid(click));
  bot.enrichment.bot = true;
  HitRecord s2s = Conversion(3, goal, kConvAt, Cid(click));  // a server's UA is not a bot
  s2s.enrichment.bot = true;
  s2s.event.flags = kFlagServerToServer;
  EXPECT_EQ(Commit({click, bot, s2s}).conversions, 1u);
  EXPECT_EQ(Row(bot).status, St(ConversionStatus::kBot));
  EXPECT_EQ(Row(s2s).status, St(ConversionStatus::kCounted));
}

TEST_F(ConversionTest, CurrencyMismatch) {
  GoalRow goal = MakeGoal({.currency = "EUR"});
  HitRecord usd = Conversion(1, goal, kConvAt, "");
  usd.event.currency = "USD";
  HitRecord eur = Conversion(2, goal, kConvAt, "");
  eur.event.currency = "EUR";
  HitRecord none = Conversion(3, goal, kConvAt, "");  // the goal's currency
  EXPECT_EQ(Commit({usd, eur, none}).conversions, 2u);
  EXPECT_EQ(Row(usd).status, St(ConversionStatus::kCurrencyMismatch));
  EXPECT_EQ(Row(eur).status, St(ConversionStatus::kCounted));
  EXPECT_EQ(Row(none).currency, "EUR");
}

TEST_F(ConversionTest, DuplicateOrderInEveryMode) {
  for (ConversionCounting mode : {ConversionCounting::kEvery, ConversionCounting::kOncePerClick,
                                  ConversionCounting::kOncePerOrder}) {
    SCOPED_TRACE(static_cast<int>(mode));
    GoalRow goal = MakeGoal({.counting = mode});
    const uint64_t base = 100 * (static_cast<uint64_t>(mode) + 1);
    HitRecord c1 = Click(base, kClickAt);
    HitRecord c2 = Click(base + 1, kClickAt);
    HitRecord first = Conversion(base + 2, goal, kConvAt, Cid(c1));
    first.event.order_id = "ORDER-1";
    HitRecord again = Conversion(base + 3, goal, kConvAt, Cid(c2));  // another click, same order
    again.event.order_id = "ORDER-1";
    Commit({c1, c2, first});
    Commit({again});  // a later batch: the key is durable
    EXPECT_EQ(Row(first).status, St(ConversionStatus::kCounted));
    EXPECT_EQ(Row(again).status, St(ConversionStatus::kDuplicateOrder));
  }
  // Order ids are per goal.
  GoalRow g1 = MakeGoal();
  GoalRow g2 = MakeGoal();
  HitRecord a = Conversion(1, g1, kConvAt, "");
  a.event.order_id = "X";
  HitRecord b = Conversion(2, g2, kConvAt, "");
  b.event.order_id = "X";
  EXPECT_EQ(Commit({a, b}).conversions, 2u);
}

TEST_F(ConversionTest, OncePerClick) {
  GoalRow goal = MakeGoal({.counting = ConversionCounting::kOncePerClick});
  GoalRow every = MakeGoal();
  HitRecord c1 = Click(1, kClickAt);
  HitRecord c2 = Click(2, kClickAt);
  HitRecord a = Conversion(3, goal, kConvAt, Cid(c1));
  HitRecord b = Conversion(4, goal, kConvAt, Cid(c1));
  HitRecord c = Conversion(5, goal, kConvAt, Cid(c2));
  HitRecord u1 = Conversion(6, goal, kConvAt, "");  // unattributed: no click to count twice
  HitRecord u2 = Conversion(7, goal, kConvAt, "");
  HitRecord e1 = Conversion(8, every, kConvAt, Cid(c1));
  HitRecord e2 = Conversion(9, every, kConvAt, Cid(c1));
  EXPECT_EQ(Commit({c1, c2, a, b, c, u1, u2, e1, e2}).conversions, 6u);
  EXPECT_EQ(Row(a).status, St(ConversionStatus::kCounted));
  EXPECT_EQ(Row(b).status, St(ConversionStatus::kDuplicateClick));
  EXPECT_EQ(Row(c).status, St(ConversionStatus::kCounted));
  EXPECT_EQ(Row(u2).status, St(ConversionStatus::kCounted));
  EXPECT_EQ(Row(e2).status, St(ConversionStatus::kCounted));
}

TEST_F(ConversionTest, OncePerOrderWithoutOrderId) {
  GoalRow goal = MakeGoal({.counting = ConversionCounting::kOncePerOrder});
  HitRecord none = Conversion(1, goal, kConvAt, "");
  HitRecord with = Conversion(2, goal, kConvAt, "");
  with.event.order_id = "O-9";
  EXPECT_EQ(Commit({none, with}).conversions, 1u);
  EXPECT_EQ(Row(none).status, St(ConversionStatus::kMissingOrderId));
  EXPECT_EQ(Row(with).status, St(ConversionStatus::kCounted));
}

TEST_F(ConversionTest, ValueDefaultsToTheGoals) {
  GoalRow goal = MakeGoal({.default_value_micros = 4'200'000});
  HitRecord plain = Conversion(1, goal, kConvAt, "");
  HitRecord zero = Conversion(2, goal, kConvAt, "");
  zero.event.flags = kFlagHasValue;  // a given 0 is a value, not "none"
  HitRecord given = Conversion(3, goal, kConvAt, "");
  given.event.flags = kFlagHasValue;
  given.event.value_micros = 1;
  Commit({plain, zero, given});
  EXPECT_EQ(Row(plain).value_micros, 4'200'000);
  EXPECT_EQ(Row(zero).value_micros, 0);
  EXPECT_EQ(Row(given).value_micros, 1);
  EXPECT_EQ(Int("SELECT value_micros FROM account_rollups WHERE granularity = 86400"), 4'200'001);
}

TEST_F(ConversionTest, ReCommittedConversionChangesNothing) {
  GoalRow goal = MakeGoal({.counting = ConversionCounting::kOncePerClick});
  MakePostback({});
  HitRecord click = Click(1, kClickAt);
  HitRecord conv = Conversion(2, goal, kConvAt, Cid(click));
  conv.event.order_id = "O-1";
  CommitResult first = Commit({click, conv});
  EXPECT_EQ(first.conversions, 1u);
  EXPECT_EQ(first.deliveries, 1u);
  // The same event again, in a new batch after the position (a replayed journal).
  CommitResult again = Commit({conv});
  EXPECT_EQ(again.applied, 0u);
  EXPECT_EQ(again.duplicates, 1u);
  EXPECT_EQ(again.conversions, 0u);
  EXPECT_EQ(again.deliveries, 0u);
  EXPECT_EQ(Row(conv).status, St(ConversionStatus::kCounted));  // not turned into a duplicate
  EXPECT_EQ(Int("SELECT COUNT(*) FROM conversions"), 1);
  EXPECT_EQ(Int("SELECT SUM(conversions) FROM account_rollups WHERE granularity = 86400"), 1);
  EXPECT_EQ(Int("SELECT SUM(conversions) FROM goal_rollups WHERE granularity = 86400"), 1);
  EXPECT_EQ(Outbox().size(), 1u);
}

TEST_F(ConversionTest, HitsKeepTheVisitorCookieAndImpressionsCountLikeClicks) {
  Result<LinkRow> pixel =
      store_->CreateLink({.account_id = account_, .slug = "open", .kind = LinkKind::kPixel});
  ASSERT_TRUE(pixel.ok());
  auto impression = [&](uint64_t n, const std::string& visitor, EventKind kind, bool bot) {
    HitRecord h = MakeHit(n, pixel->id, account_, kClickAt, visitor, kind);
    h.enrichment.bot = bot;
    h.event.visitor_id = "vid-" + std::to_string(n);
    return h;
  };
  Commit({impression(1, "a", EventKind::kImpression, false),
          impression(2, "a", EventKind::kImpression, false),
          impression(3, "b", EventKind::kImpression, false),
          impression(4, "c", EventKind::kImpression, true),
          impression(5, "d", EventKind::kHead, false)});
  LinkStats s = Stats(account_, pixel->id, Interval::kDay);
  EXPECT_EQ(s.total, 3);
  EXPECT_EQ(s.unique, 2);
  EXPECT_EQ(s.bots, 1);
  EXPECT_EQ(s.head, 1);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM hits WHERE visitor_id = 'vid-2' AND kind = 3"), 1);
}

}  // namespace
}  // namespace ct::testing_store
