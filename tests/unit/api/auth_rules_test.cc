// The pure rules of dashboard authentication: the role policy, the session cookie and the
// CSRF/Origin checks, email normalisation, login throttling (fake clock) and Argon2id hashes.
#include <gtest/gtest.h>

#include "api/login_throttle.h"
#include "api/role_policy.h"
#include "api/session_cookie.h"
#include "api/session_handler.h"
#include "api/user_password.h"
#include "common/clock.h"

namespace ct::api {
namespace {

std::vector<std::string_view> Seg(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 1;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool Allows(Role r, std::string_view method, std::string_view path) {
  return RoleAllows(r, method, Seg(path));
}

TEST(RolePolicyTest, ViewerOnlyReadsButMaySignOutAndChangeItsPassword) {
  EXPECT_TRUE(Allows(Role::kViewer, "GET", "/api/v1/links"));
  EXPECT_TRUE(Allows(Role::kViewer, "HEAD", "/api/v1/links/3/stats"));
  EXPECT_TRUE(Allows(Role::kViewer, "GET", "/api/v1/users"));
  EXPECT_FALSE(Allows(Role::kViewer, "POST", "/api/v1/links"));
  EXPECT_FALSE(Allows(Role::kViewer, "PATCH", "/api/v1/links/3"));
  EXPECT_FALSE(Allows(Role::kViewer, "DELETE", "/api/v1/links/3"));
  EXPECT_FALSE(Allows(Role::kViewer, "POST", "/api/v1/deliveries/replay"));
  EXPECT_FALSE(Allows(Role::kViewer, "GET", "/api/v1/api-keys"));
  EXPECT_FALSE(Allows(Role::kViewer, "GET", "/api/v1/invitations"));
  EXPECT_TRUE(Allows(Role::kViewer, "DELETE", "/api/v1/sessions/current"));
  EXPECT_TRUE(Allows(Role::kViewer, "POST", "/api/v1/users/me/password"));
  EXPECT_FALSE(Allows(Role::kViewer, "DELETE", "/api/v1/sessions/7"));
  EXPECT_FALSE(Allows(Role::kViewer, "POST", "/api/v1/users/me"));
}

TEST(RolePolicyTest, EditorWritesEverythingButPeopleKeysAndTheAccount) {
  EXPECT_TRUE(Allows(Role::kEditor, "POST", "/api/v1/links"));
  EXPECT_TRUE(Allows(Role::kEditor, "DELETE", "/api/v1/goals/2"));
  EXPECT_TRUE(Allows(Role::kEditor, "POST", "/api/v1/postbacks"));
  EXPECT_TRUE(Allows(Role::kEditor, "GET", "/api/v1/users"));
  EXPECT_TRUE(Allows(Role::kEditor, "GET", "/api/v1/account"));
  EXPECT_FALSE(Allows(Role::kEditor, "PATCH", "/api/v1/account"));
  EXPECT_FALSE(Allows(Role::kEditor, "PATCH", "/api/v1/users/4"));
  EXPECT_FALSE(Allows(Role::kEditor, "DELETE", "/api/v1/users/4"));
  EXPECT_FALSE(Allows(Role::kEditor, "GET", "/api/v1/invitations"));
  EXPECT_FALSE(Allows(Role::kEditor, "POST", "/api/v1/invitations"));
  EXPECT_FALSE(Allows(Role::kEditor, "GET", "/api/v1/api-keys"));
  EXPECT_FALSE(Allows(Role::kEditor, "DELETE", "/api/v1/api-keys/1"));
  EXPECT_TRUE(Allows(Role::kEditor, "POST", "/api/v1/users/me/password"));
}

TEST(RolePolicyTest, OwnerDoesAllAndNamesRoundTrip) {
  EXPECT_TRUE(Allows(Role::kOwner, "POST", "/api/v1/api-keys"));
  EXPECT_TRUE(Allows(Role::kOwner, "PATCH", "/api/v1/account"));
  for (Role r : {Role::kViewer, Role::kEditor, Role::kOwner}) {
    EXPECT_EQ(ParseRole(RoleName(r)), r);
  }
  EXPECT_FALSE(ParseRole("admin").has_value());
  EXPECT_FALSE(ParseRole("Owner").has_value());
}

ApiRequest WithHeaders(std::vector<std::pair<std::string, std::string>> h) {
  ApiRequest r;
  r.method = "POST";
  r.target = "/api/v1/links";
  r.headers = std::move(h);
  return r;
}

TEST(SessionCookieTest, FindsTheSessionCookieAmongOthers) {
  EXPECT_EQ(SessionCookieValue(WithHeaders({{"cookie", "a=1; ct_session=tok; b=2"}})), "tok");
  EXPECT_EQ(SessionCookieValue(WithHeaders({{"cookie", "ct_session=x"}})), "x");
  EXPECT_EQ(SessionCookieValue(WithHeaders({{"cookie", "a=1"}, {"cookie", "ct_session=y"}})), "y");
  EXPECT_FALSE(SessionCookieValue(WithHeaders({{"cookie", "xct_session=t; ct_sessionx=u"}})));
  EXPECT_FALSE(SessionCookieValue(WithHeaders({})));
}

TEST(SessionCookieTest, SetCookieHasTheSecurityAttributes) {
  EXPECT_EQ(SessionSetCookie("abc", 3600, true),
            "ct_session=abc; Path=/; Max-Age=3600; HttpOnly; SameSite=Strict; Secure");
  EXPECT_EQ(ClearSessionCookie(false), "ct_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
  std::string a = NewSecretToken(), b = NewSecretToken();
  EXPECT_EQ(a.size(), 43u);
  EXPECT_NE(a, b);
}

TEST(SessionCookieTest, OriginMustBeTheRequestsOwnHost) {
  EXPECT_TRUE(OriginMatchesHost(WithHeaders({{"host", "127.0.0.1:8080"}})));
  EXPECT_TRUE(OriginMatchesHost(
      WithHeaders({{"host", "127.0.0.1:8080"}, {"origin", "http://127.0.0.1:8080"}})));
  EXPECT_TRUE(OriginMatchesHost(
      WithHeaders({{"host", "Go.Example.com"}, {"origin", "https://go.example.com"}})));
  EXPECT_FALSE(OriginMatchesHost(
      WithHeaders({{"host", "127.0.0.1:8080"}, {"origin", "http://evil.example"}})));
  EXPECT_FALSE(OriginMatchesHost(
      WithHeaders({{"host", "127.0.0.1:8080"}, {"origin", "http://127.0.0.1:9090"}})));
  EXPECT_FALSE(OriginMatchesHost(WithHeaders({{"host", "a.example"}, {"origin", "null"}})));
  EXPECT_FALSE(OriginMatchesHost(
      WithHeaders({{"host", "a.example"}, {"origin", "https://a.example.evil.example"}})));
}

TEST(SessionCookieTest, CsrfTokenMustMatchExactly) {
  EXPECT_TRUE(CsrfTokenMatches(WithHeaders({{"x-csrf-token", "t0k"}}), "t0k"));
  EXPECT_FALSE(CsrfTokenMatches(WithHeaders({{"x-csrf-token", "t0K"}}), "t0k"));
  EXPECT_FALSE(CsrfTokenMatches(WithHeaders({{"x-csrf-token", ""}}), ""));
  EXPECT_FALSE(CsrfTokenMatches(WithHeaders({}), "t0k"));
}

TEST(NormalizeEmailTest, LowerCasesAndRefusesWhatIsNoAddress) {
  EXPECT_EQ(*NormalizeEmail("Ann@Example.COM"), "ann@example.com");
  for (const char* bad :
       {"", "ann", "@example.com", "ann@", "a b@example.com", "a@b@c", "ann@example.com\n"}) {
    EXPECT_FALSE(NormalizeEmail(bad).ok()) << bad;
  }
}

TEST(LoginThrottleTest, FiveFailuresThenWaitPerIpAndEmail) {
  FakeClock clock;
  LoginThrottle t(&clock);
  for (int i = 0; i < LoginThrottle::kBurst; ++i) {
    EXPECT_EQ(t.RetryAfter("192.0.2.1", "a@example.com"), 0) << i;
    t.RecordFailure("192.0.2.1", "a@example.com");
  }
  EXPECT_EQ(t.RetryAfter("192.0.2.1", "a@example.com"), 60);
  // Other addresses and other emails are not held back.
  EXPECT_EQ(t.RetryAfter("192.0.2.2", "a@example.com"), 0);
  EXPECT_EQ(t.RetryAfter("192.0.2.1", "b@example.com"), 0);
  clock.Advance(std::chrono::seconds(30));
  EXPECT_EQ(t.RetryAfter("192.0.2.1", "a@example.com"), 30);
  clock.Advance(std::chrono::seconds(30));
  EXPECT_EQ(t.RetryAfter("192.0.2.1", "a@example.com"), 0);  // one attempt refilled
  t.RecordFailure("192.0.2.1", "a@example.com");
  EXPECT_GT(t.RetryAfter("192.0.2.1", "a@example.com"), 0);
}

TEST(LoginThrottleTest, OneAddressCyclingThroughEmailsIsHeldBack) {
  FakeClock clock;
  LoginThrottle t(&clock);
  // Each email fails once only, so no per-email bucket empties: the per-IP one does.
  for (int i = 0; i < LoginThrottle::kIpBurst; ++i) {
    const std::string email = "user" + std::to_string(i) + "@example.com";
    EXPECT_EQ(t.RetryAfter("192.0.2.1", email), 0) << i;
    t.RecordFailure("192.0.2.1", email);
  }
  EXPECT_EQ(t.RetryAfter("192.0.2.1", "fresh@example.com"), 2);
  EXPECT_EQ(t.RetryAfter("192.0.2.2", "fresh@example.com"), 0);  // another address is free
  clock.Advance(LoginThrottle::kIpRefill);
  EXPECT_EQ(t.RetryAfter("192.0.2.1", "fresh@example.com"), 0);
  t.RecordFailure("192.0.2.1", "fresh@example.com");
  EXPECT_GT(t.RetryAfter("192.0.2.1", "other@example.com"), 0);
}

TEST(UserPasswordTest, Argon2idHashesVerifyOnlyTheirPassword) {
  auto h = HashUserPassword("correct horse battery");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u) << *h;
  auto h2 = HashUserPassword("correct horse battery");
  ASSERT_TRUE(h2.ok());
  EXPECT_NE(*h, *h2);  // salted
  EXPECT_TRUE(VerifyUserPassword(*h, "correct horse battery"));
  EXPECT_FALSE(VerifyUserPassword(*h, "correct horse batterY"));
  EXPECT_FALSE(VerifyUserPassword("not a hash", "correct horse battery"));
  EXPECT_FALSE(VerifyAgainstDummy("correct horse battery"));
  EXPECT_FALSE(CheckPasswordLength("short").ok());
  EXPECT_TRUE(CheckPasswordLength("0123456789").ok());
  EXPECT_FALSE(CheckPasswordLength(std::string(129, 'x')).ok());
}

}  // namespace
}  // namespace ct::api
