#include "edge/link_table.h"

#include <gtest/gtest.h>

#include <string>

namespace ct::edge {
namespace {

LinkRow Row(int64_t id, std::string slug, std::string dest, bool deleted = false,
            std::string domain = "") {
  LinkRow r;
  r.id = id;
  r.account_id = 100 + id;
  r.slug = std::move(slug);
  r.destination = std::move(dest);
  r.deleted = deleted;
  r.domain = std::move(domain);
  return r;
}

DomainRow Domain(int64_t id, std::string host) {
  DomainRow d;
  d.id = id;
  d.account_id = 1;
  d.host = std::move(host);
  return d;
}

GoalRow Goal(int64_t id, std::string key, bool deleted = false) {
  GoalRow g;
  g.id = id;
  g.account_id = 10 + id;
  g.key = std::move(key);
  g.name = "goal " + std::to_string(id);
  g.deleted = deleted;
  return g;
}

TEST(LinkTableTest, PixelKeepsItsKindAndNeedsNoDestination) {
  LinkTable table;
  LinkRow pixel = Row(1, "px", "");
  pixel.kind = LinkKind::kPixel;
  LinkRow link = Row(2, "ln", "https://a.example/");
  LinkRow bad = Row(3, "bad", "");  // a link without a destination is still refused
  EXPECT_EQ(table.Apply({pixel, link, bad}), 1u);
  const LinkEntry* p = table.Current()->Find("px");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->kind(), LinkKind::kPixel);
  EXPECT_EQ(p->destination(), "");
  EXPECT_EQ(p->extras(), nullptr);
  ASSERT_NE(table.Current()->Find("ln"), nullptr);
  EXPECT_EQ(table.Current()->Find("ln")->kind(), LinkKind::kLink);
  // Updating the pixel's row keeps it a pixel.
  pixel.slug = "px2";
  table.Apply({pixel});
  EXPECT_EQ(table.Current()->Find("px"), nullptr);
  ASSERT_NE(table.Current()->Find("px2"), nullptr);
  EXPECT_EQ(table.Current()->Find("px2")->kind(), LinkKind::kPixel);
}

TEST(LinkTableTest, GoalsUpsertDeleteAndOldSnapshotsStay) {
  LinkTable table;
  EXPECT_EQ(table.Current()->FindGoal("k1"), nullptr);
  table.Apply({Row(1, "a", "https://a.example/")});
  table.ApplyGoals({Goal(1, "k1"), Goal(2, "k2")});
  auto before = table.Current();
  ASSERT_NE(before->FindGoal("k1"), nullptr);
  EXPECT_EQ(before->FindGoal("k1")->id, 1);
  EXPECT_EQ(before->FindGoalById(2)->key, "k2");
  EXPECT_NE(before->Find("a"), nullptr);  // the links are untouched

  GoalRow renamed = Goal(1, "k1");
  renamed.name = "renamed";
  table.ApplyGoals({renamed, Goal(2, "k2", /*deleted=*/true), Goal(3, "k3")});
  auto after = table.Current();
  EXPECT_EQ(after->FindGoal("k1")->name, "renamed");
  EXPECT_EQ(after->FindGoal("k2"), nullptr);
  EXPECT_EQ(after->FindGoalById(2), nullptr);
  EXPECT_EQ(after->FindGoal("k3")->account_id, 13);
  EXPECT_EQ(after->FindGoal("K1"), nullptr);  // keys are case-sensitive
  // The snapshot a reader held is unchanged (copy-on-write).
  EXPECT_EQ(before->FindGoal("k1")->name, "goal 1");
  EXPECT_NE(before->FindGoal("k2"), nullptr);
  // A link change keeps the goals.
  table.Apply({Row(2, "b", "https://b.example/")});
  EXPECT_NE(table.Current()->FindGoal("k3"), nullptr);
}

TEST(LinkTableTest, ApplyUpsertsAndDeletes) {
  LinkTable table;
  EXPECT_EQ(table.Size(), 0u);
  EXPECT_FALSE(table.loaded());
  table.Apply({Row(1, "a", "https://a.example/"), Row(2, "b", "https://b.example/")});
  EXPECT_EQ(table.Size(), 2u);
  const LinkEntry* a = table.Current()->Find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->link_id(), 1);
  EXPECT_EQ(a->account_id(), 101);
  EXPECT_EQ(a->slug(), "a");
  EXPECT_EQ(a->destination(), "https://a.example/");
  EXPECT_EQ(a->extras(), nullptr);                 // no options: no extras
  EXPECT_EQ(table.Current()->Find("A"), nullptr);  // case-sensitive

  table.Apply({Row(1, "a", "https://new.example/"), Row(2, "b", "", true)});
  EXPECT_EQ(table.Current()->Find("a")->destination(), "https://new.example/");
  EXPECT_EQ(table.Current()->Find("b"), nullptr);
  EXPECT_EQ(table.Size(), 1u);
}

TEST(LinkTableTest, FormatRedirectHead) {
  std::string out;
  FormatRedirectHead("https://a.example/", &out);
  EXPECT_EQ(out,
            "HTTP/1.1 302 Found\r\nLocation: https://a.example/\r\nCache-Control: no-store\r\n"
            "Content-Length: 0\r\n");
}

TEST(LinkTableTest, SlugChangeDropsOldSlug) {
  LinkTable table;
  table.Apply({Row(1, "old", "https://a.example/")});
  table.Apply({Row(1, "new", "https://a.example/")});
  EXPECT_EQ(table.Current()->Find("old"), nullptr);
  ASSERT_NE(table.Current()->Find("new"), nullptr);
  EXPECT_EQ(table.Size(), 1u);
}

TEST(LinkTableTest, SameLinkTwiceInOneBatchKeepsTheLastRow) {
  LinkTable table;
  table.Apply({Row(1, "x", "https://1.example/"), Row(1, "y", "https://2.example/")});
  EXPECT_EQ(table.Current()->Find("x"), nullptr);
  ASSERT_NE(table.Current()->Find("y"), nullptr);
  EXPECT_EQ(table.Current()->Find("y")->destination(), "https://2.example/");
  EXPECT_EQ(table.Size(), 1u);
  table.Apply({Row(1, "y", "", true)});
  EXPECT_EQ(table.Size(), 0u);
}

TEST(LinkTableTest, UnsafeDestinationSkipped) {
  LinkTable table;
  EXPECT_EQ(table.Apply({Row(1, "x", "https://a.example/\r\nSet-Cookie: a=b")}), 1u);
  EXPECT_EQ(table.Current()->Find("x"), nullptr);
  LinkRow r = Row(2, "y", "https://a.example/");
  r.options.fallback_url = "https://b.example/\n";
  EXPECT_EQ(table.Apply({r}), 1u);  // a static option URL is checked too
  EXPECT_EQ(table.Current()->Find("y"), nullptr);
  LinkRow m = Row(3, "z", "https://a.example/{query:q}");
  EXPECT_EQ(table.Apply({m}), 0u);  // a template is checked after expansion, per click
  ASSERT_NE(table.Current()->Find("z"), nullptr);
  EXPECT_TRUE(table.Current()->Find("z")->extras()->has_macros);
}

TEST(LinkTableTest, SameSlugOnTwoDomains) {
  LinkTable table;
  std::vector<DomainRow> domains = {Domain(1, "go.example.com"), Domain(2, "ln.example.org")};
  table.Apply({Row(1, "s", "https://default.example/"),
               Row(2, "s", "https://go.example/", false, "go.example.com"),
               Row(3, "s", "https://ln.example/", false, "ln.example.org")},
              &domains);
  auto snap = table.Current();
  uint32_t go = snap->DomainOfHost("go.example.com");
  uint32_t ln = snap->DomainOfHost("ln.example.org");
  ASSERT_NE(go, LinkTable::kNoDomain);
  ASSERT_NE(ln, LinkTable::kNoDomain);
  EXPECT_NE(go, ln);
  EXPECT_EQ(snap->DomainOfHost("other.example"), LinkTable::kNoDomain);
  EXPECT_EQ(snap->Find("s")->destination(), "https://default.example/");
  EXPECT_EQ(snap->Find(go, "s")->destination(), "https://go.example/");
  EXPECT_EQ(snap->Find(ln, "s")->destination(), "https://ln.example/");

  // A domain removed from the list stops routing; its links stay keyed under it.
  std::vector<DomainRow> fewer = {Domain(1, "go.example.com")};
  table.Apply({}, &fewer);
  EXPECT_EQ(table.Current()->DomainOfHost("ln.example.org"), LinkTable::kNoDomain);
  EXPECT_EQ(table.Current()->DomainOfHost("go.example.com"), go);
  // Without a domain list, the hosts stay as they were.
  table.Apply({Row(1, "s", "", true)});
  EXPECT_EQ(table.Current()->DomainOfHost("go.example.com"), go);
  EXPECT_EQ(table.Current()->Find("s"), nullptr);
  EXPECT_NE(table.Current()->Find(go, "s"), nullptr);
}

TEST(LinkTableTest, ManyLinksAcrossShardsAndAnUpdateTouchesOneShard) {
  LinkTable table;
  std::vector<LinkRow> rows;
  for (int i = 0; i < 5000; ++i) {
    rows.push_back(Row(i + 1, "s" + std::to_string(i), "https://e.example/" + std::to_string(i)));
  }
  table.Apply(rows);
  auto before = table.Current();
  EXPECT_EQ(before->size(), 5000u);
  for (int i = 0; i < 5000; ++i) {
    const LinkEntry* e = before->Find("s" + std::to_string(i));
    ASSERT_NE(e, nullptr) << i;
    EXPECT_EQ(e->link_id(), i + 1);
  }
  table.Apply({Row(42, "s41", "https://changed.example/")});
  auto after = table.Current();
  EXPECT_EQ(after->size(), 5000u);
  EXPECT_EQ(after->Find("s41")->destination(), "https://changed.example/");
  EXPECT_EQ(before->Find("s41")->destination(), "https://e.example/41");  // old stays valid
  // Entries of untouched shards are the very same objects (shared, not copied).
  int same = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string s = "s" + std::to_string(i);
    same += before->Find(s) == after->Find(s);
  }
  EXPECT_GE(same, 4900);
  EXPECT_LT(same, 5000);
}

TEST(LinkTableTest, DeletingAndReAddingManyLinksKeepsEveryLookup) {
  LinkTable table;
  std::vector<LinkRow> rows;
  for (int i = 0; i < 3000; ++i) rows.push_back(Row(i + 1, "k" + std::to_string(i), "https://e/"));
  table.Apply(rows);
  std::vector<LinkRow> changes;
  for (int i = 0; i < 3000; i += 2) changes.push_back(Row(i + 1, "", "", true));
  table.Apply(changes);
  EXPECT_EQ(table.Size(), 1500u);
  changes.clear();
  for (int i = 1; i < 3000; i += 2) {
    changes.push_back(Row(i + 1, "r" + std::to_string(i), "https://r/"));  // rename
  }
  table.Apply(changes);
  auto snap = table.Current();
  EXPECT_EQ(snap->size(), 1500u);
  for (int i = 0; i < 3000; ++i) {
    EXPECT_EQ(snap->Find("k" + std::to_string(i)), nullptr) << i;
    const LinkEntry* e = snap->Find("r" + std::to_string(i));
    if (i % 2 == 1) {
      ASSERT_NE(e, nullptr) << i;
      EXPECT_EQ(e->link_id(), i + 1);
    } else {
      EXPECT_EQ(e, nullptr);
    }
  }
}

TEST(LinkTableTest, ClickCounterSeededOnceAndKeptAcrossUpdates) {
  LinkTable table;
  int seeds = 0;
  auto seed = [&seeds](const LinkRow& r) {
    ++seeds;
    return int64_t{7};
  };
  LinkRow r = Row(1, "cap", "https://a.example/");
  r.options.max_clicks = 10;
  table.Apply({r}, nullptr, seed);
  const LinkExtras* x = table.Current()->Find("cap")->extras();
  ASSERT_NE(x, nullptr);
  ASSERT_TRUE(x->clicks);
  EXPECT_EQ(x->clicks->load(), 7);
  x->clicks->fetch_add(1);
  r.destination = "https://b.example/";
  table.Apply({r}, nullptr, seed);
  EXPECT_EQ(seeds, 1);
  EXPECT_EQ(table.Current()->Find("cap")->extras()->clicks->load(), 8);
}

TEST(LinkTableTest, ReaderSeesNewSnapshotAndOldOneStaysValid) {
  LinkTable table;
  table.Apply({Row(1, "a", "https://a.example/")});
  LinkTable::Reader reader(&table);
  auto held = table.Current();
  EXPECT_NE(reader.Get().Find("a"), nullptr);
  table.Apply({Row(1, "a", "", true)});
  EXPECT_EQ(reader.Get().Find("a"), nullptr);
  EXPECT_NE(held->Find("a"), nullptr);  // an old snapshot is immutable
}

}  // namespace
}  // namespace ct::edge
