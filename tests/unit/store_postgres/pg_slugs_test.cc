// PostgresStore::FindSlugs, as the SQLite store answers it (store/sqlite/links.cc): a slug is
// free, the account's own live link, or taken (another account's link, a deleted link, an old
// slug of a renamed link), per domain, in the order asked.
#include "pg_fixture.h"

namespace ct::testing_pg {
namespace {

using State = SlugUse::State;

class PgSlugsTest : public PgStoreTest {};

TEST_F(PgSlugsTest, EachSlugIsFreeOwnOrTakenInTheOrderAsked) {
  const int64_t a = Account("acme"), b = Account("other");
  LinkRow mine = Link(a, "mine");
  Link(b, "theirs");
  LinkRow gone = Link(a, "gone");
  ASSERT_TRUE(*store_->DeleteLink(a, gone.id));
  LinkRow renamed = Link(a, "before");
  ASSERT_TRUE(store_->UpdateLink(a, renamed.id, {.slug = "after"})->has_value());
  ASSERT_TRUE(store_->CreateLink({.account_id = a, .slug = "pix", .kind = LinkKind::kPixel}).ok());

  auto uses = store_->FindSlugs(
      a, "", {"free", "mine", "theirs", "gone", "before", "after", "mine", "pix", "Mine"});
  ASSERT_TRUE(uses.ok()) << uses.status().ToString();
  ASSERT_EQ(uses->size(), 9u);
  const auto& u = *uses;
  EXPECT_EQ(u[0].state, State::kFree);
  EXPECT_FALSE(u[0].link.has_value());
  ASSERT_EQ(u[1].state, State::kOwnLink);
  ASSERT_TRUE(u[1].link.has_value());
  EXPECT_EQ(u[1].link->id, mine.id);
  EXPECT_EQ(u[1].link->destination, mine.destination);
  EXPECT_EQ(u[1].link->kind, LinkKind::kLink);
  EXPECT_EQ(u[2].state, State::kTaken);  // another account's: never described
  EXPECT_FALSE(u[2].link.has_value());
  EXPECT_EQ(u[3].state, State::kTaken);  // deleted: slugs are never reused
  EXPECT_EQ(u[4].state, State::kTaken);  // the old slug of a renamed link
  ASSERT_EQ(u[5].state, State::kOwnLink);
  EXPECT_EQ(u[5].link->id, renamed.id);
  EXPECT_EQ(u[5].link->slug, "after");
  ASSERT_EQ(u[6].state, State::kOwnLink);  // asked twice: answered twice
  EXPECT_EQ(u[6].link->id, mine.id);
  ASSERT_EQ(u[7].state, State::kOwnLink);
  EXPECT_EQ(u[7].link->kind, LinkKind::kPixel);
  EXPECT_EQ(u[8].state, State::kFree);  // slugs are case sensitive

  // Seen from the other account, its own link is its own and ours are taken.
  auto theirs = store_->FindSlugs(b, "", {"theirs", "mine"});
  ASSERT_TRUE(theirs.ok());
  EXPECT_EQ((*theirs)[0].state, State::kOwnLink);
  EXPECT_EQ((*theirs)[1].state, State::kTaken);
  EXPECT_FALSE((*theirs)[1].link.has_value());
  EXPECT_TRUE(store_->FindSlugs(a, "", {})->empty());
}

TEST_F(PgSlugsTest, SlugsArePerDomain) {
  const int64_t a = Account("acme");
  ASSERT_TRUE(store_->CreateDomain(a, "go.acme.test").ok());
  Link(a, "promo");
  auto on_domain = store_->CreateLink({.account_id = a,
                                       .slug = "only-here",
                                       .destination = "https://example.com/d",
                                       .domain = "go.acme.test",
                                       .tags = {"t"}});
  ASSERT_TRUE(on_domain.ok());
  auto d = store_->FindSlugs(a, "go.acme.test", {"promo", "only-here"});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ((*d)[0].state, State::kFree);
  ASSERT_EQ((*d)[1].state, State::kOwnLink);
  EXPECT_EQ((*d)[1].link->domain, "go.acme.test");
  EXPECT_EQ((*d)[1].link->tags, std::vector<std::string>{"t"});
  auto dflt = store_->FindSlugs(a, "", {"promo", "only-here"});
  EXPECT_EQ((*dflt)[0].state, State::kOwnLink);
  EXPECT_EQ((*dflt)[1].state, State::kFree);
}

TEST_F(PgSlugsTest, AnImportSizedListIsAnsweredInOrder) {
  const int64_t a = Account("acme");
  std::vector<NewLink> links;
  for (int i = 0; i < 500; ++i) {
    links.push_back({.account_id = a,
                     .slug = "s" + std::to_string(i * 2),
                     .destination = "https://example.com/" + std::to_string(i)});
  }
  ASSERT_TRUE(store_->CreateLinks(links).ok());
  std::vector<std::string> asked;
  for (int i = 0; i < 4096; ++i) asked.push_back("s" + std::to_string(i));
  auto uses = store_->FindSlugs(a, "", asked);
  ASSERT_TRUE(uses.ok()) << uses.status().ToString();
  ASSERT_EQ(uses->size(), asked.size());
  for (int i = 0; i < 4096; ++i) {
    const bool own = i % 2 == 0 && i < 1000;
    ASSERT_EQ((*uses)[i].state, own ? State::kOwnLink : State::kFree) << i;
    if (own) {
      ASSERT_EQ((*uses)[i].link->slug, asked[i]);
    }
  }
}

}  // namespace
}  // namespace ct::testing_pg
