#include "edge/link_syncer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <thread>

#include "store/forwarding_store.h"

namespace ct::edge {
namespace {

// Only LinksChangedSince does anything; the syncer must call nothing else (Target() aborts).
class FakeStore : public ForwardingStore {
 public:
  Result<LinkChanges> LinksChangedSince(int64_t version) override {
    std::lock_guard lock(mu);
    ++calls;
    if (fail) return Status::Unavailable("store down");
    LinkChanges c;
    c.max_version = version;
    for (const LinkRow& r : rows) {
      if (r.version > version) {
        c.links.push_back(r);
        c.max_version = std::max(c.max_version, r.version);
      }
    }
    for (const GoalRow& g : goals) {
      if (g.version > version) {
        c.goals.push_back(g);
        c.max_version = std::max(c.max_version, g.version);
      }
    }
    return c;
  }
  void Put(int64_t id, std::string slug, std::string dest, bool deleted = false) {
    std::lock_guard lock(mu);
    LinkRow r;
    r.id = id;
    r.account_id = 1;
    r.slug = std::move(slug);
    r.destination = std::move(dest);
    r.deleted = deleted;
    r.version = ++next_version;
    std::erase_if(rows, [&](const LinkRow& x) { return x.id == id; });
    rows.push_back(r);
  }

  void PutGoal(int64_t id, std::string key, bool deleted = false) {
    std::lock_guard lock(mu);
    GoalRow g;
    g.id = id;
    g.account_id = 1;
    g.key = std::move(key);
    g.deleted = deleted;
    g.version = ++next_version;
    std::erase_if(goals, [&](const GoalRow& x) { return x.id == id; });
    goals.push_back(g);
  }

  std::mutex mu;
  std::vector<LinkRow> rows;
  std::vector<GoalRow> goals;
  int64_t next_version = 0;
  bool fail = false;
  int calls = 0;

 protected:
  std::shared_ptr<Store> Target() const override {
    ADD_FAILURE() << "the link syncer called a Store method other than LinksChangedSince";
    std::abort();
  }
};

TEST(LinkSyncerTest, FullThenIncremental) {
  FakeStore store;
  store.Put(1, "a", "https://a.example/");
  store.Put(2, "b", "https://b.example/");
  LinkTable table;
  MetricsRegistry metrics;
  LinkSyncer syncer(&store, &table, &metrics);
  EXPECT_FALSE(syncer.loaded());
  ASSERT_TRUE(syncer.PollOnce().ok());
  EXPECT_TRUE(syncer.loaded());
  EXPECT_EQ(table.Size(), 2u);
  EXPECT_EQ(syncer.version(), 2);

  store.Put(2, "b", "", /*deleted=*/true);
  store.Put(3, "c", "https://c.example/");
  ASSERT_TRUE(syncer.PollOnce().ok());
  EXPECT_EQ(table.Current()->Find("b"), nullptr);
  EXPECT_NE(table.Current()->Find("c"), nullptr);
  EXPECT_EQ(table.Size(), 2u);
}

TEST(LinkSyncerTest, GoalsFollowTheStoreWithoutALinkChange) {
  FakeStore store;
  store.PutGoal(5, "KEY5KEY5KEY5KEY5");
  LinkTable table;
  MetricsRegistry metrics;
  LinkSyncer syncer(&store, &table, &metrics);
  ASSERT_TRUE(syncer.PollOnce().ok());
  const GoalRow* g = table.Current()->FindGoal("KEY5KEY5KEY5KEY5");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->id, 5);
  // Only a goal changes: the poll must still apply it.
  store.PutGoal(5, "KEY5KEY5KEY5KEY5", /*deleted=*/true);
  store.PutGoal(6, "KEY6KEY6KEY6KEY6");
  ASSERT_TRUE(syncer.PollOnce().ok());
  EXPECT_EQ(table.Current()->FindGoal("KEY5KEY5KEY5KEY5"), nullptr);
  EXPECT_EQ(table.Current()->FindGoalById(5), nullptr);
  ASSERT_NE(table.Current()->FindGoalById(6), nullptr);
  EXPECT_EQ(syncer.version(), 3);
}

TEST(LinkSyncerTest, StoreErrorKeepsLastTableAndCounts) {
  FakeStore store;
  store.Put(1, "a", "https://a.example/");
  LinkTable table;
  MetricsRegistry metrics;
  LinkSyncer syncer(&store, &table, &metrics);
  ASSERT_TRUE(syncer.PollOnce().ok());
  store.fail = true;
  EXPECT_FALSE(syncer.PollOnce().ok());
  EXPECT_EQ(metrics.Value("clicktrail_edge_link_sync_errors_total"), 1);
  EXPECT_NE(table.Current()->Find("a"), nullptr);
  store.fail = false;
  store.Put(2, "b", "https://b.example/");
  ASSERT_TRUE(syncer.PollOnce().ok());
  EXPECT_EQ(table.Size(), 2u);
}

TEST(LinkSyncerTest, NotLoadedUntilFirstSuccess) {
  FakeStore store;
  store.fail = true;
  LinkTable table;
  MetricsRegistry metrics;
  LinkSyncer syncer(&store, &table, &metrics);
  EXPECT_FALSE(syncer.PollOnce().ok());
  EXPECT_FALSE(syncer.loaded());
}

TEST(LinkSyncerTest, ThreadPicksUpChangesQuicklyAndSyncNowWakes) {
  FakeStore store;
  LinkTable table;
  MetricsRegistry metrics;
  LinkSyncer syncer(&store, &table, &metrics, std::chrono::milliseconds(10000));
  syncer.Start();
  for (int i = 0; i < 200 && !syncer.loaded(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(syncer.loaded());
  store.Put(1, "a", "https://a.example/");
  syncer.SyncNow();  // the interval is 10 s: only the wake-up can make this pass
  for (int i = 0; i < 200 && table.Size() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(table.Size(), 1u);
  syncer.Stop();
}

// A temp directory for the snapshot file, removed at the end.
struct TempDir {
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "ct-snapshot-XXXXXX").string();
    path = mkdtemp(t.data()) ? t : "";
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string path;
};

TEST(LinkSyncerTest, RestartWithTheStoreDownServesTheSnapshotThenCatchesUp) {
  TempDir dir;
  ASSERT_FALSE(dir.path.empty());
  const std::string file = dir.path + "/links.snapshot";
  FakeStore store;
  store.Put(1, "a", "https://a.example/");
  store.Put(2, "b", "https://b.example/");
  store.PutGoal(7, "KEY7KEY7KEY7KEY7");
  {
    LinkTable table;
    MetricsRegistry metrics;
    LinkSnapshot snapshot(file);
    LinkSyncer syncer(&store, &table, &metrics);
    syncer.set_snapshot(&snapshot);
    ASSERT_TRUE(syncer.PollOnce().ok());
    syncer.Stop();  // the final save
  }
  ASSERT_TRUE(std::filesystem::exists(file));

  // The edge restarts while the store is down: the snapshot's links redirect.
  store.fail = true;
  LinkTable table;
  MetricsRegistry metrics;
  LinkSnapshot snapshot(file);
  LinkSyncer syncer(&store, &table, &metrics);
  syncer.set_snapshot(&snapshot);
  EXPECT_FALSE(syncer.PollOnce().ok());
  EXPECT_TRUE(syncer.loaded());
  ASSERT_NE(table.Current()->Find("a"), nullptr);
  EXPECT_EQ(table.Current()->Find("a")->destination(), "https://a.example/");
  EXPECT_NE(table.Current()->Find("b"), nullptr);
  EXPECT_NE(table.Current()->FindGoal("KEY7KEY7KEY7KEY7"), nullptr);
  EXPECT_EQ(syncer.version(), 3);

  // The store is back, with changes made meanwhile: only they are asked for and applied.
  {
    std::lock_guard lock(store.mu);
    store.fail = false;
  }
  store.Put(2, "b", "", /*deleted=*/true);
  store.Put(4, "d", "https://d.example/");
  ASSERT_TRUE(syncer.PollOnce().ok());
  EXPECT_NE(table.Current()->Find("a"), nullptr);
  EXPECT_EQ(table.Current()->Find("b"), nullptr);
  EXPECT_NE(table.Current()->Find("d"), nullptr);
  EXPECT_EQ(syncer.version(), 5);
  syncer.Stop();
  // The file follows: a third start without the store sees d and not b.
  LinkSnapshot reread(file);
  auto state = reread.Load();
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->max_version, 5);
  ASSERT_EQ(state->links.size(), 2u);
  EXPECT_EQ(state->links[0].slug, "a");
  EXPECT_EQ(state->links[1].slug, "d");
}

TEST(LinkSyncerTest, CappedLinksFromTheSnapshotDoNotAskTheDownStoreForSeeds) {
  TempDir dir;
  const std::string file = dir.path + "/links.snapshot";
  LinkRow capped;
  capped.id = 1;
  capped.account_id = 1;
  capped.slug = "cap";
  capped.destination = "https://cap.example/";
  capped.options.max_clicks = 10;
  capped.version = 1;
  LinkChanges state;
  state.links = {capped};
  state.max_version = 1;
  LinkSnapshot writer(file);
  writer.Merge(state, true);
  ASSERT_TRUE(writer.SaveIfDirty(true).ok());

  FakeStore store;  // any call but LinksChangedSince aborts the test
  store.fail = true;
  LinkTable table;
  MetricsRegistry metrics;
  LinkSnapshot snapshot(file);
  LinkSyncer syncer(&store, &table, &metrics);
  syncer.set_snapshot(&snapshot);
  EXPECT_FALSE(syncer.PollOnce().ok());
  ASSERT_NE(table.Current()->Find("cap"), nullptr);
}

TEST(LinkSyncerTest, NoSnapshotFileMeansNotLoaded) {
  TempDir dir;
  FakeStore store;
  store.fail = true;
  LinkTable table;
  MetricsRegistry metrics;
  LinkSnapshot snapshot(dir.path + "/none");
  LinkSyncer syncer(&store, &table, &metrics);
  syncer.set_snapshot(&snapshot);
  EXPECT_FALSE(syncer.PollOnce().ok());
  EXPECT_FALSE(syncer.loaded());
}

}  // namespace
}  // namespace ct::edge
