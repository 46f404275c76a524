// Dashboard users and sessions over real HTTP against the real binary (README "Users and
// sessions"): sign-in and out, answers that do not tell unknown emails apart, no session
// fixation, CSRF on cookie writes (Bearer keys unaffected), foreign Origins, the viewer /
// editor / owner policy, tenancy through session-authenticated routes, invitations, API key
// revocation, password change, idle expiry, sign-in throttling and `clicktrail user create`.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <utility>
#include <vector>

#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/process.h"
#include "testutil/server.h"

namespace ct::test {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;
constexpr char kPassword[] = "correct horse battery";

// `clicktrail user create` with the password on stdin; the user's id, or -1.
int64_t CreateUser(const ServerHarness& server, int64_t account, const std::string& email,
                   const std::string& role, const std::string& password = kPassword) {
  auto r = RunCommand({"/bin/sh", "-c",
                       "printf '%s\\n' \"$0\" | \"$1\" user create \"$2\" --account \"$3\" "
                       "--role \"$4\" --data \"$5\"",
                       password, ClicktrailBin(), email, std::to_string(account), role,
                       server.data_dir()});
  if (r.exit_code != 0) {
    ADD_FAILURE() << "user create " << email << ": exit " << r.exit_code << " " << r.err;
    return -1;
  }
  return std::stoll(r.out);
}

int64_t AccountId(uint16_t port, const std::string& key) {
  return JsonInt(ParseJson(ApiCall(port, "GET", "/api/v1/account", key).body), "id");
}

// The value of ct_session in a Set-Cookie header ("" if none).
std::string CookieToken(const HttpResponse& r) {
  std::string c = r.Header("set-cookie");
  size_t at = c.find("ct_session=");
  if (at == std::string::npos) return "";
  at += 11;
  return c.substr(at, c.find(';', at) - at);
}

struct Session {
  int status = 0;
  std::string token;
  std::string csrf;
  HttpResponse response;
};

Session Login(uint16_t port, const std::string& email, const std::string& password,
              Headers extra = {}) {
  HttpClient c(port);
  extra.emplace_back("Content-Type", "application/json");
  boost::json::object body{{"email", email}, {"password", password}};
  Session s;
  s.response = c.Request("POST", "/api/v1/sessions", extra, boost::json::serialize(body));
  s.status = s.response.status;
  s.token = CookieToken(s.response);
  s.csrf = JsonStr(ParseJson(s.response.body), "csrf_token");
  return s;
}

// A request as the dashboard makes it: the cookie, and on writes the CSRF token.
HttpResponse Call(uint16_t port, const Session& s, const std::string& method,
                  const std::string& target, const std::string& json = "", Headers extra = {}) {
  HttpClient c(port);
  extra.emplace_back("Cookie", "ct_session=" + s.token);
  if (method != "GET" && method != "HEAD") extra.emplace_back("X-CSRF-Token", s.csrf);
  if (!json.empty()) extra.emplace_back("Content-Type", "application/json");
  return c.Request(method, target, extra, json);
}

std::string ErrorCode(const HttpResponse& r) {
  auto v = ParseJson(r.body);
  if (!v.is_object() || !v.as_object().contains("error")) return "";
  return JsonStr(v.as_object().at("error"), "code");
}

class UsersSessionsE2eTest : public ::testing::Test {
 protected:
  // Behind a proxy on loopback (requests without X-Forwarded-For are the peer's own).
  UsersSessionsE2eTest() : server_({"--set", "edge.trusted_proxies=127.0.0.1"}) {}
  void SetUp() override {
    key_ = server_.CreateAccount("acme");
    ASSERT_FALSE(key_.empty());
    ASSERT_TRUE(server_.Start()) << server_.Log();
    port_ = server_.port();
    account_ = AccountId(port_, key_);
    ASSERT_GT(account_, 0);
  }
  ServerHarness server_;
  std::string key_;
  uint16_t port_ = 0;
  int64_t account_ = 0;
};

TEST_F(UsersSessionsE2eTest, SignInShowsMeAndSignOutEndsTheSession) {
  ASSERT_GT(CreateUser(server_, account_, "Owner@Example.com", "owner"), 0);
  Session s = Login(port_, "owner@EXAMPLE.com", kPassword);
  ASSERT_EQ(s.status, 201) << s.response.body;
  const std::string cookie = s.response.Header("set-cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("Secure"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("Path=/"), std::string::npos) << cookie;
  EXPECT_EQ(s.token.size(), 43u);
  EXPECT_EQ(s.csrf.size(), 43u);
  auto user = ParseJson(s.response.body).as_object().at("user");
  EXPECT_EQ(JsonStr(user, "email"), "owner@example.com");
  EXPECT_EQ(JsonStr(user, "role"), "owner");
  EXPECT_FALSE(user.as_object().contains("password_hash"));

  auto me = Call(port_, s, "GET", "/api/v1/me");
  ASSERT_EQ(me.status, 200) << me.body;
  auto mej = ParseJson(me.body);
  EXPECT_EQ(JsonStr(mej, "role"), "owner");
  EXPECT_EQ(JsonStr(mej, "csrf_token"), s.csrf);
  EXPECT_EQ(JsonInt(mej.as_object().at("account"), "id"), account_);
  EXPECT_EQ(JsonStr(mej.as_object().at("account"), "name"), "acme");
  // A Bearer key has no user and no CSRF token.
  auto by_key = ParseJson(ApiCall(port_, "GET", "/api/v1/me", key_).body);
  EXPECT_TRUE(by_key.as_object().at("user").is_null());
  EXPECT_TRUE(by_key.as_object().at("csrf_token").is_null());
  EXPECT_EQ(JsonStr(by_key, "role"), "owner");

  auto out = Call(port_, s, "DELETE", "/api/v1/sessions/current");
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(out.Header("set-cookie").find("Max-Age=0"), std::string::npos);
  auto after = Call(port_, s, "GET", "/api/v1/me");
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(ErrorCode(after), "unauthorized");
}

TEST_F(UsersSessionsE2eTest, WrongPasswordAndUnknownEmailGetTheSameAnswer) {
  ASSERT_GT(CreateUser(server_, account_, "owner@example.com", "owner"), 0);
  Session wrong = Login(port_, "owner@example.com", "not the password");
  Session unknown = Login(port_, "nobody@example.com", kPassword);
  Session malformed = Login(port_, "not-an-email", kPassword);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(ErrorCode(wrong.response), "invalid_credentials");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(malformed.status, 401);
  EXPECT_EQ(wrong.response.body, unknown.response.body);
  EXPECT_EQ(wrong.response.body, malformed.response.body);
  EXPECT_TRUE(wrong.token.empty());
  EXPECT_TRUE(unknown.token.empty());
}

TEST_F(UsersSessionsE2eTest, SessionFixationIsPrevented) {
  ASSERT_GT(CreateUser(server_, account_, "owner@example.com", "owner"), 0);
  // An attacker plants a cookie of the right shape; signing in never makes it valid.
  const std::string planted(43, 'A');
  Session s = Login(port_, "owner@example.com", kPassword, {{"Cookie", "ct_session=" + planted}});
  ASSERT_EQ(s.status, 201);
  EXPECT_NE(s.token, planted);
  Session attacker{0, planted, "", {}};
  EXPECT_EQ(Call(port_, attacker, "GET", "/api/v1/me").status, 401);
  EXPECT_EQ(Call(port_, s, "GET", "/api/v1/me").status, 200);
  // Signing in with a live session issues a new token and ends the old one.
  Session again =
      Login(port_, "owner@example.com", kPassword, {{"Cookie", "ct_session=" + s.token}});
  ASSERT_EQ(again.status, 201);
  EXPECT_NE(again.token, s.token);
  EXPECT_NE(again.csrf, s.csrf);
  EXPECT_EQ(Call(port_, s, "GET", "/api/v1/me").status, 401);
  EXPECT_EQ(Call(port_, again, "GET", "/api/v1/me").status, 200);
}

TEST_F(UsersSessionsE2eTest, CookieWritesNeedTheCsrfTokenAndTheirOwnOrigin) {
  ASSERT_GT(CreateUser(server_, account_, "owner@example.com", "owner"), 0);
  Session s = Login(port_, "owner@example.com", kPassword);
  ASSERT_EQ(s.status, 201);
  const std::string link = R"({"destination": "https://example.com/"})";
  HttpClient c(port_);
  Headers cookie_only{{"Cookie", "ct_session=" + s.token}, {"Content-Type", "application/json"}};
  auto missing = c.Request("POST", "/api/v1/links", cookie_only, link);
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(ErrorCode(missing), "csrf");
  Headers wrong = cookie_only;
  wrong.emplace_back("X-CSRF-Token", std::string(43, 'x'));
  EXPECT_EQ(c.Request("POST", "/api/v1/links", wrong, link).status, 403);
  Session other_token = s;
  other_token.csrf = Login(port_, "owner@example.com", kPassword).csrf;  // another session's
  EXPECT_EQ(Call(port_, other_token, "POST", "/api/v1/links", link).status, 403);
  auto none = ParseJson(Call(port_, s, "GET", "/api/v1/links").body);
  EXPECT_TRUE(none.as_object().at("links").as_array().empty());  // nothing was created

  // With the token: created; from a foreign Origin even with the token: refused.
  EXPECT_EQ(Call(port_, s, "POST", "/api/v1/links", link).status, 201);
  auto foreign = Call(port_, s, "POST", "/api/v1/links", link, {{"Origin", "http://evil.example"}});
  EXPECT_EQ(foreign.status, 403);
  EXPECT_EQ(ErrorCode(foreign), "csrf");
  EXPECT_EQ(Call(port_, s, "POST", "/api/v1/links", link, {{"Origin", "http://127.0.0.1"}}).status,
            201);
  // Reads need no token.
  EXPECT_EQ(c.Request("GET", "/api/v1/links", {{"Cookie", "ct_session=" + s.token}}).status, 200);
  // Bearer keys need none, whatever the Origin.
  EXPECT_EQ(c.Request("POST", "/api/v1/links",
                      {{"Authorization", "Bearer " + key_},
                       {"Content-Type", "application/json"},
                       {"Origin", "http://evil.example"}},
                      link)
                .status,
            201);
  // A page of another site cannot sign a browser in either.
  Session cross = Login(port_, "owner@example.com", kPassword, {{"Origin", "http://evil.example"}});
  EXPECT_EQ(cross.status, 403);
  EXPECT_TRUE(cross.token.empty());
}

TEST_F(UsersSessionsE2eTest, ViewerReadsOnlyAndEditorCannotManagePeopleOrKeys) {
  ASSERT_GT(CreateUser(server_, account_, "owner@example.com", "owner"), 0);
  int64_t viewer_id = CreateUser(server_, account_, "viewer@example.com", "viewer");
  ASSERT_GT(CreateUser(server_, account_, "editor@example.com", "editor"), 0);
  auto created = ApiCall(port_, "POST", "/api/v1/links", key_,
                         R"({"destination": "https://example.com/", "slug": "ro"})");
  ASSERT_EQ(created.status, 201);
  const std::string path =
      "/api/v1/links/" + std::to_string(JsonInt(ParseJson(created.body), "id"));

  Session viewer = Login(port_, "viewer@example.com", kPassword);
  ASSERT_EQ(viewer.status, 201);
  EXPECT_EQ(Call(port_, viewer, "GET", "/api/v1/links").status, 200);
  EXPECT_EQ(Call(port_, viewer, "GET", path).status, 200);
  EXPECT_EQ(Call(port_, viewer, "GET", path + "/stats").status, 200);
  EXPECT_EQ(Call(port_, viewer, "GET", "/api/v1/users").status, 200);
  auto post =
      Call(port_, viewer, "POST", "/api/v1/links", R"({"destination": "https://x.example/"})");
  EXPECT_EQ(post.status, 403);
  EXPECT_EQ(ErrorCode(post), "forbidden");
  EXPECT_EQ(Call(port_, viewer, "PATCH", path, R"({"destination": "https://x.example/"})").status,
            403);
  EXPECT_EQ(Call(port_, viewer, "DELETE", path).status, 403);
  EXPECT_EQ(Call(port_, viewer, "GET", "/api/v1/api-keys").status, 403);
  EXPECT_EQ(JsonStr(ParseJson(ApiCall(port_, "GET", path, key_).body), "destination"),
            "https://example.com/");  // unchanged

  Session editor = Login(port_, "editor@example.com", kPassword);
  ASSERT_EQ(editor.status, 201);
  EXPECT_EQ(
      Call(port_, editor, "PATCH", path, R"({"destination": "https://edited.example/"})").status,
      200);
  EXPECT_EQ(Call(port_, editor, "GET", "/api/v1/users").status, 200);
  EXPECT_EQ(Call(port_, editor, "PATCH", "/api/v1/users/" + std::to_string(viewer_id),
                 R"({"role": "editor"})")
                .status,
            403);
  EXPECT_EQ(Call(port_, editor, "DELETE", "/api/v1/users/" + std::to_string(viewer_id)).status,
            403);
  EXPECT_EQ(Call(port_, editor, "POST", "/api/v1/invitations",
                 R"({"email": "x@example.com", "role": "owner"})")
                .status,
            403);
  EXPECT_EQ(Call(port_, editor, "GET", "/api/v1/invitations").status, 403);
  EXPECT_EQ(Call(port_, editor, "GET", "/api/v1/api-keys").status, 403);
  EXPECT_EQ(Call(port_, editor, "POST", "/api/v1/api-keys", R"({"name": "mine"})").status, 403);
  EXPECT_EQ(Call(port_, editor, "PATCH", "/api/v1/account", R"({"unique_definition": "ip_30min"})")
                .status,
            403);

  // The owner changes roles; the change reaches the viewer's live session at once.
  Session owner = Login(port_, "owner@example.com", kPassword);
  auto promoted = Call(port_, owner, "PATCH", "/api/v1/users/" + std::to_string(viewer_id),
                       R"({"role": "editor"})");
  ASSERT_EQ(promoted.status, 200) << promoted.body;
  EXPECT_EQ(JsonStr(ParseJson(promoted.body), "role"), "editor");
  EXPECT_EQ(Call(port_, viewer, "POST", "/api/v1/links", R"({"destination": "https://x.example/"})")
                .status,
            201);
  // An account keeps its last owner.
  auto users = ParseJson(Call(port_, owner, "GET", "/api/v1/users").body);
  ASSERT_EQ(users.as_object().at("users").as_array().size(), 3u);
  int64_t owner_id = JsonInt(ParseJson(owner.response.body).as_object().at("user"), "id");
  auto last = Call(port_, owner, "DELETE", "/api/v1/users/" + std::to_string(owner_id));
  EXPECT_EQ(last.status, 409);
  EXPECT_EQ(ErrorCode(last), "last_owner");
  EXPECT_EQ(Call(port_, owner, "PATCH", "/api/v1/users/" + std::to_string(owner_id),
                 R"({"role": "viewer"})")
                .status,
            409);
  // Deleting a user ends its sessions.
  EXPECT_EQ(Call(port_, owner, "DELETE", "/api/v1/users/" + std::to_string(viewer_id)).status, 204);
  EXPECT_EQ(Call(port_, viewer, "GET", "/api/v1/me").status, 401);
}

TEST_F(UsersSessionsE2eTest, AnotherAccountsObjectsAre404ThroughSessions) {
  int64_t a_owner = CreateUser(server_, account_, "a@example.com", "owner");
  ASSERT_GT(a_owner, 0);
  std::string key_b = server_.CreateAccount("other");
  ASSERT_FALSE(key_b.empty());
  int64_t account_b = AccountId(port_, key_b);
  ASSERT_GT(CreateUser(server_, account_b, "b@example.com", "owner"), 0);
  auto created = ApiCall(port_, "POST", "/api/v1/links", key_,
                         R"({"destination": "https://a.example/", "slug": "a-only"})");
  ASSERT_EQ(created.status, 201);
  const std::string path =
      "/api/v1/links/" + std::to_string(JsonInt(ParseJson(created.body), "id"));

  Session b = Login(port_, "b@example.com", kPassword);
  ASSERT_EQ(b.status, 201);
  EXPECT_EQ(Call(port_, b, "GET", path).status, 404);
  EXPECT_EQ(Call(port_, b, "GET", path + "/stats").status, 404);
  EXPECT_EQ(Call(port_, b, "GET", path + "/hits").status, 404);
  EXPECT_EQ(Call(port_, b, "PATCH", path, R"({"destination": "https://b.example/"})").status, 404);
  EXPECT_EQ(Call(port_, b, "DELETE", path).status, 404);
  EXPECT_TRUE(ParseJson(Call(port_, b, "GET", "/api/v1/links").body)
                  .as_object()
                  .at("links")
                  .as_array()
                  .empty());
  EXPECT_EQ(
      Call(port_, b, "PATCH", "/api/v1/users/" + std::to_string(a_owner), R"({"role": "viewer"})")
          .status,
      404);
  EXPECT_EQ(Call(port_, b, "DELETE", "/api/v1/users/" + std::to_string(a_owner)).status, 404);
  auto keys_a = ParseJson(ApiCall(port_, "GET", "/api/v1/api-keys", key_).body);
  int64_t key_a_id = JsonInt(keys_a.as_object().at("api_keys").as_array()[0], "id");
  EXPECT_EQ(Call(port_, b, "DELETE", "/api/v1/api-keys/" + std::to_string(key_a_id)).status, 404);
  auto users_b = ParseJson(Call(port_, b, "GET", "/api/v1/users").body);
  EXPECT_EQ(users_b.as_object().at("users").as_array().size(), 1u);
  // A's link and key are untouched.
  auto got = ApiCall(port_, "GET", path, key_);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(JsonStr(ParseJson(got.body), "destination"), "https://a.example/");
}

TEST_F(UsersSessionsE2eTest, AnInvitationMakesASignedInUserOnce) {
  ASSERT_GT(CreateUser(server_, account_, "owner@example.com", "owner"), 0);
  Session owner = Login(port_, "owner@example.com", kPassword);
  ASSERT_EQ(owner.status, 201);
  auto inv = Call(port_, owner, "POST", "/api/v1/invitations",
                  R"({"email": "New@Example.com", "role": "editor"})");
  ASSERT_EQ(inv.status, 201) << inv.body;
  auto invj = ParseJson(inv.body);
  const std::string token = JsonStr(invj, "token");
  ASSERT_EQ(token.size(), 43u);
  EXPECT_EQ(JsonStr(invj, "email"), "new@example.com");
  EXPECT_EQ(JsonStr(invj, "accept_url"),
            "http://127.0.0.1:" + std::to_string(port_) + "/ui/#/accept/" + token);
  EXPECT_FALSE(JsonStr(invj, "expires_at").empty());
  auto listed = Call(port_, owner, "GET", "/api/v1/invitations");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body.find(token), std::string::npos);  // never the token again
  EXPECT_EQ(ParseJson(listed.body).as_object().at("invitations").as_array().size(), 1u);
  // The same email twice is fine while pending; an existing user's email is not.
  EXPECT_EQ(Call(port_, owner, "POST", "/api/v1/invitations",
                 R"({"email": "owner@example.com", "role": "viewer"})")
                .status,
            409);

  HttpClient c(port_);
  auto accept = [&](const std::string& t, const std::string& pw) {
    boost::json::object body{{"token", t}, {"password", pw}};
    return c.Request("POST", "/api/v1/invitations/accept", {{"Content-Type", "application/json"}},
                     boost::json::serialize(body));
  };
  EXPECT_EQ(accept(token, "short").status, 400);  // password rules first; the token stays
  auto ok = accept(token, "a new long password");
  ASSERT_EQ(ok.status, 201) << ok.body;
  Session invited{201, CookieToken(ok), JsonStr(ParseJson(ok.body), "csrf_token"), ok};
  auto me = ParseJson(Call(port_, invited, "GET", "/api/v1/me").body);
  EXPECT_EQ(JsonStr(me, "role"), "editor");
  EXPECT_EQ(JsonInt(me.as_object().at("account"), "id"), account_);
  EXPECT_EQ(accept(token, "a new long password").status, 410);
  EXPECT_EQ(accept(std::string(43, 'Q'), "a new long password").status, 404);
  EXPECT_TRUE(ParseJson(Call(port_, owner, "GET", "/api/v1/invitations").body)
                  .as_object()
                  .at("invitations")
                  .as_array()
                  .empty());
  EXPECT_EQ(Login(port_, "new@example.com", "a new long password").status, 201);

  // A deleted invitation's token no longer works.
  auto inv2 = Call(port_, owner, "POST", "/api/v1/invitations",
                   R"({"email": "later@example.com", "role": "viewer"})");
  ASSERT_EQ(inv2.status, 201);
  EXPECT_EQ(Call(port_, owner, "DELETE",
                 "/api/v1/invitations/" + std::to_string(JsonInt(ParseJson(inv2.body), "id")))
                .status,
            204);
  EXPECT_EQ(accept(JsonStr(ParseJson(inv2.body), "token"), "a new long password").status, 404);
}

TEST_F(UsersSessionsE2eTest, ARevokedApiKeyIsRefusedAtOnce) {
  ASSERT_GT(CreateUser(server_, account_, "owner@example.com", "owner"), 0);
  Session owner = Login(port_, "owner@example.com", kPassword);
  auto made = Call(port_, owner, "POST", "/api/v1/api-keys", R"({"name": "ci"})");
  ASSERT_EQ(made.status, 201) << made.body;
  auto mj = ParseJson(made.body);
  const std::string key = JsonStr(mj, "key");
  const int64_t id = JsonInt(mj, "id");
  EXPECT_EQ(key.substr(0, JsonStr(mj, "prefix").size()), JsonStr(mj, "prefix"));
  EXPECT_EQ(ApiCall(port_, "GET", "/api/v1/links", key).status, 200);
  auto list = Call(port_, owner, "GET", "/api/v1/api-keys");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find(key), std::string::npos);  // the key itself is never listed
  EXPECT_NE(list.body.find("\"ci\""), std::string::npos);

  EXPECT_EQ(Call(port_, owner, "DELETE", "/api/v1/api-keys/" + std::to_string(id)).status, 204);
  auto refused = ApiCall(port_, "GET", "/api/v1/links", key);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(ErrorCode(refused), "unauthorized");
  auto after = ParseJson(Call(port_, owner, "GET", "/api/v1/api-keys").body);
  for (const auto& k : after.as_object().at("api_keys").as_array()) {
    if (JsonInt(k, "id") == id) {
      EXPECT_FALSE(k.as_object().at("revoked_at").is_null());
    }
  }
  EXPECT_EQ(ApiCall(port_, "GET", "/api/v1/links", key_).status, 200);  // others still work
}

TEST_F(UsersSessionsE2eTest, PasswordChangeEndsTheUsersOtherSessions) {
  ASSERT_GT(CreateUser(server_, account_, "viewer@example.com", "viewer"), 0);
  Session here = Login(port_, "viewer@example.com", kPassword);
  Session elsewhere = Login(port_, "viewer@example.com", kPassword);
  ASSERT_EQ(here.status, 201);
  ASSERT_EQ(elsewhere.status, 201);
  const std::string target = "/api/v1/users/me/password";
  EXPECT_EQ(Call(port_, here, "POST", target,
                 R"({"current_password": "wrong password!", "new_password": "another password"})")
                .status,
            403);
  EXPECT_EQ(Call(port_, here, "POST", target,
                 R"({"current_password": "correct horse battery", "new_password": "short"})")
                .status,
            400);
  EXPECT_EQ(Call(port_, elsewhere, "GET", "/api/v1/me").status, 200);
  // A viewer may change its own password.
  EXPECT_EQ(
      Call(port_, here, "POST", target,
           R"({"current_password": "correct horse battery", "new_password": "another password"})")
          .status,
      204);
  EXPECT_EQ(Call(port_, here, "GET", "/api/v1/me").status, 200);
  EXPECT_EQ(Call(port_, elsewhere, "GET", "/api/v1/me").status, 401);
  EXPECT_EQ(Login(port_, "viewer@example.com", kPassword).status, 401);
  EXPECT_EQ(Login(port_, "viewer@example.com", "another password").status, 201);
}

TEST_F(UsersSessionsE2eTest, FailedSignInsAreThrottledPerEmail) {
  ASSERT_GT(CreateUser(server_, account_, "owner@example.com", "owner"), 0);
  ASSERT_GT(CreateUser(server_, account_, "other@example.com", "owner"), 0);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Login(port_, "owner@example.com", "guess number " + std::to_string(i)).status, 401);
  }
  Session limited = Login(port_, "owner@example.com", kPassword);  // even the right one waits
  EXPECT_EQ(limited.status, 429);
  EXPECT_FALSE(limited.response.Header("retry-after").empty());
  EXPECT_TRUE(limited.token.empty());
  EXPECT_EQ(Login(port_, "other@example.com", kPassword).status, 201);
}

TEST_F(UsersSessionsE2eTest, ThrottleKeysOnTheClientBehindATrustedProxy) {
  ASSERT_GT(CreateUser(server_, account_, "owner@example.com", "owner"), 0);
  const Headers attacker = {{"X-Forwarded-For", "203.0.113.7"}};
  const Headers colleague = {{"X-Forwarded-For", "198.51.100.20"}};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Login(port_, "owner@example.com", "guess " + std::to_string(i), attacker).status,
              401);
  }
  EXPECT_EQ(Login(port_, "owner@example.com", kPassword, attacker).status, 429);
  // Everyone reaches us through the same proxy: one client's failures must not lock out another.
  EXPECT_EQ(Login(port_, "owner@example.com", kPassword, colleague).status, 201);
}

// Moves every session's last use `hours` into the past, as if that time had gone by.
void AgeSessions(const std::string& data_dir, int hours) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((data_dir + "/clicktrail.db").c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  const std::string sql = "UPDATE sessions SET last_seen_at = last_seen_at - " +
                          std::to_string(int64_t{hours} * 3600 * 1'000'000);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(UsersSessionsExpiryE2eTest, AnIdleSessionExpiresAndAUsedOneSlides) {
  ServerHarness server({"--set", "ui.session_ttl_hours=2"});
  std::string key = server.CreateAccount("acme");
  ASSERT_TRUE(server.Start()) << server.Log();
  uint16_t port = server.port();
  ASSERT_GT(CreateUser(server, AccountId(port, key), "owner@example.com", "owner"), 0);
  Session s = Login(port, "owner@example.com", kPassword);
  ASSERT_EQ(s.status, 201);
  EXPECT_NE(s.response.Header("set-cookie").find("Max-Age=7200"), std::string::npos);
  // Used once an hour, it outlives the two-hour idle limit: each use slides the expiry.
  for (int i = 0; i < 3; ++i) {
    AgeSessions(server.data_dir(), 1);
    EXPECT_EQ(Call(port, s, "GET", "/api/v1/links").status, 200) << "hour " << i + 1;
  }
  // Two hours idle: gone.
  AgeSessions(server.data_dir(), 2);
  auto expired = Call(port, s, "GET", "/api/v1/me");
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(expired.Header("set-cookie").find("Max-Age=0"), std::string::npos);
}

TEST(UserCommandE2eTest, CreatesUsersWhileServeRunsAndRefusesBadInput) {
  ServerHarness server({"--set", "ui.secure_cookie=false"});
  std::string key = server.CreateAccount("acme");
  ASSERT_TRUE(server.Start()) << server.Log();
  uint16_t port = server.port();
  const int64_t account = AccountId(port, key);
  const int64_t id = CreateUser(server, account, "ed@example.com", "editor");
  ASSERT_GT(id, 0);
  Session s = Login(port, "ed@example.com", kPassword);
  ASSERT_EQ(s.status, 201);
  EXPECT_EQ(s.response.Header("set-cookie").find("Secure"), std::string::npos);
  EXPECT_EQ(JsonInt(ParseJson(s.response.body).as_object().at("user"), "id"), id);
  EXPECT_EQ(JsonStr(ParseJson(s.response.body).as_object().at("user"), "role"), "editor");

  auto run = [&](const std::string& email, const std::string& acct, const std::string& role,
                 const std::string& pw) {
    return RunCommand({"/bin/sh", "-c",
                       "printf '%s\\n' \"$0\" | \"$1\" user create \"$2\" --account \"$3\" "
                       "--role \"$4\" --data \"$5\"",
                       pw, ClicktrailBin(), email, acct, role, server.data_dir()})
        .exit_code;
  };
  EXPECT_EQ(run("ED@example.com", std::to_string(account), "viewer", kPassword), 1);  // taken
  EXPECT_EQ(run("x@example.com", std::to_string(account), "viewer", "short"), 2);
  EXPECT_EQ(run("x@example.com", std::to_string(account), "admin", kPassword), 2);
  EXPECT_EQ(run("not-an-email", std::to_string(account), "viewer", kPassword), 2);
  EXPECT_EQ(run("x@example.com", "999", "viewer", kPassword), 1);  // no such account
  EXPECT_EQ(Login(port, "x@example.com", kPassword).status, 401);
}

}  // namespace
}  // namespace ct::test
