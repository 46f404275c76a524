// SqliteStore: dashboard users, sessions, invitations and named API keys — tenancy, the
// last-owner rule, sliding idle expiry (fake clock), single-use invitations, revocation.
#include "store_fixture.h"

namespace ct::testing_store {
namespace {

constexpr int64_t kTtlUs = 2 * kHourUs;

class UsersStoreTest : public StoreTest {
 protected:
  int64_t Account(const std::string& name) {
    auto id = store_->CreateAccount({name, "hash-" + name, "ct_" + name});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }
  UserRow User(int64_t account, const std::string& email, const std::string& role) {
    auto u = store_->CreateUser({account, email, role, "argon2-hash-of-" + email});
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    return u.ok() ? *u : UserRow{};
  }
  bool SessionLive(const std::string& token_hash) {
    auto s = store_->FindSession(token_hash, kTtlUs);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() && s->has_value();
  }
};

TEST_F(UsersStoreTest, EmailsAreUniqueAcrossAccountsAndUsersAreScopedByAccount) {
  int64_t a = Account("a"), b = Account("b");
  UserRow u = User(a, "x@example.com", "owner");
  EXPECT_EQ(store_->CreateUser({b, "x@example.com", "owner", "h"}).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreateUser({999, "y@example.com", "owner", "h"}).status().code(),
            StatusCode::kNotFound);
  auto found = store_->FindUserByEmail("x@example.com");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, u.id);
  EXPECT_EQ((*found)->password_hash, "argon2-hash-of-x@example.com");
  // Another account's user reads like a missing one, and cannot be changed or deleted.
  EXPECT_FALSE(store_->GetUser(b, u.id)->has_value());
  EXPECT_FALSE(store_->SetUserRole(b, u.id, "viewer")->has_value());
  EXPECT_FALSE(*store_->DeleteUser(b, u.id));
  EXPECT_FALSE(*store_->SetUserPassword(b, u.id, "new", ""));
  EXPECT_TRUE(store_->ListUsers(b)->empty());
  ASSERT_EQ(store_->ListUsers(a)->size(), 1u);
}

TEST_F(UsersStoreTest, AnAccountKeepsItsLastOwner) {
  int64_t a = Account("a");
  UserRow owner = User(a, "o@example.com", "owner");
  UserRow editor = User(a, "e@example.com", "editor");
  EXPECT_EQ(store_->SetUserRole(a, owner.id, "editor").status().message(), "last_owner");
  EXPECT_EQ(store_->DeleteUser(a, owner.id).status().message(), "last_owner");
  // With a second owner, the first may go.
  ASSERT_TRUE(store_->SetUserRole(a, editor.id, "owner").ok());
  auto demoted = store_->SetUserRole(a, owner.id, "viewer");
  ASSERT_TRUE(demoted.ok() && demoted->has_value());
  EXPECT_EQ((*demoted)->role, "viewer");
  EXPECT_TRUE(*store_->DeleteUser(a, owner.id));
  EXPECT_EQ(store_->DeleteUser(a, editor.id).status().message(), "last_owner");
}

TEST_F(UsersStoreTest, SessionsExpireWhenIdleAndSlideWithUse) {
  int64_t a = Account("a");
  UserRow u = User(a, "o@example.com", "owner");
  ASSERT_TRUE(store_->CreateSession({"s1", u.id, "csrf1"}, kTtlUs).ok());
  auto s = store_->FindSession("s1", kTtlUs);
  ASSERT_TRUE(s.ok() && s->has_value());
  EXPECT_EQ((*s)->csrf_token, "csrf1");
  EXPECT_EQ((*s)->user.id, u.id);
  EXPECT_FALSE((*s)->touched);  // seen within the touch interval: no write
  // Used every 90 minutes, it outlives the 2-hour idle limit.
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(std::chrono::minutes(90));
    auto again = store_->FindSession("s1", kTtlUs);
    ASSERT_TRUE(again.ok() && again->has_value()) << i;
    EXPECT_TRUE((*again)->touched);
  }
  // Idle for the whole limit: gone, and deleted.
  clock_.Advance(std::chrono::hours(2));
  EXPECT_FALSE(SessionLive("s1"));
  clock_.SetWallMicros(clock_.NowMicros() - 3 * kHourUs);
  EXPECT_FALSE(SessionLive("s1"));
  EXPECT_FALSE(SessionLive("unknown"));
}

TEST_F(UsersStoreTest, RoleChangesReachLiveSessionsAndDeletingAUserEndsThem) {
  int64_t a = Account("a");
  User(a, "o@example.com", "owner");
  UserRow e = User(a, "e@example.com", "editor");
  ASSERT_TRUE(store_->CreateSession({"se", e.id, "c"}, kTtlUs).ok());
  ASSERT_TRUE(store_->SetUserRole(a, e.id, "viewer").ok());
  EXPECT_EQ((*store_->FindSession("se", kTtlUs))->user.role, "viewer");
  ASSERT_TRUE(*store_->DeleteUser(a, e.id));
  EXPECT_FALSE(SessionLive("se"));
}

TEST_F(UsersStoreTest, PasswordChangeEndsEveryOtherSessionOfTheUser) {
  int64_t a = Account("a");
  UserRow u = User(a, "o@example.com", "owner");
  UserRow v = User(a, "v@example.com", "viewer");
  for (const char* t : {"keep", "other1", "other2"}) {
    ASSERT_TRUE(store_->CreateSession({t, u.id, "c"}, kTtlUs).ok());
  }
  ASSERT_TRUE(store_->CreateSession({"someone-else", v.id, "c"}, kTtlUs).ok());
  ASSERT_TRUE(*store_->SetUserPassword(a, u.id, "new-hash", "keep"));
  EXPECT_TRUE(SessionLive("keep"));
  EXPECT_FALSE(SessionLive("other1"));
  EXPECT_FALSE(SessionLive("other2"));
  EXPECT_TRUE(SessionLive("someone-else"));
  EXPECT_EQ((*store_->FindUserByEmail("o@example.com"))->password_hash, "new-hash");
  ASSERT_TRUE(store_->DeleteSession("keep").ok());
  EXPECT_FALSE(SessionLive("keep"));
}

TEST_F(UsersStoreTest, AnInvitationIsAcceptedOnceBeforeItExpires) {
  int64_t a = Account("a"), b = Account("b");
  const int64_t now = clock_.NowMicros();
  auto inv = store_->CreateInvitation({a, "new@example.com", "editor", "tok", now + kDayUs});
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  ASSERT_TRUE(
      store_->CreateInvitation({a, "late@example.com", "viewer", "old", now + kHourUs}).ok());
  EXPECT_EQ(store_->ListInvitations(a)->size(), 2u);
  EXPECT_TRUE(store_->ListInvitations(b)->empty());
  EXPECT_FALSE(*store_->DeleteInvitation(b, inv->id));  // not b's

  auto user = store_->AcceptInvitation("tok", "pw-hash");
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(user->account_id, a);
  EXPECT_EQ(user->email, "new@example.com");
  EXPECT_EQ(user->role, "editor");
  EXPECT_EQ(store_->AcceptInvitation("tok", "pw-hash").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->AcceptInvitation("nope", "pw-hash").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->ListInvitations(a)->size(), 1u);  // the used one is no longer pending

  clock_.Advance(std::chrono::hours(2));
  EXPECT_EQ(store_->AcceptInvitation("old", "pw-hash").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_FALSE(store_->FindUserByEmail("late@example.com")->has_value());
}

TEST_F(UsersStoreTest, ApiKeysAreListedByNameAndRevokedOnlyInTheirAccount) {
  int64_t a = Account("a"), b = Account("b");
  auto k = store_->CreateApiKey({a, "ci", "hash-ci", "ct_ci"});
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  auto listed = store_->ListApiKeys(a);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);  // the account's first key and "ci"
  EXPECT_EQ((*listed)[0].name, "");
  EXPECT_EQ((*listed)[1].name, "ci");
  EXPECT_EQ((*listed)[1].prefix, "ct_ci");
  EXPECT_FALSE((*listed)[1].revoked_at_us.has_value());

  EXPECT_FALSE(*store_->RevokeApiKey(b, k->id));
  EXPECT_FALSE((*store_->FindApiKey("hash-ci"))->revoked);
  ASSERT_TRUE(*store_->RevokeApiKey(a, k->id));
  EXPECT_TRUE((*store_->FindApiKey("hash-ci"))->revoked);
  const int64_t revoked_at = *(*store_->ListApiKeys(a))[1].revoked_at_us;
  clock_.Advance(std::chrono::minutes(1));
  ASSERT_TRUE(*store_->RevokeApiKey(a, k->id));  // again: the first time stays
  EXPECT_EQ(*(*store_->ListApiKeys(a))[1].revoked_at_us, revoked_at);
}

}  // namespace
}  // namespace ct::testing_store
