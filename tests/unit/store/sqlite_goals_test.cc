// Goals on the SQLite store: CRUD, store-wide keys, tenancy, and goals in the edge's change
// feed (the same version counter as links and domains). Pixels (LinkKind) too.
#include "store_fixture.h"

namespace ct::testing_store {
namespace {

NewGoal Goal(int64_t account_id, const std::string& key) {
  NewGoal g;
  g.account_id = account_id;
  g.key = key;
  g.name = "signup " + key;
  return g;
}

TEST_F(StoreTest, GoalCrud) {
  int64_t a = Account("acme");
  NewGoal g = Goal(a, "K0000000000000a1");
  g.default_value_micros = 2'500'000;
  g.currency = "EUR";
  g.window_seconds = 7 * 86400;
  g.counting = ConversionCounting::kOncePerOrder;
  g.attribution = AttributionModel::kFirstClick;
  g.piggyback_urls = {"https://partner.example/px?c={click_id}", "https://b.example/p\"q"};
  Result<GoalRow> created = store_->CreateGoal(g);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_GT(created->id, 0);
  EXPECT_GT(created->version, 0);
  EXPECT_EQ(created->created_at_us, clock_.NowMicros());

  Result<std::optional<GoalRow>> got = store_->GetGoal(a, created->id);
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status().ToString();
  const GoalRow& row = **got;
  EXPECT_EQ(row.key, "K0000000000000a1");
  EXPECT_EQ(row.name, "signup K0000000000000a1");
  EXPECT_EQ(row.default_value_micros, 2'500'000);
  EXPECT_EQ(row.currency, "EUR");
  EXPECT_EQ(row.window_seconds, 7 * 86400);
  EXPECT_EQ(row.counting, ConversionCounting::kOncePerOrder);
  EXPECT_EQ(row.attribution, AttributionModel::kFirstClick);
  EXPECT_EQ(row.piggyback_urls, g.piggyback_urls);  // a quote survives the JSON column
  EXPECT_FALSE(row.deleted);

  clock_.Advance(std::chrono::seconds(3));
  GoalUpdate u;
  u.name = "purchase";
  u.piggyback_urls = std::vector<std::string>{};
  u.counting = ConversionCounting::kEvery;
  Result<std::optional<GoalRow>> updated = store_->UpdateGoal(a, created->id, u);
  ASSERT_TRUE(updated.ok() && updated->has_value());
  EXPECT_EQ((*updated)->name, "purchase");
  EXPECT_EQ((*updated)->currency, "EUR");  // untouched fields stay
  EXPECT_GT((*updated)->version, created->version);
  EXPECT_EQ((*updated)->updated_at_us, clock_.NowMicros());
  got = store_->GetGoal(a, created->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->name, "purchase");
  EXPECT_TRUE((*got)->piggyback_urls.empty());
  EXPECT_EQ((*got)->counting, ConversionCounting::kEvery);

  Result<bool> deleted = store_->DeleteGoal(a, created->id);
  ASSERT_TRUE(deleted.ok() && *deleted);
  deleted = store_->DeleteGoal(a, created->id);
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(*deleted);
  got = store_->GetGoal(a, created->id);  // still reads, marked (its stats remain)
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_TRUE((*got)->deleted);
  updated = store_->UpdateGoal(a, created->id, u);
  ASSERT_TRUE(updated.ok());
  EXPECT_FALSE(updated->has_value());
  Result<std::vector<GoalRow>> list = store_->ListGoals(a);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST_F(StoreTest, GoalKeysAreUniqueAcrossAccounts) {
  int64_t a = Account("acme");
  int64_t b = Account("beta");
  ASSERT_TRUE(store_->CreateGoal(Goal(a, "KEY0000000000001")).ok());
  EXPECT_EQ(store_->CreateGoal(Goal(b, "KEY0000000000001")).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreateGoal(Goal(a, "KEY0000000000001")).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_TRUE(store_->CreateGoal(Goal(b, "KEY0000000000002")).ok());
}

TEST_F(StoreTest, GoalsOfAnotherAccountReadAsMissing) {
  int64_t a = Account("acme");
  int64_t b = Account("beta");
  Result<GoalRow> g = store_->CreateGoal(Goal(a, "KEY0000000000001"));
  ASSERT_TRUE(g.ok());
  Result<std::optional<GoalRow>> got = store_->GetGoal(b, g->id);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  GoalUpdate u;
  u.name = "stolen";
  Result<std::optional<GoalRow>> updated = store_->UpdateGoal(b, g->id, u);
  ASSERT_TRUE(updated.ok());
  EXPECT_FALSE(updated->has_value());
  Result<bool> deleted = store_->DeleteGoal(b, g->id);
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(*deleted);
  Result<std::vector<GoalRow>> list = store_->ListGoals(b);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
  got = store_->GetGoal(a, g->id);  // untouched
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->name, g->name);
  EXPECT_FALSE((*got)->deleted);
}

TEST_F(StoreTest, ListGoalsIsLiveAscendingId) {
  int64_t a = Account("acme");
  Result<GoalRow> g1 = store_->CreateGoal(Goal(a, "KEY0000000000001"));
  Result<GoalRow> g2 = store_->CreateGoal(Goal(a, "KEY0000000000002"));
  Result<GoalRow> g3 = store_->CreateGoal(Goal(a, "KEY0000000000003"));
  ASSERT_TRUE(g1.ok() && g2.ok() && g3.ok());
  ASSERT_TRUE(store_->DeleteGoal(a, g2->id).ok());
  Result<std::vector<GoalRow>> list = store_->ListGoals(a);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, g1->id);
  EXPECT_EQ((*list)[1].id, g3->id);
}

TEST_F(StoreTest, GoalsShareTheVersionCounterAndTheChangeFeed) {
  int64_t a = Account("acme");
  LinkRow l1 = Link(a, "one");
  Result<GoalRow> g = store_->CreateGoal(Goal(a, "KEY0000000000001"));
  ASSERT_TRUE(g.ok());
  EXPECT_GT(g->version, l1.version);
  LinkRow l2 = Link(a, "two");
  EXPECT_GT(l2.version, g->version);  // a link after a goal does not reuse its version

  Result<LinkChanges> all = store_->LinksChangedSince(0);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->goals.size(), 1u);
  EXPECT_EQ(all->goals[0].key, "KEY0000000000001");
  EXPECT_EQ(all->max_version, l2.version);

  // Only the goal changes: the feed returns it alone, and max_version is its version.
  ASSERT_TRUE(store_->DeleteGoal(a, g->id).ok());
  Result<LinkChanges> since = store_->LinksChangedSince(all->max_version);
  ASSERT_TRUE(since.ok());
  EXPECT_TRUE(since->links.empty());
  ASSERT_EQ(since->goals.size(), 1u);
  EXPECT_TRUE(since->goals[0].deleted);
  EXPECT_GT(since->max_version, all->max_version);
  EXPECT_EQ(since->max_version, since->goals[0].version);

  Result<LinkChanges> none = store_->LinksChangedSince(since->max_version);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->goals.empty());
  EXPECT_EQ(none->max_version, since->max_version);
}

TEST_F(StoreTest, PixelsAreLinksOfTheirOwnKind) {
  int64_t a = Account("acme");
  LinkRow link = Link(a, "promo");
  Result<LinkRow> pixel = store_->CreateLink(
      {.account_id = a, .slug = "open", .destination = "", .kind = LinkKind::kPixel});
  ASSERT_TRUE(pixel.ok()) << pixel.status().ToString();  // destination "" is fine for a pixel
  EXPECT_EQ(pixel->kind, LinkKind::kPixel);
  EXPECT_EQ(link.kind, LinkKind::kLink);

  Result<std::optional<LinkRow>> got = store_->GetLink(a, pixel->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->kind, LinkKind::kPixel);
  EXPECT_EQ((*got)->destination, "");

  // They share the slug namespace.
  EXPECT_EQ(store_->CreateLink({.account_id = a, .slug = "promo", .kind = LinkKind::kPixel})
                .status()
                .code(),
            StatusCode::kAlreadyExists);

  Result<LinkPage> links = store_->ListLinks(a, {}, 0, 10);
  ASSERT_TRUE(links.ok());
  ASSERT_EQ(links->links.size(), 1u);
  EXPECT_EQ(links->links[0].id, link.id);
  Result<LinkPage> pixels = store_->ListLinks(a, {.kind = LinkKind::kPixel}, 0, 10);
  ASSERT_TRUE(pixels.ok());
  ASSERT_EQ(pixels->links.size(), 1u);
  EXPECT_EQ(pixels->links[0].id, pixel->id);

  LinkUpdate u;
  u.title = "newsletter";
  Result<std::optional<LinkRow>> updated = store_->UpdateLink(a, pixel->id, u);
  ASSERT_TRUE(updated.ok() && updated->has_value());
  EXPECT_EQ((*updated)->kind, LinkKind::kPixel);  // an update keeps the kind

  Result<std::vector<LinkRow>> batch = store_->CreateLinks(
      {{.account_id = a, .slug = "p2", .kind = LinkKind::kPixel}, {.account_id = a, .slug = "l3"}});
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ((*batch)[0].kind, LinkKind::kPixel);
  EXPECT_EQ((*batch)[1].kind, LinkKind::kLink);

  Result<LinkChanges> changes = store_->LinksChangedSince(0);
  ASSERT_TRUE(changes.ok());
  int pixel_rows = 0;
  for (const LinkRow& r : changes->links) pixel_rows += r.kind == LinkKind::kPixel;
  EXPECT_EQ(pixel_rows, 2);
}

}  // namespace
}  // namespace ct::testing_store
