// The SQLite store under concurrency: threads sharing one store, two stores on one file (as two
// processes would), concurrent first opens racing the migration, and a too-new schema.
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "store/sqlite/db.h"
#include "store/sqlite/schema.h"
#include "store_fixture.h"

namespace ct::testing_store {
namespace {

TEST_F(StoreTest, ThreadsCommitCreateAndPollConcurrently) {
  int64_t a = Account("acme");
  int64_t link = Link(a, "hot").id;
  constexpr int kBatches = 20;
  constexpr int kHitsPerBatch = 50;
  constexpr int kLinks = 40;
  std::atomic<bool> done{false};
  std::atomic<int> errors{0};

  std::thread tracker([&] {
    for (int b = 0; b < kBatches; ++b) {
      CommitBatch batch;
      batch.consumer = "journal";
      batch.from_position = b;
      batch.to_position = b + 1;
      for (int i = 0; i < kHitsPerBatch; ++i) {
        uint64_t n = static_cast<uint64_t>(b * kHitsPerBatch + i);
        batch.hits.push_back(
            MakeHit(n, link, a, kDay0 + static_cast<int64_t>(n), "v" + std::to_string(n % 7)));
      }
      if (!store_->Commit(batch).ok()) ++errors;
    }
  });
  std::thread api([&] {
    for (int i = 0; i < kLinks; ++i) {
      if (!store_
               ->CreateLink(
                   {.account_id = a, .slug = "t" + std::to_string(i), .destination = "https://x/"})
               .ok())
        ++errors;
    }
  });
  std::thread edge([&] {  // the link table's poll: versions only move forward
    int64_t version = 0;
    while (!done) {
      Result<LinkChanges> c = store_->LinksChangedSince(version);
      if (!c.ok() || c->max_version < version) ++errors;
      if (c.ok()) version = c->max_version;
    }
  });
  tracker.join();
  api.join();
  done = true;
  edge.join();

  EXPECT_EQ(errors.load(), 0);
  Result<uint64_t> pos = store_->ConsumedPosition("journal");
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ(*pos, static_cast<uint64_t>(kBatches));
  LinkStats days = Stats(a, link, Interval::kDay);
  EXPECT_EQ(days.total, kBatches * kHitsPerBatch);
  EXPECT_EQ(days.unique, 7);
  Result<LinkChanges> all = store_->LinksChangedSince(0);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->links.size(), static_cast<size_t>(kLinks + 1));
}

TEST_F(StoreTest, TwoStoresOnOneFile) {
  std::unique_ptr<Store> other = Open();  // like a second process: its own connections
  ASSERT_NE(other, nullptr);
  int64_t a = Account("acme");
  int64_t link = Link(a, "shared").id;

  // Both create links at once: all land, with distinct versions, seen by both.
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (Store* s : {store_.get(), other.get()}) {
    threads.emplace_back([&, s] {
      for (int i = 0; i < 25; ++i) {
        std::string slug = (s == store_.get() ? "p" : "q") + std::to_string(i);
        if (!s->CreateLink({.account_id = a, .slug = slug, .destination = "https://x/"}).ok())
          ++errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  threads.clear();
  EXPECT_EQ(errors.load(), 0);
  Result<LinkChanges> seen = other->LinksChangedSince(0);
  ASSERT_TRUE(seen.ok());
  ASSERT_EQ(seen->links.size(), 51u);
  std::set<int64_t> versions;
  for (const LinkRow& row : seen->links) versions.insert(row.version);
  EXPECT_EQ(versions.size(), 51u);

  // A slug taken through one store is taken for the other.
  EXPECT_EQ(other->CreateLink({.account_id = a, .slug = "p1", .destination = "https://x/"})
                .status()
                .code(),
            StatusCode::kAlreadyExists);

  // Two consumers racing the same compare-and-set: exactly one wins.
  std::atomic<int> won{0};
  std::atomic<int> lost{0};
  for (Store* s : {store_.get(), other.get()}) {
    threads.emplace_back([&, s] {
      CommitBatch batch;
      batch.consumer = "journal";
      batch.from_position = 0;
      batch.to_position = 10;
      batch.hits.push_back(MakeHit(s == store_.get() ? 1 : 2, link, a, kDay0, "v"));
      Result<CommitResult> r = s->Commit(batch);
      if (r.ok()) {
        ++won;
      } else if (r.status().code() == StatusCode::kFailedPrecondition) {
        ++lost;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(lost.load(), 1);
  EXPECT_EQ(Stats(a, link, Interval::kDay).total, 1);
}

TEST_F(StoreTest, ConcurrentFirstOpensMigrateOnce) {
  path_ = (dir_ / "fresh.db").string();
  std::vector<std::unique_ptr<Store>> stores(4);
  std::vector<std::thread> threads;
  for (auto& s : stores) threads.emplace_back([&] { s = Open(); });
  for (auto& t : threads) t.join();
  for (auto& s : stores) ASSERT_NE(s, nullptr);
  auto db = sqlite::Db::Open(path_, {});
  ASSERT_TRUE(db.ok());
  Result<int64_t> version = (*db)->QueryInt("PRAGMA user_version");
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, sqlite::LatestSchemaVersion());
  // And the stores work.
  EXPECT_TRUE(stores[0]->CreateAccount({"x", "hx", "hx"}).ok());
  EXPECT_EQ(stores[1]->CreateAccount({"x", "hy", "hy"}).status().code(),
            StatusCode::kAlreadyExists);
}

TEST_F(StoreTest, NewerSchemaIsRefused) {
  store_.reset();
  {
    auto db = sqlite::Db::Open(path_, {});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version = 999").ok());
  }
  SqliteStoreOptions options;
  options.path = path_;
  Result<std::unique_ptr<Store>> s = OpenSqliteStore(options);
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(StoreTest, UnopenablePathIsAnError) {
  SqliteStoreOptions options;
  options.path = (dir_ / "no-such-dir" / "x.db").string();
  Result<std::unique_ptr<Store>> s = OpenSqliteStore(options);
  EXPECT_EQ(s.status().code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace ct::testing_store
