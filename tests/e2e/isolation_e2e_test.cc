// Tenants are walled off (DESIGN promise 6): account B cannot read, change, delete or get the
// stats of account A's link; every such attempt is a 404 (never a 403 that confirms it exists),
// and A's link is untouched afterwards.
#include <gtest/gtest.h>

#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/server.h"

namespace ct::test {
namespace {

TEST(IsolationE2eTest, AccountBCannotTouchAccountALink) {
  ServerHarness server;
  std::string a = server.CreateAccount("a"), b = server.CreateAccount("b");
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  ASSERT_TRUE(server.Start()) << server.Log();
  uint16_t port = server.port();

  auto created = ApiCall(port, "POST", "/api/v1/links", a,
                         R"({"destination": "https://a.example/", "slug": "a-link"})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string path = "/api/v1/links/" + std::to_string(JsonInt(ParseJson(created.body), "id"));

  EXPECT_EQ(ApiCall(port, "GET", path, b).status, 404);
  EXPECT_EQ(ApiCall(port, "GET", path + "/stats", b).status, 404);
  EXPECT_EQ(ApiCall(port, "PATCH", path, b, R"({"destination": "https://b.example/"})").status,
            404);
  EXPECT_EQ(ApiCall(port, "DELETE", path, b).status, 404);
  auto list = ParseJson(ApiCall(port, "GET", "/api/v1/links", b).body);
  EXPECT_TRUE(list.as_object().at("links").as_array().empty());

  // A's link is unchanged and still redirects.
  auto got = ApiCall(port, "GET", path, a);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(JsonStr(ParseJson(got.body), "destination"), "https://a.example/");
  HttpClient c(port);
  EXPECT_EQ(c.Request("GET", "/a-link").Header("location"), "https://a.example/");
  // And B cannot take A's slug either.
  EXPECT_EQ(ApiCall(port, "POST", "/api/v1/links", b,
                    R"({"destination": "https://b.example/", "slug": "a-link"})")
                .status,
            409);
}

TEST(IsolationE2eTest, MissingBadAndQueryStringKeysAre401) {
  ServerHarness server;
  std::string a = server.CreateAccount("a");
  ASSERT_TRUE(server.Start()) << server.Log();
  uint16_t port = server.port();
  EXPECT_EQ(ApiCall(port, "GET", "/api/v1/links", "").status, 401);
  EXPECT_EQ(ApiCall(port, "GET", "/api/v1/links", "ct_wrong").status, 401);
  std::string tampered = a;
  tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(ApiCall(port, "GET", "/api/v1/links", tampered).status, 401);
  EXPECT_EQ(ApiCall(port, "GET", "/api/v1/links?api_key=" + a, "").status, 401);
  auto r = ApiCall(port, "GET", "/api/v1/links", "");
  EXPECT_EQ(JsonStr(ParseJson(r.body).as_object().at("error"), "code"), "unauthorized");
  EXPECT_EQ(ApiCall(port, "GET", "/api/v1/links", a).status, 200);
}

}  // namespace
}  // namespace ct::test

namespace ct::test {
namespace {

TEST(RateLimitE2eTest, OverTheRateIs429WithRetryAfterAndOtherKeysGoOn) {
  ServerHarness server({"--set", "api.rate_per_second=1", "--set", "api.rate_burst=5"});
  std::string a = server.CreateAccount("a"), b = server.CreateAccount("b");
  ASSERT_TRUE(server.Start()) << server.Log();
  HttpClient c(server.port());
  int limited = 0;
  std::string retry_after;
  for (int i = 0; i < 10; ++i) {
    auto r = c.Request("GET", "/api/v1/links", {{"Authorization", "Bearer " + a}});
    if (r.status == 429) {
      ++limited;
      retry_after = r.Header("retry-after");
    } else {
      EXPECT_EQ(r.status, 200);
    }
  }
  EXPECT_GE(limited, 4);
  EXPECT_FALSE(retry_after.empty());
  EXPECT_EQ(ApiCall(server.port(), "GET", "/api/v1/links", b).status, 200);
  // Redirects are never rate limited by the API's limiter.
  EXPECT_EQ(c.Request("GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace ct::test
