// Link features on the SQLite store: the v2 -> v3 migration, custom domains, tags, groups,
// CreateLinks atomicity, the options column and the edge's change feed for domains.
#include "store/link_options_json.h"
#include "store/sqlite/db.h"
#include "store/sqlite/schema.h"
#include "store_fixture.h"

namespace ct::testing_store {
namespace {

LinkOptions FullOptions() {
  LinkOptions o;
  o.rotation = {{"https://a.example/", 3}, {"https://b.example/{click_id}", 1}};
  o.rules = {{{"US", "CA"}, {"mobile"}, {"ios"}, {"en"}, "https://us.example/"},
             {{}, {}, {"android"}, {}, "https://play.example/"}};
  o.expires_at_us = kDay0 + kDayUs;
  o.max_clicks = 100;
  o.fallback_url = "https://fallback.example/";
  o.password_hash = "pbkdf2-sha256$1000$c2FsdA$aGFzaA";
  o.forward_query = true;
  o.utm = {"news", "email", "spring", "", "hero"};
  return o;
}

void ExpectSameOptions(const LinkOptions& a, const LinkOptions& b) {
  EXPECT_EQ(EncodeLinkOptions(a), EncodeLinkOptions(b));
  ASSERT_EQ(a.rotation.size(), b.rotation.size());
  ASSERT_EQ(a.rules.size(), b.rules.size());
  EXPECT_EQ(a.rules[0].countries, b.rules[0].countries);
  EXPECT_EQ(a.utm.content, b.utm.content);
  EXPECT_EQ(a.password_hash, b.password_hash);
}

NewLink Make(int64_t account, std::string slug, std::string domain = "",
             std::vector<std::string> tags = {}, std::string group = "") {
  NewLink l;
  l.account_id = account;
  l.slug = std::move(slug);
  l.destination = "https://example.com/" + l.slug;
  l.domain = std::move(domain);
  l.tags = std::move(tags);
  l.group = std::move(group);
  return l;
}

TEST(LinkOptionsJson, RoundTripAndDefaults) {
  LinkOptions o = FullOptions();
  Result<LinkOptions> back = DecodeLinkOptions(EncodeLinkOptions(o));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameOptions(o, *back);
  EXPECT_EQ(EncodeLinkOptions(LinkOptions{}), "{}");
  EXPECT_TRUE(DecodeLinkOptions("").ok());
  EXPECT_TRUE(DecodeLinkOptions("{}").ok());
  EXPECT_EQ(DecodeLinkOptions("[").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeLinkOptions(R"({"nope":1})").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeLinkOptions(R"({"max_clicks":"x"})").status().code(), StatusCode::kCorruption);
}

TEST_F(StoreTest, MigratesAVersion2FileAndItsLinksKeepWorking) {
  // Replace the fixture's fresh file with one written by the v2 schema.
  store_.reset();
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  {
    auto db = sqlite::Db::Open(path_, {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE(sqlite::MigrateTo(db->get(), 2).ok());
    ASSERT_TRUE((*db)
                    ->Exec(R"sql(
      INSERT INTO accounts (id, name, created_at) VALUES (1, 'old', 1);
      INSERT INTO links (id, account_id, slug, destination, created_at, updated_at, version)
        VALUES (1, 1, 'spring', 'https://example.com/spring', 1, 1, 1),
               (2, 1, 'gone', 'https://example.com/gone', 1, 2, 2);
      UPDATE links SET deleted_at = 2 WHERE id = 2;
      INSERT INTO slug_history (slug, link_id) VALUES ('spring', 1), ('gone', 2), ('old-name', 1);
    )sql")
                    .ok());
  }
  store_ = Open();
  ASSERT_NE(store_, nullptr);
  auto got = store_->GetLink(1, 1);
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status().ToString();
  EXPECT_EQ((*got)->slug, "spring");
  EXPECT_EQ((*got)->domain, "");
  EXPECT_TRUE((*got)->tags.empty());
  EXPECT_EQ(EncodeLinkOptions((*got)->options), "{}");
  // Old and deleted slugs stay reserved on the default domain.
  EXPECT_EQ(store_->CreateLink(Make(1, "gone")).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreateLink(Make(1, "old-name")).status().code(), StatusCode::kAlreadyExists);
  // Versions continue from the old ones; the change feed sees everything.
  auto created = store_->CreateLink(Make(1, "fresh", "", {"b", "a", "b"}));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->version, 3);
  EXPECT_EQ(created->tags, (std::vector<std::string>{"a", "b"}));
  auto changes = store_->LinksChangedSince(0);
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(changes->links.size(), 3u);
  EXPECT_TRUE(changes->domains_changed);
  EXPECT_EQ(changes->max_version, 3);
}

TEST_F(StoreTest, OptionsTitleGroupTagsRoundTrip) {
  int64_t a = Account("acme");
  NewLink l = Make(a, "full", "", {"spring", "email", "spring"}, "launch");
  l.title = "Spring sale \xE2\x80\x94 50%";
  l.options = FullOptions();
  auto created = store_->CreateLink(l);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto got = store_->GetLink(a, created->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->title, l.title);
  EXPECT_EQ((*got)->group, "launch");
  EXPECT_EQ((*got)->tags, (std::vector<std::string>{"email", "spring"}));
  ExpectSameOptions((*got)->options, l.options);

  LinkUpdate up;
  up.tags = std::vector<std::string>{"z"};
  up.options = LinkOptions{};
  up.title = "";
  auto updated = store_->UpdateLink(a, created->id, up);
  ASSERT_TRUE(updated.ok() && updated->has_value());
  got = store_->GetLink(a, created->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->tags, (std::vector<std::string>{"z"}));
  EXPECT_EQ((*got)->title, "");
  EXPECT_EQ((*got)->group, "launch");
  EXPECT_EQ(EncodeLinkOptions((*got)->options), "{}");
}

TEST_F(StoreTest, ListFiltersByTagGroupAndDomain) {
  int64_t a = Account("acme");
  ASSERT_TRUE(store_->CreateDomain(a, "go.acme.test").ok());
  ASSERT_TRUE(store_->CreateLink(Make(a, "one", "", {"x", "y"}, "g1")).ok());
  ASSERT_TRUE(store_->CreateLink(Make(a, "two", "", {"y"}, "g2")).ok());
  ASSERT_TRUE(store_->CreateLink(Make(a, "three", "go.acme.test", {"x"}, "g1")).ok());
  auto slugs = [&](LinkFilter f) {
    std::vector<std::string> out;
    auto page = store_->ListLinks(a, f, 0, 100);
    EXPECT_TRUE(page.ok());
    if (page.ok()) {
      for (const auto& l : page->links) out.push_back(l.slug);
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(slugs({.tag = "x", .group = "", .domain = std::nullopt}), (V{"one", "three"}));
  EXPECT_EQ(slugs({.tag = "y", .group = "", .domain = std::nullopt}), (V{"one", "two"}));
  EXPECT_EQ(slugs({.tag = "", .group = "g1", .domain = std::nullopt}), (V{"one", "three"}));
  EXPECT_EQ(slugs({.tag = "", .group = "", .domain = std::string("")}), (V{"one", "two"}));
  EXPECT_EQ(slugs({.tag = "", .group = "", .domain = std::string("go.acme.test")}), (V{"three"}));
  EXPECT_EQ(slugs({.tag = "x", .group = "g1", .domain = std::string("")}), (V{"one"}));
  EXPECT_EQ(slugs({.tag = "nope", .group = "", .domain = std::nullopt}), V{});
  // Pagination still works under a filter.
  auto page = store_->ListLinks(a, {.tag = "x", .group = "", .domain = std::nullopt}, 0, 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->links.size(), 1u);
  ASSERT_TRUE(page->next_after_id.has_value());
  page = store_->ListLinks(a, {.tag = "x", .group = "", .domain = std::nullopt},
                           *page->next_after_id, 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->links.size(), 1u);
  EXPECT_EQ(page->links[0].slug, "three");
  EXPECT_FALSE(page->next_after_id.has_value());
}

TEST_F(StoreTest, CreateLinksIsAllOrNothingAndNamesTheIndex) {
  int64_t a = Account("acme");
  ASSERT_TRUE(store_->CreateLink(Make(a, "taken")).ok());
  auto failed = store_->CreateLinks({Make(a, "b1"), Make(a, "b2"), Make(a, "taken")});
  EXPECT_EQ(failed.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(failed.status().message(), "links[2]: slug taken");
  // Nothing of the batch remains: b1 is still free.
  auto page = store_->ListLinks(a, {}, 0, 100);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->links.size(), 1u);
  // A duplicate inside the batch fails it too.
  failed = store_->CreateLinks({Make(a, "d"), Make(a, "d")});
  EXPECT_EQ(failed.status().message(), "links[1]: slug taken");
  // A domain that is not the account's: kInvalidArgument naming the index.
  failed = store_->CreateLinks({Make(a, "e"), Make(a, "f", "other.test")});
  EXPECT_EQ(failed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(failed.status().message().rfind("links[1]: ", 0), 0u);

  auto ok = store_->CreateLinks({Make(a, "b1", "", {"t"}), Make(a, "b2")});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_LT((*ok)[0].version, (*ok)[1].version);
  EXPECT_EQ((*ok)[0].tags, std::vector<std::string>{"t"});
}

TEST_F(StoreTest, DomainsAreOwnedByOneAccountAndScopeSlugs) {
  int64_t a = Account("acme");
  int64_t b = Account("bravo");
  auto d = store_->CreateDomain(a, "go.acme.test");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(store_->CreateDomain(b, "go.acme.test").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreateDomain(a, "go.acme.test").status().code(), StatusCode::kAlreadyExists);
  auto list_b = store_->ListDomains(b);
  ASSERT_TRUE(list_b.ok());
  EXPECT_TRUE(list_b->empty());
  auto list_a = store_->ListDomains(a);
  ASSERT_TRUE(list_a.ok());
  ASSERT_EQ(list_a->size(), 1u);
  EXPECT_EQ((*list_a)[0].host, "go.acme.test");

  // Another account cannot put links on it, nor delete it.
  EXPECT_EQ(store_->CreateLink(Make(b, "x", "go.acme.test")).status().code(),
            StatusCode::kInvalidArgument);
  auto del = store_->DeleteDomain(b, d->id);
  ASSERT_TRUE(del.ok());
  EXPECT_FALSE(*del);

  // The same slug on the default domain and on the custom one are different links.
  ASSERT_TRUE(store_->CreateLink(Make(b, "same")).ok());
  auto custom = store_->CreateLink(Make(a, "same", "go.acme.test"));
  ASSERT_TRUE(custom.ok()) << custom.status().ToString();
  EXPECT_EQ(store_->CreateLink(Make(a, "same", "go.acme.test")).status().code(),
            StatusCode::kAlreadyExists);

  // Live links keep the domain.
  EXPECT_EQ(store_->DeleteDomain(a, d->id).status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_->DeleteLink(a, custom->id).ok());
  del = store_->DeleteDomain(a, d->id);
  ASSERT_TRUE(del.ok() && *del);
  list_a = store_->ListDomains(a);
  ASSERT_TRUE(list_a.ok());
  EXPECT_TRUE(list_a->empty());
  // Released: another account may register it now.
  EXPECT_TRUE(store_->CreateDomain(b, "go.acme.test").ok());
}

TEST_F(StoreTest, ChangeFeedCarriesDomainsWhenTheyChange) {
  int64_t a = Account("acme");
  auto first = store_->LinksChangedSince(0);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->domains_changed);
  EXPECT_TRUE(first->domains.empty());

  auto d = store_->CreateDomain(a, "go.acme.test");
  ASSERT_TRUE(d.ok());
  auto after_create = store_->LinksChangedSince(first->max_version);
  ASSERT_TRUE(after_create.ok());
  EXPECT_TRUE(after_create->domains_changed);
  ASSERT_EQ(after_create->domains.size(), 1u);
  EXPECT_EQ(after_create->domains[0].host, "go.acme.test");
  EXPECT_EQ(after_create->domains[0].account_id, a);
  EXPECT_GT(after_create->max_version, first->max_version);

  ASSERT_TRUE(store_->CreateLink(Make(a, "l", "go.acme.test")).ok());
  auto after_link = store_->LinksChangedSince(after_create->max_version);
  ASSERT_TRUE(after_link.ok());
  EXPECT_FALSE(after_link->domains_changed);
  EXPECT_TRUE(after_link->domains.empty());
  ASSERT_EQ(after_link->links.size(), 1u);
  EXPECT_EQ(after_link->links[0].domain, "go.acme.test");

  auto unchanged = store_->LinksChangedSince(after_link->max_version);
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(unchanged->max_version, after_link->max_version);
  EXPECT_FALSE(unchanged->domains_changed);

  ASSERT_TRUE(store_->DeleteLink(a, after_link->links[0].id).ok());
  ASSERT_TRUE(store_->DeleteDomain(a, d->id).ok());
  auto after_delete = store_->LinksChangedSince(after_link->max_version);
  ASSERT_TRUE(after_delete.ok());
  EXPECT_TRUE(after_delete->domains_changed);
  EXPECT_TRUE(after_delete->domains.empty());  // the live set is now empty
  EXPECT_EQ(after_delete->links.size(), 1u);
}

}  // namespace
}  // namespace ct::testing_store
