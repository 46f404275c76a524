// Accounts, API keys and links on the SQLite store: CRUD, tenancy, slug rules, pagination and
// the edge's change feed.
#include <set>

#include "store/sqlite/db.h"
#include "store_fixture.h"

namespace ct::testing_store {
namespace {

TEST_F(StoreTest, AccountAndKeyLookup) {
  int64_t a = Account("acme");
  Result<std::optional<ApiKeyInfo>> key = store_->FindApiKey("hash-acme");
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(key->has_value());
  EXPECT_EQ((*key)->account_id, a);
  EXPECT_FALSE((*key)->revoked);

  Result<std::optional<ApiKeyInfo>> missing = store_->FindApiKey("no-such-hash");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  // The Store has no revoke call yet; revoke the way an operator tool would, in SQL.
  {
    auto db = sqlite::Db::Open(path_, {});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(
        (*db)->Exec("UPDATE api_keys SET revoked_at = 1 WHERE key_hash = 'hash-acme'").ok());
  }
  key = store_->FindApiKey("hash-acme");
  ASSERT_TRUE(key.ok() && key->has_value());
  EXPECT_TRUE((*key)->revoked);
}

TEST_F(StoreTest, DuplicateAccountNameOrKeyIsAlreadyExists) {
  Account("acme");
  EXPECT_EQ(store_->CreateAccount({"acme", "other-hash", "othe"}).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreateAccount({"other", "hash-acme", "hash"}).status().code(),
            StatusCode::kAlreadyExists);
  // The failed account insert rolled back with its key: "other" can still be created.
  EXPECT_TRUE(store_->CreateAccount({"other", "hash-other", "hash"}).ok());
}

TEST_F(StoreTest, LinkCrud) {
  int64_t a = Account("acme");
  LinkRow created = Link(a, "spring");
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.created_at_us, clock_.NowMicros());
  EXPECT_FALSE(created.deleted);

  Result<std::optional<LinkRow>> got = store_->GetLink(a, created.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->slug, "spring");
  EXPECT_EQ((*got)->destination, "https://example.com/spring");
  EXPECT_EQ((*got)->version, created.version);

  clock_.Advance(std::chrono::seconds(5));
  Result<std::optional<LinkRow>> updated =
      store_->UpdateLink(a, created.id, {std::nullopt, "https://example.com/new"});
  ASSERT_TRUE(updated.ok() && updated->has_value());
  EXPECT_EQ((*updated)->slug, "spring");
  EXPECT_EQ((*updated)->destination, "https://example.com/new");
  EXPECT_GT((*updated)->version, created.version);
  EXPECT_EQ((*updated)->updated_at_us, clock_.NowMicros());
  EXPECT_EQ((*updated)->created_at_us, created.created_at_us);
  got = store_->GetLink(a, created.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->destination, "https://example.com/new");

  Result<bool> deleted = store_->DeleteLink(a, created.id);
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(*deleted);
  deleted = store_->DeleteLink(a, created.id);  // already deleted
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(*deleted);
  got = store_->GetLink(a, created.id);  // deleted links still read, marked
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_TRUE((*got)->deleted);
  Result<std::optional<LinkRow>> upd = store_->UpdateLink(a, created.id, {"x", std::nullopt});
  ASSERT_TRUE(upd.ok());
  EXPECT_FALSE(upd->has_value());
}

TEST_F(StoreTest, AnotherAccountsLinkLooksMissing) {
  int64_t a = Account("acme");
  int64_t b = Account("globex");
  LinkRow link = Link(a, "mine");

  Result<std::optional<LinkRow>> got = store_->GetLink(b, link.id);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  Result<std::optional<LinkRow>> upd = store_->UpdateLink(b, link.id, {"stolen", "https://x/"});
  ASSERT_TRUE(upd.ok());
  EXPECT_FALSE(upd->has_value());
  Result<bool> del = store_->DeleteLink(b, link.id);
  ASSERT_TRUE(del.ok());
  EXPECT_FALSE(*del);
  Result<LinkPage> page = store_->ListLinks(b, {}, 0, 100);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->links.empty());
  Result<std::optional<LinkStats>> stats =
      store_->GetLinkStats({.account_id = b, .link_id = link.id, .to_us = kDay0 * 2});
  ASSERT_TRUE(stats.ok());
  EXPECT_FALSE(stats->has_value());
  // Nothing b tried changed a's link.
  got = store_->GetLink(a, link.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->slug, "mine");
  EXPECT_FALSE((*got)->deleted);
  EXPECT_EQ((*got)->version, link.version);
}

TEST_F(StoreTest, SlugsAreUniqueAcrossAccountsAndNeverReused) {
  int64_t a = Account("acme");
  int64_t b = Account("globex");
  LinkRow link = Link(a, "taken");
  EXPECT_EQ(store_->CreateLink({.account_id = b, .slug = "taken", .destination = "https://x/"})
                .status()
                .code(),
            StatusCode::kAlreadyExists);
  ASSERT_TRUE(store_->DeleteLink(a, link.id).ok());
  EXPECT_EQ(store_->CreateLink({.account_id = a, .slug = "taken", .destination = "https://x/"})
                .status()
                .code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreateLink({.account_id = b, .slug = "taken", .destination = "https://x/"})
                .status()
                .code(),
            StatusCode::kAlreadyExists);

  LinkRow other = Link(a, "other");
  Result<std::optional<LinkRow>> renamed = store_->UpdateLink(a, other.id, {"taken", std::nullopt});
  EXPECT_EQ(renamed.status().code(), StatusCode::kAlreadyExists);
  Result<std::optional<LinkRow>> got = store_->GetLink(a, other.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->slug, "other");
  EXPECT_EQ((*got)->version, other.version);

  // A rename keeps the old slug reserved: printed links never change owner...
  renamed = store_->UpdateLink(a, other.id, {"fresh", std::nullopt});
  ASSERT_TRUE(renamed.ok() && renamed->has_value());
  EXPECT_EQ((*renamed)->slug, "fresh");
  EXPECT_EQ(store_->CreateLink({.account_id = b, .slug = "other", .destination = "https://x/"})
                .status()
                .code(),
            StatusCode::kAlreadyExists);
  // ...but the link itself may take its old slug back.
  renamed = store_->UpdateLink(a, other.id, {"other", std::nullopt});
  ASSERT_TRUE(renamed.ok() && renamed->has_value()) << renamed.status().ToString();
  EXPECT_EQ((*renamed)->slug, "other");
}

TEST_F(StoreTest, PaginationVisitsEveryLiveLinkOnce) {
  int64_t a = Account("acme");
  int64_t b = Account("globex");
  std::set<int64_t> expected;
  for (int i = 0; i < 23; ++i) {
    LinkRow row = Link(a, "a" + std::to_string(i));
    Link(b, "b" + std::to_string(i));  // interleaved rows of another account
    if (i % 5 == 0) {
      ASSERT_TRUE(store_->DeleteLink(a, row.id).ok());
    } else {
      expected.insert(row.id);
    }
  }
  std::set<int64_t> seen;
  int64_t after = 0;
  int pages = 0;
  for (;;) {
    Result<LinkPage> page = store_->ListLinks(a, {}, after, 4);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ASSERT_LE(page->links.size(), 4u);
    ++pages;
    for (const LinkRow& row : page->links) {
      EXPECT_EQ(row.account_id, a);
      EXPECT_FALSE(row.deleted);
      EXPECT_GT(row.id, after);
      EXPECT_TRUE(seen.insert(row.id).second) << "seen twice: " << row.id;
    }
    if (!page->next_after_id) break;
    EXPECT_EQ(*page->next_after_id, page->links.back().id);
    after = *page->next_after_id;
    ASSERT_LT(pages, 100);
  }
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(pages, 5);  // 18 live links, 4 per page; the last page has 2 and no next
}

TEST_F(StoreTest, LinksChangedSinceLoadsAllThenIncrements) {
  int64_t a = Account("acme");
  LinkRow l1 = Link(a, "one");
  LinkRow l2 = Link(a, "two");
  Result<LinkChanges> all = store_->LinksChangedSince(0);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->links.size(), 2u);
  EXPECT_EQ(all->max_version, l2.version);

  Result<LinkChanges> none = store_->LinksChangedSince(all->max_version);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->links.empty());
  EXPECT_EQ(none->max_version, all->max_version);

  ASSERT_TRUE(store_->UpdateLink(a, l1.id, {std::nullopt, "https://example.com/v2"}).ok());
  ASSERT_TRUE(store_->DeleteLink(a, l2.id).ok());
  LinkRow l3 = Link(a, "three");
  Result<LinkChanges> inc = store_->LinksChangedSince(all->max_version);
  ASSERT_TRUE(inc.ok());
  ASSERT_EQ(inc->links.size(), 3u);
  EXPECT_EQ(inc->links[0].id, l1.id);
  EXPECT_EQ(inc->links[0].destination, "https://example.com/v2");
  EXPECT_EQ(inc->links[1].id, l2.id);
  EXPECT_TRUE(inc->links[1].deleted);
  EXPECT_EQ(inc->links[2].id, l3.id);
  EXPECT_EQ(inc->max_version, l3.version);
  EXPECT_LT(inc->links[0].version, inc->links[1].version);
}

}  // namespace
}  // namespace ct::testing_store
