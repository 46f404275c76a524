// Postbacks on the PostgreSQL store: the SQLite store's cases (tests/unit/store/
// sqlite_postbacks_test.cc: CRUD, tenancy, the disabled flag set and cleared by the API), plus
// what several processes on one database add: updates from two stores that touch different
// fields lose neither, and a receiver's 410 recorded by a notifier is not undone by an API
// update of the same postback.
#include <future>

#include "pg_fixture.h"

namespace ct::testing_pg {
namespace {

class PgPostbacksTest : public PgStoreTest {};

NewPostback Postback(int64_t account_id, const std::string& name) {
  NewPostback p;
  p.account_id = account_id;
  p.name = name;
  p.url_template = "https://hooks.example/" + name + "?cid={click_id}";
  p.secret = "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";
  return p;
}

TEST_F(PgPostbacksTest, Crud) {
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
  EXPECT_EQ(row.disabled_at_us, 0);
  EXPECT_EQ(row.created_at_us, clock_.NowMicros());
  EXPECT_FALSE(row.deleted);

  clock_.Advance(std::chrono::seconds(2));
  PostbackUpdate u;
  u.goal_ids = std::vector<int64_t>{};
  u.secret = "whsec_bmV3bmV3bmV3bmV3bmV3bmV3bmV3bmV3";
  u.events = static_cast<uint32_t>(kPostbackOnImpression);
  Result<std::optional<PostbackRow>> updated = store_->UpdatePostback(a, created->id, u);
  ASSERT_TRUE(updated.ok() && updated->has_value()) << updated.status().ToString();
  EXPECT_EQ((*updated)->updated_at_us, clock_.NowMicros());
  got = store_->GetPostback(a, created->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_TRUE((*got)->goal_ids.empty());
  EXPECT_EQ((*got)->secret, "whsec_bmV3bmV3bmV3bmV3bmV3bmV3bmV3bmV3");
  EXPECT_EQ((*got)->events, static_cast<uint32_t>(kPostbackOnImpression));
  EXPECT_EQ((*got)->name, "crm");  // untouched
  EXPECT_EQ((*got)->updated_at_us, clock_.NowMicros());

  Result<std::vector<PostbackRow>> list = store_->ListPostbacks(a);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);

  Result<bool> deleted = store_->DeletePostback(a, created->id);
  ASSERT_TRUE(deleted.ok() && *deleted) << deleted.status().ToString();
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

TEST_F(PgPostbacksTest, ListIsLiveAscendingId) {
  int64_t a = Account("acme");
  Result<PostbackRow> p1 = store_->CreatePostback(Postback(a, "one"));
  Result<PostbackRow> p2 = store_->CreatePostback(Postback(a, "two"));
  Result<PostbackRow> p3 = store_->CreatePostback(Postback(a, "three"));
  ASSERT_TRUE(p1.ok() && p2.ok() && p3.ok());
  ASSERT_TRUE(store_->DeletePostback(a, p2->id).ok());
  Result<std::vector<PostbackRow>> list = store_->ListPostbacks(a);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "one");
  EXPECT_EQ((*list)[1].name, "three");
}

TEST_F(PgPostbacksTest, DisabledByTheApiAndEnabledAgain) {
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
  EXPECT_EQ(Int("SELECT COUNT(*) FROM postbacks WHERE disabled_at IS NULL"), 1);  // NULL, not 0
}

TEST_F(PgPostbacksTest, PostbacksOfAnotherAccountReadAsMissing) {
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

// Two API processes update different fields of one postback at once: each update rewrites the
// whole row from what it read, so without the row lock one would write back the other's old
// value. Both fields end at their last value.
TEST_F(PgPostbacksTest, ConcurrentUpdatesFromTwoStoresLoseNoField) {
  std::unique_ptr<Store> other = Open();
  ASSERT_NE(other, nullptr);
  const int64_t a = Account("acme");
  Result<PostbackRow> p = store_->CreatePostback(Postback(a, "crm"));
  ASSERT_TRUE(p.ok());
  constexpr int kRounds = 40;
  auto updater = [&](Store* s, bool names) {
    int errors = 0;
    for (int i = 0; i < kRounds; ++i) {
      PostbackUpdate u;
      if (names) {
        u.name = "name " + std::to_string(i);
      } else {
        u.url_template = "https://hooks.example/" + std::to_string(i);
      }
      if (!s->UpdatePostback(a, p->id, u).ok()) ++errors;
    }
    return errors;
  };
  std::future<int> f1 = std::async(std::launch::async, updater, store_.get(), true);
  std::future<int> f2 = std::async(std::launch::async, updater, other.get(), false);
  EXPECT_EQ(f1.get(), 0);
  EXPECT_EQ(f2.get(), 0);
  Result<std::optional<PostbackRow>> got = store_->GetPostback(a, p->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->name, "name " + std::to_string(kRounds - 1));
  EXPECT_EQ((*got)->url_template, "https://hooks.example/" + std::to_string(kRounds - 1));
}

// A notifier records a receiver's 410 (disabling the postback) while the API renames it: the
// rename never writes back the "enabled" it read before the 410.
TEST_F(PgPostbacksTest, AnApiUpdateDoesNotUndoAReceiversGone) {
  std::unique_ptr<Store> notifier = Open();
  ASSERT_NE(notifier, nullptr);
  const int64_t a = Account("acme");
  Result<PostbackRow> p = store_->CreatePostback(Postback(a, "crm"));
  ASSERT_TRUE(p.ok());
  Sql("INSERT INTO outbox (id, account_id, postback_id, event_id, event_kind, event_time_us, "
      "method, url, body, state, created_at, next_attempt_us) VALUES ('msg_d1', " +
      std::to_string(a) + ", " + std::to_string(p->id) +
      ", '\\x00112233445566778899aabbccddeeff', 1, 1, 'GET', 'https://r.test/', '', 0, 1, 1)");
  constexpr int kRounds = 30;
  std::future<int> renames = std::async(std::launch::async, [&] {
    int errors = 0;
    for (int i = 0; i < kRounds; ++i) {
      PostbackUpdate u;
      u.name = "crm " + std::to_string(i);
      if (!store_->UpdatePostback(a, p->id, u).ok()) ++errors;
    }
    return errors;
  });
  DeliveryOutcome gone;
  gone.attempt = {.delivery_id = "msg_d1", .started_at_us = 5, .http_status = 410};
  gone.state = DeliveryState::kPending;
  gone.next_attempt_us = 10;
  gone.disable_postback = true;
  gone.disable_reason = "receiver answered 410 Gone";
  ASSERT_TRUE(notifier->RecordDeliveryOutcome(gone).ok());
  EXPECT_EQ(renames.get(), 0);
  Result<std::optional<PostbackRow>> got = store_->GetPostback(a, p->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_TRUE((*got)->disabled);
  EXPECT_EQ((*got)->disabled_reason, "receiver answered 410 Gone");
  EXPECT_EQ((*got)->disabled_at_us, 5);
  EXPECT_EQ((*got)->name, "crm " + std::to_string(kRounds - 1));
}

}  // namespace
}  // namespace ct::testing_pg
