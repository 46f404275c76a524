// The outbox rows Store::Commit writes (docs/design/conversions.md "Outbox, delivery ids and
// macros"): which postbacks fire for conversions, clicks and impressions, the ids, the
// expanded URL and body, piggyback pixels, and nothing from a batch that rolls back.
#include <boost/json/parse.hpp>
#include <set>

#include "conversion_fixture.h"
#include "store/sqlite/macro_values.h"

namespace ct::testing_store {
namespace {

constexpr int64_t kClickAt = kDay0 + kHourUs;
constexpr int64_t kConvAt = kDay0 + 2 * kHourUs;

TEST(FormatValueMicrosTest, DecimalWithoutTrailingZeros) {
  EXPECT_EQ(sqlite::FormatValueMicros(0), "0");
  EXPECT_EQ(sqlite::FormatValueMicros(12'500'000), "12.5");
  EXPECT_EQ(sqlite::FormatValueMicros(1'000'000), "1");
  EXPECT_EQ(sqlite::FormatValueMicros(1), "0.000001");
  EXPECT_EQ(sqlite::FormatValueMicros(1'000'000'000'000'000'000), "1000000000000");
}

TEST_F(ConversionTest, CountedConversionFiresItsPostbacksOnce) {
  GoalRow goal = MakeGoal();
  PostbackRow get = MakePostback(
      {.url_template = "https://hooks.example/c?cid={click_id}&v={value}&s={status}&g={goal_id}"});
  PostbackRow post = MakePostback({.url_template = "https://hooks.example/p", .method = "POST"});
  MakePostback({.events = kPostbackOnClick});  // not for conversions
  HitRecord click = Click(1, kClickAt);
  EXPECT_EQ(Commit({click}).deliveries, 1u);
  clock_.Advance(std::chrono::seconds(7));
  HitRecord conv = Conversion(2, goal, kConvAt, Cid(click));
  conv.event.flags = kFlagHasValue;
  conv.event.value_micros = 12'500'000;
  conv.event.order_id = "O-1";
  HitRecord dup = Conversion(3, goal, kConvAt, Cid(click));  // duplicate order: fires nothing
  dup.event.order_id = "O-1";
  CommitResult r = Commit({conv, dup});
  EXPECT_EQ(r.deliveries, 2u);

  std::vector<OutboxRowView> rows;  // the click's row (its click postback) aside
  for (const OutboxRowView& row : Outbox()) {
    if (row.event_kind == static_cast<int64_t>(EventKind::kConversion)) rows.push_back(row);
  }
  ASSERT_EQ(rows.size(), 2u);
  const std::string prefix = "msg_" + Cid(conv) + "_";
  const OutboxRowView& g = rows[0].postback_id == get.id ? rows[0] : rows[1];
  const OutboxRowView& p = rows[0].postback_id == get.id ? rows[1] : rows[0];
  EXPECT_EQ(g.id, prefix + std::to_string(get.id));
  EXPECT_EQ(g.method, "GET");
  EXPECT_EQ(g.url, "https://hooks.example/c?cid=" + Cid(click) +
                       "&v=12.5&s=counted&g=" + std::to_string(goal.id));
  EXPECT_EQ(g.body, "");
  EXPECT_EQ(g.state, 0);  // pending
  EXPECT_EQ(g.event_kind, static_cast<int64_t>(EventKind::kConversion));
  EXPECT_EQ(g.created_at, clock_.NowMicros());
  EXPECT_EQ(g.next_attempt_us, clock_.NowMicros());

  EXPECT_EQ(p.id, prefix + std::to_string(post.id));
  EXPECT_EQ(p.method, "POST");
  EXPECT_EQ(p.url, "https://hooks.example/p");
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(p.body, ec);
  ASSERT_FALSE(ec) << p.body;
  const boost::json::object& o = body.as_object();
  EXPECT_EQ(o.at("click_id").as_string(), Cid(click));
  EXPECT_EQ(o.at("conversion_id").as_string(), Cid(conv));
  EXPECT_EQ(o.at("event").as_string(), "conversion");
  EXPECT_EQ(o.at("value").as_string(), "12.5");
  EXPECT_EQ(o.at("currency").as_string(), "USD");
  EXPECT_EQ(o.at("order_id").as_string(), "O-1");
  EXPECT_EQ(o.at("goal").as_string(), "purchase");
  EXPECT_EQ(o.at("link").as_string(), "promo");
  EXPECT_EQ(o.at("link_id").as_string(), std::to_string(link_));
  EXPECT_EQ(o.at("country").as_string(), "DE");
  EXPECT_EQ(o.at("attributed").as_string(), "1");
  EXPECT_EQ(o.at("event_time").as_string(), "2024-01-01T02:00:00Z");
  EXPECT_EQ(o.at("event_time_unix").as_string(), std::to_string(kConvAt / 1'000'000));
}

TEST_F(ConversionTest, NotCountedConversionsFireNothing) {
  GoalRow goal = MakeGoal({.currency = "EUR", .piggyback_urls = {"https://px.example/a"}});
  MakePostback({.attributed_only = false});
  HitRecord bot = Conversion(1, goal, kConvAt, "");
  bot.enrichment.bot = true;
  HitRecord usd = Conversion(2, goal, kConvAt, "");
  usd.event.currency = "USD";
  HitRecord unknown = Conversion(3, goal, kConvAt, "");
  unknown.event.goal_id = 4242;
  CommitResult r = Commit({bot, usd, unknown});
  EXPECT_EQ(r.applied, 3u);
  EXPECT_EQ(r.deliveries, 0u);
  EXPECT_TRUE(Outbox().empty());
}

TEST_F(ConversionTest, AttributedOnlyAndGoalFilter) {
  GoalRow g1 = MakeGoal();
  GoalRow g2 = MakeGoal();
  PostbackRow attributed = MakePostback({.name = "attributed"});  // attributed_only default
  PostbackRow any = MakePostback({.name = "any", .attributed_only = false});
  PostbackRow only_g2 = MakePostback({.name = "g2", .goal_ids = {g2.id}, .attributed_only = false});
  HitRecord click = Click(1, kClickAt);
  HitRecord unattributed = Conversion(2, g1, kConvAt, "");
  HitRecord credited = Conversion(3, g1, kConvAt, Cid(click));
  HitRecord of_g2 = Conversion(4, g2, kConvAt, "");
  Commit({click, unattributed, credited, of_g2});
  std::set<std::string> ids;
  for (const OutboxRowView& r : Outbox()) ids.insert(r.id);
  auto id = [](const HitRecord& h, const PostbackRow& p) {
    return "msg_" + Cid(h) + "_" + std::to_string(p.id);
  };
  EXPECT_EQ(ids, (std::set<std::string>{id(unattributed, any), id(credited, attributed),
                                        id(credited, any), id(of_g2, any), id(of_g2, only_g2)}));
}

TEST_F(ConversionTest, DisabledPostbacksGetRowsDeletedOnesDoNot) {
  GoalRow goal = MakeGoal();
  PostbackRow disabled = MakePostback({.attributed_only = false});
  PostbackUpdate off;
  off.disabled = true;
  ASSERT_TRUE(store_->UpdatePostback(account_, disabled.id, off).ok());
  PostbackRow deleted = MakePostback({.attributed_only = false});
  ASSERT_TRUE(store_->DeletePostback(account_, deleted.id).ok());
  MakePostback({.account_id = Account("beta"), .attributed_only = false});  // another account's
  HitRecord conv = Conversion(1, goal, kConvAt, "");
  EXPECT_EQ(Commit({conv}).deliveries, 1u);
  std::vector<OutboxRowView> rows = Outbox();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].postback_id, disabled.id);  // waits until the postback is enabled again
}

TEST_F(ConversionTest, ClickAndImpressionPostbacks) {
  Result<LinkRow> pixel =
      store_->CreateLink({.account_id = account_, .slug = "open", .kind = LinkKind::kPixel});
  ASSERT_TRUE(pixel.ok());
  PostbackRow on_click = MakePostback(
      {.url_template = "https://hooks.example/k?cid={click_id}&e={event}&l={link}&c={country}",
       .events = kPostbackOnClick});
  PostbackRow on_impression =
      MakePostback({.url_template = "https://hooks.example/i?e={event}&l={link}",
                    .events = kPostbackOnImpression});
  MakePostback({.attributed_only = false});  // conversions only

  HitRecord click = Click(1, kClickAt);
  HitRecord bot = Click(2, kClickAt);
  bot.enrichment.bot = true;
  HitRecord head = Click(3, kClickAt);
  head.event.kind = EventKind::kHead;
  HitRecord imp = MakeHit(4, pixel->id, account_, kClickAt, "v", EventKind::kImpression);
  HitRecord bot_imp = MakeHit(5, pixel->id, account_, kClickAt, "v", EventKind::kImpression);
  bot_imp.enrichment.bot = true;
  CommitResult r = Commit({click, bot, head, imp, bot_imp});
  EXPECT_EQ(r.deliveries, 2u);
  EXPECT_EQ(r.conversions, 0u);

  std::vector<OutboxRowView> rows = Outbox();
  ASSERT_EQ(rows.size(), 2u);
  for (const OutboxRowView& row : rows) {
    if (row.postback_id == on_click.id) {
      EXPECT_EQ(row.id, "msg_" + Cid(click) + "_" + std::to_string(on_click.id));
      EXPECT_EQ(row.url, "https://hooks.example/k?cid=" + Cid(click) + "&e=click&l=promo&c=DE");
      EXPECT_EQ(row.event_kind, static_cast<int64_t>(EventKind::kClick));
    } else {
      EXPECT_EQ(row.postback_id, on_impression.id);
      EXPECT_EQ(row.id, "msg_" + Cid(imp) + "_" + std::to_string(on_impression.id));
      EXPECT_EQ(row.url, "https://hooks.example/i?e=impression&l=open");
    }
  }
  // A replayed click fires nothing again.
  EXPECT_EQ(Commit({click, imp}).deliveries, 0u);
  EXPECT_EQ(Outbox().size(), 2u);
}

TEST_F(ConversionTest, PiggybackPixelsUnlessTheBrowserFiredThem) {
  GoalRow goal = MakeGoal({.piggyback_urls = {"https://px.example/a?cid={click_id}",
                                              "https://px.example/b?v={value}"}});
  HitRecord click = Click(1, kClickAt);
  HitRecord gif = Conversion(2, goal, kConvAt, Cid(click));
  HitRecord html = Conversion(3, goal, kConvAt, Cid(click));
  html.event.flags = kFlagPiggybackServed;
  CommitResult r = Commit({click, gif, html});
  EXPECT_EQ(r.conversions, 2u);
  EXPECT_EQ(r.deliveries, 2u);
  std::vector<OutboxRowView> rows = Outbox();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].id, "msg_" + Cid(gif) + "_pg0");
  EXPECT_EQ(rows[0].url, "https://px.example/a?cid=" + Cid(click));
  EXPECT_EQ(rows[1].id, "msg_" + Cid(gif) + "_pg1");
  EXPECT_EQ(rows[1].url, "https://px.example/b?v=0");
  for (const OutboxRowView& row : rows) {
    EXPECT_EQ(row.postback_id, 0);
    EXPECT_EQ(row.method, "GET");
    EXPECT_EQ(row.body, "");
  }
}

TEST_F(ConversionTest, AFailedBatchWritesNoOutboxRow) {
  GoalRow goal = MakeGoal({.piggyback_urls = {"https://px.example/a"}});
  MakePostback({.attributed_only = false});
  MakePostback({.events = kPostbackOnClick});
  HitRecord click = Click(1, kClickAt);
  HitRecord conv = Conversion(2, goal, kConvAt, Cid(click));

  // A stale consumer loses the compare-and-set.
  CommitBatch stale;
  stale.consumer = "journal";
  stale.from_position = 5;
  stale.to_position = 7;
  stale.hits = {click, conv};
  EXPECT_EQ(store_->Commit(stale).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Outbox().empty());

  // A failure after the rows were written (the dead letter insert, last in the transaction):
  // everything rolls back, the outbox with it.
  ASSERT_TRUE(sql_->Exec("CREATE TRIGGER fail_dead BEFORE INSERT ON dead_letters "
                         "BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
                  .ok());
  CommitBatch failing;
  failing.consumer = "journal";
  failing.from_position = 0;
  failing.to_position = 3;
  failing.hits = {click, conv};
  failing.dead_letters = {{2, "bad record", "xx"}};
  EXPECT_FALSE(store_->Commit(failing).ok());
  EXPECT_TRUE(Outbox().empty());
  EXPECT_EQ(Int("SELECT COUNT(*) FROM conversions"), 0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM hits"), 0);

  // The same events commit cleanly afterwards, once.
  ASSERT_TRUE(sql_->Exec("DROP TRIGGER fail_dead").ok());
  CommitResult r = Commit({click, conv});
  EXPECT_EQ(r.deliveries, 3u);  // the click's postback, the conversion's, one piggyback pixel
  EXPECT_EQ(Outbox().size(), 3u);
}

TEST_F(ConversionTest, AnAccountWithoutPostbacksWritesNoRows) {
  GoalRow goal = MakeGoal();
  std::vector<HitRecord> hits;
  for (uint64_t n = 1; n <= 50; ++n) hits.push_back(Click(n, kClickAt + static_cast<int64_t>(n)));
  hits.push_back(Conversion(99, goal, kConvAt, Cid(hits[0])));
  CommitResult r = Commit(hits);
  EXPECT_EQ(r.applied, 51u);
  EXPECT_EQ(r.conversions, 1u);
  EXPECT_EQ(r.deliveries, 0u);
}

}  // namespace
}  // namespace ct::testing_store
