// Goals on the PostgreSQL store: the SQLite store's cases (tests/unit/store/
// sqlite_goals_test.cc: CRUD, store-wide keys, tenancy, the shared version counter and change
// feed), plus what only several processes on one database can do: a key raced by two stores,
// and updates and deletes of one goal at once.
#include <future>
#include <thread>

#include "pg_fixture.h"

namespace ct::testing_pg {
namespace {

class PgGoalsTest : public PgStoreTest {};

NewGoal Goal(int64_t account_id, const std::string& key) {
  NewGoal g;
  g.account_id = account_id;
  g.key = key;
  g.name = "signup " + key;
  return g;
}

TEST_F(PgGoalsTest, Crud) {
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
  EXPECT_EQ(row.version, created->version);
  EXPECT_FALSE(row.deleted);

  clock_.Advance(std::chrono::seconds(3));
  GoalUpdate u;
  u.name = "purchase";
  u.piggyback_urls = std::vector<std::string>{};
  u.counting = ConversionCounting::kEvery;
  Result<std::optional<GoalRow>> updated = store_->UpdateGoal(a, created->id, u);
  ASSERT_TRUE(updated.ok() && updated->has_value()) << updated.status().ToString();
  EXPECT_EQ((*updated)->name, "purchase");
  EXPECT_EQ((*updated)->currency, "EUR");  // untouched fields stay
  EXPECT_GT((*updated)->version, created->version);
  EXPECT_EQ((*updated)->updated_at_us, clock_.NowMicros());
  got = store_->GetGoal(a, created->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->name, "purchase");
  EXPECT_TRUE((*got)->piggyback_urls.empty());
  EXPECT_EQ((*got)->counting, ConversionCounting::kEvery);
  EXPECT_EQ((*got)->version, (*updated)->version);

  Result<bool> deleted = store_->DeleteGoal(a, created->id);
  ASSERT_TRUE(deleted.ok() && *deleted) << deleted.status().ToString();
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

TEST_F(PgGoalsTest, KeysAreUniqueAcrossAccounts) {
  int64_t a = Account("acme");
  int64_t b = Account("beta");
  ASSERT_TRUE(store_->CreateGoal(Goal(a, "KEY0000000000001")).ok());
  Result<GoalRow> clash = store_->CreateGoal(Goal(b, "KEY0000000000001"));
  EXPECT_EQ(clash.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(clash.status().message(), "goal key taken");
  EXPECT_EQ(store_->CreateGoal(Goal(a, "KEY0000000000001")).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_TRUE(store_->CreateGoal(Goal(b, "KEY0000000000002")).ok());
}

TEST_F(PgGoalsTest, GoalsOfAnotherAccountReadAsMissing) {
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

TEST_F(PgGoalsTest, ListIsLiveAscendingId) {
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

TEST_F(PgGoalsTest, ShareTheVersionCounterAndTheChangeFeed) {
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

// Two API processes create the same key at once: exactly one wins, the other gets
// kAlreadyExists, and the loser's version number is not left behind in the feed.
TEST_F(PgGoalsTest, AKeyRacedByTwoStoresHasOneOwner) {
  std::unique_ptr<Store> other = Open();
  ASSERT_NE(other, nullptr);
  const int64_t a = Account("acme");
  const int64_t b = Account("beta");
  constexpr int kKeys = 20;
  int won = 0, taken = 0;
  for (int k = 0; k < kKeys; ++k) {
    const std::string key = "RACE" + std::to_string(1000 + k) + "00000000";
    auto create = [&](Store* s, int64_t account) { return s->CreateGoal(Goal(account, key)); };
    std::future<Result<GoalRow>> f1 = std::async(std::launch::async, create, store_.get(), a);
    std::future<Result<GoalRow>> f2 = std::async(std::launch::async, create, other.get(), b);
    for (Result<GoalRow> r : {f1.get(), f2.get()}) {
      if (r.ok()) {
        ++won;
      } else {
        EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists) << r.status().ToString();
        ++taken;
      }
    }
  }
  EXPECT_EQ(won, kKeys);
  EXPECT_EQ(taken, kKeys);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM goals"), kKeys);
  Result<LinkChanges> feed = store_->LinksChangedSince(0);
  ASSERT_TRUE(feed.ok());
  EXPECT_EQ(feed->goals.size(), static_cast<size_t>(kKeys));
}

// Updates and deletes of one goal from two stores at once: each applies whole, in some order,
// with no deadlock (row lock, then the version counter, on every path) and no lost field.
TEST_F(PgGoalsTest, ConcurrentUpdatesAndADeleteOfOneGoal) {
  std::unique_ptr<Store> other = Open();
  ASSERT_NE(other, nullptr);
  const int64_t a = Account("acme");
  Result<GoalRow> g = store_->CreateGoal(Goal(a, "KEY0000000000001"));
  ASSERT_TRUE(g.ok());
  constexpr int kRounds = 40;
  auto updater = [&](Store* s, bool names) {
    int errors = 0;
    for (int i = 0; i < kRounds; ++i) {
      GoalUpdate u;
      if (names) {
        u.name = "name " + std::to_string(i);
      } else {
        u.window_seconds = 1000 + i;
      }
      Result<std::optional<GoalRow>> r = s->UpdateGoal(a, g->id, u);
      if (!r.ok()) ++errors;
    }
    return errors;
  };
  std::future<int> f1 = std::async(std::launch::async, updater, store_.get(), true);
  std::future<int> f2 = std::async(std::launch::async, updater, other.get(), false);
  EXPECT_EQ(f1.get(), 0);
  EXPECT_EQ(f2.get(), 0);
  Result<std::optional<GoalRow>> got = store_->GetGoal(a, g->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->name, "name " + std::to_string(kRounds - 1));
  EXPECT_EQ((*got)->window_seconds, 1000 + kRounds - 1);

  // A delete racing updates: the goal ends deleted, whichever ran first.
  std::future<int> f3 = std::async(std::launch::async, updater, store_.get(), true);
  Result<bool> deleted = other->DeleteGoal(a, g->id);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_TRUE(*deleted);
  EXPECT_EQ(f3.get(), 0);  // updates after the delete find no live goal: nullopt, not an error
  got = store_->GetGoal(a, g->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_TRUE((*got)->deleted);
  Result<LinkChanges> feed = store_->LinksChangedSince(0);
  ASSERT_TRUE(feed.ok());
  ASSERT_EQ(feed->goals.size(), 1u);
  EXPECT_TRUE(feed->goals[0].deleted);
  EXPECT_EQ(feed->goals[0].version, (*got)->version);
}

}  // namespace
}  // namespace ct::testing_pg
