// The dashboard's sign-in flow in distributed mode, every part real (Debian postgresql-15 and
// nats-server on loopback, `clicktrail` roles as processes): a user made by `clicktrail user
// create --config` signs in through one api process and goes on through another, since users,
// sessions, invitations and API keys live in PostgreSQL. A key made through one api and revoked
// through the other is refused by both at once.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/nats_cluster.h"
#include "testutil/pg_cluster.h"
#include "testutil/process.h"
#include "testutil/server.h"
#include "testutil/temp_dir.h"

namespace ct::test {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;
using std::chrono::seconds;
constexpr char kPassword[] = "correct horse battery";

struct Session {
  std::string token;  // the ct_session cookie
  std::string csrf;
};

// The value of ct_session in a Set-Cookie header ("" if none).
std::string CookieToken(const HttpResponse& r) {
  std::string c = r.Header("set-cookie");
  size_t at = c.find("ct_session=");
  if (at == std::string::npos) return "";
  at += 11;
  return c.substr(at, c.find(';', at) - at);
}

// POST /api/v1/sessions as the dashboard's sign-in form does.
HttpResponse SignIn(uint16_t port, const std::string& email, const std::string& password,
                    Session* out) {
  HttpClient c(port);
  boost::json::object body{{"email", email}, {"password", password}};
  HttpResponse r = c.Request("POST", "/api/v1/sessions", {{"Content-Type", "application/json"}},
                             boost::json::serialize(body));
  if (r.status == 201) *out = {CookieToken(r), JsonStr(ParseJson(r.body), "csrf_token")};
  return r;
}

// A request as the dashboard makes it: the cookie, and on writes the CSRF token.
HttpResponse Call(uint16_t port, const Session& s, const std::string& method,
                  const std::string& target, const std::string& json = "") {
  HttpClient c(port);
  Headers h{{"Cookie", "ct_session=" + s.token}};
  if (method != "GET") h.emplace_back("X-CSRF-Token", s.csrf);
  if (!json.empty()) h.emplace_back("Content-Type", "application/json");
  return c.Request(method, target, h, json);
}

class DashboardSignInTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = std::make_unique<PgCluster>();
    ASSERT_FALSE(HasFatalFailure());
    nats_ = std::make_unique<NatsCluster>();
    config_ = dir_.Join("clicktrail.conf");
    std::ofstream f(config_);
    f << "postgres.url = \"" << pg_->conninfo() << "\"\n"
      << "postgres.statement_timeout_ms = 5000\n"
      << "nats.servers = " << nats_->Servers() << "\n"
      << "ui.secure_cookie = false\n";
    f.close();
    auto r = RunCommand({ClicktrailBin(), "account", "create", "acme", "--config", config_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    key_ = r.out.substr(0, r.out.find('\n'));
    ASSERT_FALSE(key_.empty());
  }

  ServerHarness* StartApi(const std::string& id) {
    roles_.push_back(ServerHarness::Role("api", config_, {"--set", "edge.id=" + id}));
    ServerHarness* h = roles_.back().get();
    EXPECT_TRUE(h->Start(seconds(30))) << id << ":\n" << h->Log();
    return h;
  }

  // `clicktrail user create EMAIL --config` with the password on stdin; the exit code.
  int CreateUser(int64_t account, const std::string& email, std::string* err) {
    auto r = RunCommand({"/bin/sh", "-c",
                         "printf '%s\\n' \"$0\" | \"$1\" user create \"$2\" --account \"$3\" "
                         "--role owner --config \"$4\"",
                         kPassword, ClicktrailBin(), email, std::to_string(account), config_});
    *err = r.err;
    return r.exit_code;
  }

  TempDir dir_;
  std::unique_ptr<PgCluster> pg_;
  std::unique_ptr<NatsCluster> nats_;
  std::string config_;
  std::string key_;
  std::vector<std::unique_ptr<ServerHarness>> roles_;
};

TEST_F(DashboardSignInTest, SignInOnOneApiProcessKeysRevokedOnAnotherAreRefusedByBoth) {
  ServerHarness* api1 = StartApi("api-1");
  ServerHarness* api2 = StartApi("api-2");
  ASSERT_FALSE(HasFailure());
  const uint16_t p1 = api1->port(), p2 = api2->port();
  const int64_t account =
      JsonInt(ParseJson(ApiCall(p1, "GET", "/api/v1/account", key_).body), "id");
  ASSERT_GT(account, 0);
  std::string err;
  ASSERT_EQ(CreateUser(account, "Owner@Example.com", &err), 0) << err;
  EXPECT_EQ(CreateUser(account, "owner@example.com", &err), 1);  // taken, in PostgreSQL
  EXPECT_NE(err.find("email taken"), std::string::npos) << err;

  // Wrong password: refused, no cookie. Right one on api-1: a session api-2 knows too.
  Session s;
  EXPECT_EQ(SignIn(p1, "owner@example.com", "not the password", &s).status, 401);
  HttpResponse in = SignIn(p1, "owner@example.com", kPassword, &s);
  ASSERT_EQ(in.status, 201) << in.body << "\n" << api1->Log();
  ASSERT_EQ(s.token.size(), 43u);
  for (uint16_t port : {p1, p2}) {
    HttpResponse me = Call(port, s, "GET", "/api/v1/me");
    ASSERT_EQ(me.status, 200) << me.body;
    auto mej = ParseJson(me.body);
    EXPECT_EQ(JsonStr(mej, "role"), "owner");
    EXPECT_EQ(JsonStr(mej, "csrf_token"), s.csrf);
    EXPECT_EQ(JsonInt(mej.as_object().at("account"), "id"), account);
  }

  // A key made through api-2 works on api-1; revoked through api-1, both refuse it at once.
  HttpResponse made = Call(p2, s, "POST", "/api/v1/api-keys", R"({"name": "ci"})");
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string key = JsonStr(ParseJson(made.body), "key");
  const int64_t key_id = JsonInt(ParseJson(made.body), "id");
  EXPECT_EQ(ApiCall(p1, "GET", "/api/v1/links", key).status, 200);
  EXPECT_EQ(ApiCall(p2, "GET", "/api/v1/links", key).status, 200);
  HttpResponse listed = Call(p1, s, "GET", "/api/v1/api-keys");
  ASSERT_EQ(listed.status, 200);
  EXPECT_NE(listed.body.find("\"ci\""), std::string::npos) << listed.body;
  EXPECT_EQ(listed.body.find(key), std::string::npos);  // the key itself is never listed
  EXPECT_EQ(Call(p1, s, "DELETE", "/api/v1/api-keys/" + std::to_string(key_id)).status, 204);
  EXPECT_EQ(ApiCall(p1, "GET", "/api/v1/links", key).status, 401);
  EXPECT_EQ(ApiCall(p2, "GET", "/api/v1/links", key).status, 401);
  EXPECT_EQ(ApiCall(p2, "GET", "/api/v1/links", key_).status, 200);  // the others still work
  bool revoked_listed = false;
  const boost::json::value keys = ParseJson(Call(p2, s, "GET", "/api/v1/api-keys").body);
  for (const auto& k : keys.as_object().at("api_keys").as_array()) {
    if (JsonInt(k, "id") == key_id) revoked_listed = !k.as_object().at("revoked_at").is_null();
  }
  EXPECT_TRUE(revoked_listed);

  // An invitation made through api-1 is accepted through api-2, once.
  HttpResponse inv = Call(p1, s, "POST", "/api/v1/invitations",
                          R"({"email": "new@example.com", "role": "editor"})");
  ASSERT_EQ(inv.status, 201) << inv.body;
  boost::json::object accept{{"token", JsonStr(ParseJson(inv.body), "token")},
                             {"password", "a new long password"}};
  HttpClient c2(p2);
  HttpResponse ok =
      c2.Request("POST", "/api/v1/invitations/accept", {{"Content-Type", "application/json"}},
                 boost::json::serialize(accept));
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(HttpClient(p1)
                .Request("POST", "/api/v1/invitations/accept",
                         {{"Content-Type", "application/json"}}, boost::json::serialize(accept))
                .status,
            410);
  Session invited;
  ASSERT_EQ(SignIn(p1, "new@example.com", "a new long password", &invited).status, 201);
  EXPECT_EQ(JsonStr(ParseJson(Call(p2, invited, "GET", "/api/v1/me").body), "role"), "editor");

  // Signing out through api-2 ends the session on api-1 too.
  EXPECT_EQ(Call(p2, s, "DELETE", "/api/v1/sessions/current").status, 204);
  EXPECT_EQ(Call(p1, s, "GET", "/api/v1/me").status, 401);

  for (auto& r : roles_) EXPECT_EQ(r->Terminate(seconds(30)), 0) << r->Log();
}

}  // namespace
}  // namespace ct::test
