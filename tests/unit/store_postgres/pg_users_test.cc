// PostgresStore: dashboard users, sessions, invitations and named API keys, held to the SQLite
// store's cases (tests/unit/store/sqlite_users_test.cc): tenancy, the last-owner rule, sliding
// idle expiry (fake clock), single-use invitations, revocation. Plus what only several API
// processes on one database can do: two store instances racing for one invitation token and
// for the last owner.
#include <future>
#include <latch>
#include <thread>

#include "pg_fixture.h"

namespace ct::testing_pg {
namespace {

constexpr int64_t kTtlUs = 2 * kHourUs;

class PgUsersTest : public PgStoreTest {
 protected:
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

TEST_F(PgUsersTest, EmailsAreUniqueAcrossAccountsAndUsersAreScopedByAccount) {
  int64_t a = Account("a"), b = Account("b");
  UserRow u = User(a, "x@example.com", "owner");
  EXPECT_EQ(u.created_at_us, clock_.NowMicros());
  EXPECT_EQ(store_->CreateUser({b, "x@example.com", "owner", "h"}).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreateUser({999, "y@example.com", "owner", "h"}).status().code(),
            StatusCode::kNotFound);
  auto found = store_->FindUserByEmail("x@example.com");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, u.id);
  EXPECT_EQ((*found)->password_hash, "argon2-hash-of-x@example.com");
  EXPECT_EQ((*found)->created_at_us, u.created_at_us);
  EXPECT_FALSE(store_->FindUserByEmail("nobody@example.com")->has_value());
  // Another account's user reads like a missing one, and cannot be changed or deleted.
  EXPECT_FALSE(store_->GetUser(b, u.id)->has_value());
  EXPECT_TRUE(store_->GetUser(a, u.id)->has_value());
  EXPECT_FALSE(store_->SetUserRole(b, u.id, "viewer")->has_value());
  EXPECT_FALSE(*store_->DeleteUser(b, u.id));
  EXPECT_FALSE(*store_->SetUserPassword(b, u.id, "new", ""));
  EXPECT_TRUE(store_->ListUsers(b)->empty());
  User(a, "z@example.com", "viewer");
  auto listed = store_->ListUsers(a);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_LT((*listed)[0].id, (*listed)[1].id);
}

TEST_F(PgUsersTest, AnAccountKeepsItsLastOwner) {
  int64_t a = Account("a");
  UserRow owner = User(a, "o@example.com", "owner");
  UserRow editor = User(a, "e@example.com", "editor");
  EXPECT_EQ(store_->SetUserRole(a, owner.id, "editor").status().message(), "last_owner");
  EXPECT_EQ(store_->SetUserRole(a, owner.id, "editor").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->DeleteUser(a, owner.id).status().message(), "last_owner");
  // With a second owner, the first may go.
  ASSERT_TRUE(store_->SetUserRole(a, editor.id, "owner").ok());
  auto demoted = store_->SetUserRole(a, owner.id, "viewer");
  ASSERT_TRUE(demoted.ok() && demoted->has_value());
  EXPECT_EQ((*demoted)->role, "viewer");
  EXPECT_EQ((*store_->GetUser(a, owner.id))->role, "viewer");
  EXPECT_TRUE(*store_->DeleteUser(a, owner.id));
  EXPECT_EQ(store_->DeleteUser(a, editor.id).status().message(), "last_owner");
}

TEST_F(PgUsersTest, SessionsExpireWhenIdleAndSlideWithUse) {
  int64_t a = Account("a");
  UserRow u = User(a, "o@example.com", "owner");
  ASSERT_TRUE(store_->CreateSession({"s1", u.id, "csrf1"}, kTtlUs).ok());
  auto s = store_->FindSession("s1", kTtlUs);
  ASSERT_TRUE(s.ok() && s->has_value());
  EXPECT_EQ((*s)->csrf_token, "csrf1");
  EXPECT_EQ((*s)->user.id, u.id);
  EXPECT_EQ((*s)->user.email, "o@example.com");
  EXPECT_EQ((*s)->created_at_us, clock_.NowMicros());
  EXPECT_FALSE((*s)->touched);  // seen within the touch interval: no write
  // Used every 90 minutes, it outlives the 2-hour idle limit.
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(std::chrono::minutes(90));
    auto again = store_->FindSession("s1", kTtlUs);
    ASSERT_TRUE(again.ok() && again->has_value()) << i;
    EXPECT_TRUE((*again)->touched);
  }
  EXPECT_EQ(Int("SELECT last_seen_at FROM sessions WHERE token_hash = 's1'"), clock_.NowMicros());
  // Idle for the whole limit: gone, and deleted.
  clock_.Advance(std::chrono::hours(2));
  EXPECT_FALSE(SessionLive("s1"));
  EXPECT_EQ(Int("SELECT COUNT(*) FROM sessions"), 0);
  clock_.SetWallMicros(clock_.NowMicros() - 3 * kHourUs);
  EXPECT_FALSE(SessionLive("s1"));
  EXPECT_FALSE(SessionLive("unknown"));
}

TEST_F(PgUsersTest, ATouchNeverMovesLastSeenBackAndSignInSweepsIdleSessions) {
  int64_t a = Account("a");
  UserRow u = User(a, "o@example.com", "owner");
  ASSERT_TRUE(store_->CreateSession({"old", u.id, "c"}, kTtlUs).ok());
  ASSERT_TRUE(store_->CreateSession({"s", u.id, "c"}, kTtlUs).ok());
  clock_.Advance(std::chrono::minutes(30));
  ASSERT_TRUE(SessionLive("s"));
  const int64_t seen = clock_.NowMicros();
  // Another API process whose clock is behind touches it: last_seen_at stays.
  clock_.SetWallMicros(seen - 10 * kMinuteUs);
  Sql("UPDATE sessions SET last_seen_at = " + std::to_string(seen - 20 * kMinuteUs) +
      " WHERE token_hash = 's'");
  clock_.SetWallMicros(seen);
  ASSERT_TRUE(SessionLive("s"));  // touched to `seen`
  clock_.SetWallMicros(seen - 5 * kMinuteUs);
  ASSERT_TRUE(SessionLive("s"));
  EXPECT_EQ(Int("SELECT last_seen_at FROM sessions WHERE token_hash = 's'"), seen);
  // "old" idles out; the next sign-in sweeps it without anyone looking it up.
  clock_.SetWallMicros(seen + 90 * kMinuteUs);
  ASSERT_TRUE(store_->CreateSession({"new", u.id, "c"}, kTtlUs).ok());
  EXPECT_EQ(Int("SELECT COUNT(*) FROM sessions WHERE token_hash = 'old'"), 0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM sessions"), 2);
  // A session of no user, or a token already in use, is refused.
  EXPECT_EQ(store_->CreateSession({"x", 999, "c"}, kTtlUs).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->CreateSession({"new", u.id, "c"}, kTtlUs).code(), StatusCode::kAlreadyExists);
}

TEST_F(PgUsersTest, RoleChangesReachLiveSessionsAndDeletingAUserEndsThem) {
  int64_t a = Account("a");
  User(a, "o@example.com", "owner");
  UserRow e = User(a, "e@example.com", "editor");
  ASSERT_TRUE(store_->CreateSession({"se", e.id, "c"}, kTtlUs).ok());
  ASSERT_TRUE(store_->SetUserRole(a, e.id, "viewer").ok());
  EXPECT_EQ((*store_->FindSession("se", kTtlUs))->user.role, "viewer");
  ASSERT_TRUE(*store_->DeleteUser(a, e.id));
  EXPECT_FALSE(SessionLive("se"));
  EXPECT_FALSE(*store_->DeleteUser(a, e.id));
}

TEST_F(PgUsersTest, PasswordChangeEndsEveryOtherSessionOfTheUser) {
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
  // "" keeps none.
  ASSERT_TRUE(*store_->SetUserPassword(a, v.id, "v2", ""));
  EXPECT_FALSE(SessionLive("someone-else"));
}

TEST_F(PgUsersTest, AnInvitationIsAcceptedOnceBeforeItExpires) {
  int64_t a = Account("a"), b = Account("b");
  const int64_t now = clock_.NowMicros();
  auto inv = store_->CreateInvitation({a, "new@example.com", "editor", "tok", now + kDayUs});
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->created_at_us, now);
  EXPECT_EQ(inv->expires_at_us, now + kDayUs);
  ASSERT_TRUE(
      store_->CreateInvitation({a, "late@example.com", "viewer", "old", now + kHourUs}).ok());
  EXPECT_EQ(store_->CreateInvitation({999, "n@example.com", "viewer", "t9", now + kHourUs})
                .status()
                .code(),
            StatusCode::kNotFound);
  auto listed = store_->ListInvitations(a);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, inv->id);
  EXPECT_EQ((*listed)[0].email, "new@example.com");
  EXPECT_EQ((*listed)[0].role, "editor");
  EXPECT_TRUE(store_->ListInvitations(b)->empty());
  EXPECT_FALSE(*store_->DeleteInvitation(b, inv->id));  // not b's

  auto user = store_->AcceptInvitation("tok", "pw-hash");
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(user->account_id, a);
  EXPECT_EQ(user->email, "new@example.com");
  EXPECT_EQ(user->role, "editor");
  EXPECT_EQ(user->password_hash, "pw-hash");
  EXPECT_EQ(store_->AcceptInvitation("tok", "pw-hash").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->AcceptInvitation("nope", "pw-hash").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->ListInvitations(a)->size(), 1u);    // the used one is no longer pending
  EXPECT_FALSE(*store_->DeleteInvitation(a, inv->id));  // used: not pending any more

  clock_.Advance(std::chrono::hours(2));
  EXPECT_EQ(store_->AcceptInvitation("old", "pw-hash").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_FALSE(store_->FindUserByEmail("late@example.com")->has_value());
  // Expired ones stay listed until deleted; a deleted token is unknown.
  ASSERT_EQ(store_->ListInvitations(a)->size(), 1u);
  const int64_t old_id = (*store_->ListInvitations(a))[0].id;
  EXPECT_TRUE(*store_->DeleteInvitation(a, old_id));
  EXPECT_EQ(store_->AcceptInvitation("old", "pw-hash").status().code(), StatusCode::kNotFound);
}

TEST_F(PgUsersTest, AcceptingAnInvitationForAnEmailThatBecameAUserFailsAndKeepsIt) {
  int64_t a = Account("a");
  const int64_t now = clock_.NowMicros();
  ASSERT_TRUE(store_->CreateInvitation({a, "dup@example.com", "viewer", "t", now + kDayUs}).ok());
  User(a, "dup@example.com", "owner");
  EXPECT_EQ(store_->AcceptInvitation("t", "pw").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->ListInvitations(a)->size(), 1u);  // rolled back: still pending
  EXPECT_EQ((*store_->FindUserByEmail("dup@example.com"))->role, "owner");
}

// Two API processes (two store instances, two connections) accept the same token at once:
// exactly one user is created, the other request finds the invitation used.
TEST_F(PgUsersTest, ATokenIsUsedOnceEvenWhenTwoProcessesRaceForIt) {
  std::unique_ptr<Store> other = Open();
  ASSERT_NE(other, nullptr);
  int64_t a = Account("a");
  constexpr int kTokens = 20;
  const int64_t now = clock_.NowMicros();
  for (int i = 0; i < kTokens; ++i) {
    ASSERT_TRUE(store_
                    ->CreateInvitation({a, "u" + std::to_string(i) + "@example.com", "viewer",
                                        "tok" + std::to_string(i), now + kDayUs})
                    .ok());
  }
  int won = 0, used = 0;
  for (int i = 0; i < kTokens; ++i) {
    const std::string token = "tok" + std::to_string(i);
    std::latch start(2);
    auto accept = [&](Store* s) {
      start.arrive_and_wait();
      return s->AcceptInvitation(token, "pw").status().code();
    };
    auto f1 = std::async(std::launch::async, accept, store_.get());
    auto f2 = std::async(std::launch::async, accept, other.get());
    for (StatusCode code : {f1.get(), f2.get()}) {
      if (code == StatusCode::kOk) {
        ++won;
      } else {
        EXPECT_EQ(code, StatusCode::kFailedPrecondition) << token;
        ++used;
      }
    }
  }
  EXPECT_EQ(won, kTokens);
  EXPECT_EQ(used, kTokens);
  EXPECT_EQ(store_->ListUsers(a)->size(), static_cast<size_t>(kTokens));
  EXPECT_TRUE(store_->ListInvitations(a)->empty());
}

// Two owners demoted at once through two processes: one demotion wins, the other is refused,
// and the account keeps an owner.
TEST_F(PgUsersTest, TwoProcessesCannotDemoteAnAccountsLastTwoOwnersAtOnce) {
  std::unique_ptr<Store> other = Open();
  ASSERT_NE(other, nullptr);
  for (int round = 0; round < 10; ++round) {
    int64_t a = Account("a" + std::to_string(round));
    UserRow o1 = User(a, "o1-" + std::to_string(round) + "@example.com", "owner");
    UserRow o2 = User(a, "o2-" + std::to_string(round) + "@example.com", "owner");
    std::latch start(2);
    auto demote = [&](Store* s, int64_t id, bool remove) {
      start.arrive_and_wait();
      return remove ? s->DeleteUser(a, id).status().code()
                    : s->SetUserRole(a, id, "editor").status().code();
    };
    const bool remove = round % 2 == 1;  // odd rounds: one deletion against one demotion
    auto f1 = std::async(std::launch::async, demote, store_.get(), o1.id, remove);
    auto f2 = std::async(std::launch::async, demote, other.get(), o2.id, false);
    const StatusCode c1 = f1.get(), c2 = f2.get();
    EXPECT_EQ((c1 == StatusCode::kOk) + (c2 == StatusCode::kOk), 1) << round;
    EXPECT_EQ((c1 == StatusCode::kFailedPrecondition) + (c2 == StatusCode::kFailedPrecondition), 1)
        << round;
    int owners = 0;
    Result<std::vector<UserRow>> users = store_->ListUsers(a);
    ASSERT_TRUE(users.ok());
    for (const UserRow& u : *users) owners += u.role == "owner";
    EXPECT_EQ(owners, 1) << round;
  }
}

TEST_F(PgUsersTest, ApiKeysAreListedByNameAndRevokedOnlyInTheirAccount) {
  int64_t a = Account("a"), b = Account("b");
  auto k = store_->CreateApiKey({a, "ci", "hash-ci", "ct_ci"});
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->created_at_us, clock_.NowMicros());
  EXPECT_EQ(store_->CreateApiKey({b, "dup", "hash-ci", "ct_ci"}).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreateApiKey({999, "x", "hash-x", "ct_x"}).status().code(),
            StatusCode::kNotFound);
  auto listed = store_->ListApiKeys(a);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);  // the account's first key and "ci"
  EXPECT_EQ((*listed)[0].name, "");
  EXPECT_EQ((*listed)[1].name, "ci");
  EXPECT_EQ((*listed)[1].prefix, "ct_ci");
  EXPECT_EQ((*listed)[1].id, k->id);
  EXPECT_FALSE((*listed)[1].revoked_at_us.has_value());
  auto found = store_->FindApiKey("hash-ci");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->account_id, a);
  EXPECT_EQ((*found)->key_id, k->id);

  EXPECT_FALSE(*store_->RevokeApiKey(b, k->id));
  EXPECT_FALSE(*store_->RevokeApiKey(a, 999999));
  EXPECT_FALSE((*store_->FindApiKey("hash-ci"))->revoked);
  ASSERT_TRUE(*store_->RevokeApiKey(a, k->id));
  EXPECT_TRUE((*store_->FindApiKey("hash-ci"))->revoked);
  const int64_t revoked_at = *(*store_->ListApiKeys(a))[1].revoked_at_us;
  EXPECT_EQ(revoked_at, clock_.NowMicros());
  clock_.Advance(std::chrono::minutes(1));
  ASSERT_TRUE(*store_->RevokeApiKey(a, k->id));  // again: the first time stays
  EXPECT_EQ(*(*store_->ListApiKeys(a))[1].revoked_at_us, revoked_at);
  // Another process sees the revocation at once: nothing is cached.
  std::unique_ptr<Store> other = Open();
  ASSERT_NE(other, nullptr);
  EXPECT_TRUE((*other->FindApiKey("hash-ci"))->revoked);
}

}  // namespace
}  // namespace ct::testing_pg
