// Postbacks on the SQLite store: CRUD, tenancy, the disabled flag set and cleared by the API.
#include "store_fixture.h"

namespace ct::testing_store {
namespace {

NewPostback Postback(int64_t account_id, const std::string& name) {
  NewPostback p;
  p.account_id = account_id;
  p.name = name;
  p.url_template = "https://hooks.example/" + name + "?cid={click_id}";
  p.secret = "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";
  return p;
}

TEST_F(StoreTest, PostbackCrud) {
  int64_t a = Account("acme");
  NewPostback p = Postback(a, "crm");
  p.method = "POST";
  p.events = kPostbackOnConversion | kPostbackOnClick;
  p.goal_ids = {7, 3};
  p.attributed_only = false;
  Result<PostbackRow> created = store_->CreatePostback(p);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_GT(created->id, 0);

  Result<std::optional<PostbackRow>> got = store_->GetPostback(a, created->id);
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status().ToString();
  const PostbackRow& row = **got;
  EXPECT_EQ(row.account_id, a);
  EXPECT_EQ(row.name, "crm");
  EXPECT_EQ(row.url_template, p.url_template);
  EXPECT_EQ(row.method, "POST");
  EXPECT_EQ(row.events, kPostbackOnConversion | kPostbackOnClick);
  EXPECT_EQ(row.goal_ids, (std::vector<int64_t>{7, 3}));
  EXPECT_FALSE(row.attributed_only);
  EXPECT_EQ(row.secret, p.secret);
  EXPECT_FALSE(row.disabled);
  EXPECT_EQ(row.created_at_us, clock_.NowMicros());

  clock_.Advance(std::chrono::seconds(2));
  PostbackUpdate u;
  u.goal_ids = std::vector<int64_t>{};
  u.secret = "whsec_bmV3bmV3bmV3bmV3bmV3bmV3bmV3bmV3";
  u.events = static_cast<uint32_t>(kPostbackOnImpression);
  Result<std::optional<PostbackRow>> updated = store_->UpdatePostback(a, created->id, u);
  ASSERT_TRUE(updated.ok() && updated->has_value());
  EXPECT_EQ((*updated)->updated_at_us, clock_.NowMicros());
  got = store_->GetPostback(a, created->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_TRUE((*got)->goal_ids.empty());
  EXPECT_EQ((*got)->secret, "whsec_bmV3bmV3bmV3bmV3bmV3bmV3bmV3bmV3");
  EXPECT_EQ((*got)->events, static_cast<uint32_t>(kPostbackOnImpression));
  EXPECT_EQ((*got)->name, "crm");  // untouched

  Result<std::vector<PostbackRow>> list = store_->ListPostbacks(a);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);

  Result<bool> deleted = store_->DeletePostback(a, created->id);
  ASSERT_TRUE(deleted.ok() && *deleted);
  deleted = store_->DeletePostback(a, created->id);
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(*deleted);
  got = store_->GetPostback(a, created->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_TRUE((*got)->deleted);
  updated = store_->UpdatePostback(a, created->id, u);
  ASSERT_TRUE(updated.ok());
  EXPECT_FALSE(updated->has_value());
  list = store_->ListPostbacks(a);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST_F(StoreTest, PostbackDisabledByTheApiAndEnabledAgain) {
  int64_t a = Account("acme");
  Result<PostbackRow> p = store_->CreatePostback(Postback(a, "crm"));
  ASSERT_TRUE(p.ok());
  clock_.Advance(std::chrono::seconds(1));
  const int64_t disabled_at = clock_.NowMicros();
  PostbackUpdate off;
  off.disabled = true;
  ASSERT_TRUE(store_->UpdatePostback(a, p->id, off).ok());
  Result<std::optional<PostbackRow>> got = store_->GetPostback(a, p->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_TRUE((*got)->disabled);
  EXPECT_EQ((*got)->disabled_at_us, disabled_at);
  EXPECT_EQ((*got)->disabled_reason, "disabled by the API");

  // Disabling again keeps the first time.
  clock_.Advance(std::chrono::seconds(1));
  ASSERT_TRUE(store_->UpdatePostback(a, p->id, off).ok());
  got = store_->GetPostback(a, p->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->disabled_at_us, disabled_at);

  PostbackUpdate on;
  on.disabled = false;
  ASSERT_TRUE(store_->UpdatePostback(a, p->id, on).ok());
  got = store_->GetPostback(a, p->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_FALSE((*got)->disabled);
  EXPECT_EQ((*got)->disabled_at_us, 0);
  EXPECT_EQ((*got)->disabled_reason, "");
}

TEST_F(StoreTest, PostbacksOfAnotherAccountReadAsMissing) {
  int64_t a = Account("acme");
  int64_t b = Account("beta");
  Result<PostbackRow> p = store_->CreatePostback(Postback(a, "crm"));
  ASSERT_TRUE(p.ok());
  Result<std::optional<PostbackRow>> got = store_->GetPostback(b, p->id);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  PostbackUpdate u;
  u.url_template = "https://evil.example/";
  Result<std::optional<PostbackRow>> updated = store_->UpdatePostback(b, p->id, u);
  ASSERT_TRUE(updated.ok());
  EXPECT_FALSE(updated->has_value());
  Result<bool> deleted = store_->DeletePostback(b, p->id);
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(*deleted);
  Result<std::vector<PostbackRow>> list = store_->ListPostbacks(b);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
  got = store_->GetPostback(a, p->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->url_template, p->url_template);
  EXPECT_FALSE((*got)->deleted);
}

}  // namespace
}  // namespace ct::testing_store
