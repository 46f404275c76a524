#include "edge/link_table.h"

#include <gtest/gtest.h>

namespace ct::edge {
namespace {

LinkRow Row(int64_t id, std::string slug, std::string dest, bool deleted = false) {
  LinkRow r;
  r.id = id;
  r.account_id = 100 + id;
  r.slug = std::move(slug);
  r.destination = std::move(dest);
  r.deleted = deleted;
  return r;
}

TEST(LinkTableTest, ApplyUpsertsAndDeletes) {
  LinkTable table;
  EXPECT_EQ(table.Size(), 0u);
  EXPECT_FALSE(table.loaded());
  table.Apply({Row(1, "a", "https://a.example/"), Row(2, "b", "https://b.example/")});
  EXPECT_EQ(table.Size(), 2u);
  const LinkTarget* a = table.Current()->Find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->link_id, 1);
  EXPECT_EQ(a->account_id, 101);
  EXPECT_EQ(a->response_head,
            "HTTP/1.1 302 Found\r\nLocation: https://a.example/\r\nCache-Control: no-store\r\n"
            "Content-Length: 0\r\n");
  EXPECT_EQ(table.Current()->Find("A"), nullptr);  // case-sensitive

  table.Apply({Row(1, "a", "https://new.example/"), Row(2, "b", "", true)});
  EXPECT_EQ(table.Current()->Find("a")->destination, "https://new.example/");
  EXPECT_EQ(table.Current()->Find("b"), nullptr);
  EXPECT_EQ(table.Size(), 1u);
}

TEST(LinkTableTest, SlugChangeDropsOldSlug) {
  LinkTable table;
  table.Apply({Row(1, "old", "https://a.example/")});
  table.Apply({Row(1, "new", "https://a.example/")});
  EXPECT_EQ(table.Current()->Find("old"), nullptr);
  ASSERT_NE(table.Current()->Find("new"), nullptr);
}

TEST(LinkTableTest, UnsafeDestinationSkipped) {
  LinkTable table;
  EXPECT_EQ(table.Apply({Row(1, "x", "https://a.example/\r\nSet-Cookie: a=b")}), 1u);
  EXPECT_EQ(table.Current()->Find("x"), nullptr);
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
