// /api/v1/goals and /api/v1/postbacks against a real SqliteStore: the objects, validation,
// the SSRF refusals at save time, tenancy and the postback secret.
#include <gtest/gtest.h>

#include "api_fixture.h"
#include "postback/signature.h"

namespace ct::api {
namespace {

namespace json = boost::json;

using GoalsTest = ApiFixture;
using PostbacksTest = ApiFixture;

TEST_F(GoalsTest, CreateGetListUpdateDelete) {
  json::object g = CreateGoal(key_a_, R"({"name": "purchase", "value": 19.99, "currency": "EUR",
      "window": 86400, "counting": "once_per_order", "attribution": "first_click",
      "piggyback_urls": ["https://partner.example/px?c={click_id}&v={value}"]})");
  ASSERT_FALSE(g.empty());
  const std::string key(g.at("key").as_string());
  EXPECT_EQ(key.size(), 16u);
  for (char c : key) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << key;
  EXPECT_EQ(g.at("pixel_url").as_string(), "https://go.example.com/c/" + key + ".gif");
  EXPECT_EQ(g.at("html_url").as_string(), "https://go.example.com/c/" + key + "?format=html");
  EXPECT_EQ(g.at("value").as_string(), "19.99");
  EXPECT_EQ(g.at("currency").as_string(), "EUR");
  EXPECT_EQ(g.at("window").as_int64(), 86400);
  EXPECT_EQ(g.at("counting").as_string(), "once_per_order");
  EXPECT_EQ(g.at("attribution").as_string(), "first_click");
  EXPECT_EQ(g.at("piggyback_urls").as_array().size(), 1u);
  EXPECT_EQ(links_changed_, 1);  // the edge learns of goals through the link sync

  const std::string path = "/api/v1/goals/" + std::to_string(g.at("id").as_int64());
  ApiResponse got = Call("GET", path, key_a_);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(Json(got), g);
  // Defaults.
  json::object d = CreateGoal(key_a_, R"({"name": "signup"})");
  EXPECT_EQ(d.at("value").as_string(), "0");
  EXPECT_EQ(d.at("currency").as_string(), "USD");
  EXPECT_EQ(d.at("window").as_int64(), 30 * 86400);
  EXPECT_EQ(d.at("counting").as_string(), "every");
  EXPECT_EQ(d.at("attribution").as_string(), "last_click");
  EXPECT_NE(d.at("key"), g.at("key"));

  ApiResponse list = Call("GET", "/api/v1/goals", key_a_);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(Json(list).at("goals").as_array().size(), 2u);
  EXPECT_EQ(Json(Call("GET", "/api/v1/goals", key_b_)).at("goals").as_array().size(), 0u);

  ApiResponse up = Call("PATCH", path, key_a_, R"({"name": "order", "value": "0.5",
      "piggyback_urls": []})");
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(Json(up).at("name").as_string(), "order");
  EXPECT_EQ(Json(up).at("value").as_string(), "0.5");
  EXPECT_EQ(Json(up).at("key"), g.at("key"));  // the key never changes
  EXPECT_EQ(Json(up).at("piggyback_urls").as_array().size(), 0u);
  EXPECT_EQ(links_changed_, 3);

  ASSERT_EQ(Call("DELETE", path, key_a_).status, 204);
  EXPECT_EQ(Call("GET", path, key_a_).status, 404);
  EXPECT_EQ(Call("DELETE", path, key_a_).status, 404);
  EXPECT_EQ(links_changed_, 4);
}

TEST_F(GoalsTest, BadFieldsAre400) {
  for (const char* body : {
           R"({})",  // name required
           R"({"name": ""})",
           R"({"name": 5})",
           R"({"name": "x", "value": "-1"})",
           R"({"name": "x", "value": "1e3"})",
           R"({"name": "x", "value": "1.0000001"})",
           R"({"name": "x", "currency": "usd"})",
           R"({"name": "x", "window": 59})",
           R"({"name": "x", "window": 31536001})",
           R"({"name": "x", "window": "30d"})",
           R"({"name": "x", "counting": "sometimes"})",
           R"({"name": "x", "attribution": "linear"})",
           R"({"name": "x", "piggyback_urls": "https://a.example/"})",
           R"j({"name": "x", "piggyback_urls": ["javascript:alert(1)"]})j",
           R"({"name": "x", "piggyback_urls": ["https://a.example/{nope}"]})",
           R"({"name": "x", "colour": "red"})",
           R"({"name": "x", "id": 5})",
           R"({"name": "x", "key": "AAAAAAAAAAAAAAAA"})",
           R"({"name": "x", "account_id": 2})",
           R"({"name": "x", "created_at": "2024-01-01"})",
       }) {
    ApiResponse r = Call("POST", "/api/v1/goals", key_a_, body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    EXPECT_FALSE(ErrorMessage(r).empty());
  }
  std::string eleven = R"({"name": "x", "piggyback_urls": [)";
  for (int i = 0; i < 11; ++i) eleven += std::string(i ? "," : "") + R"("https://a.example/")";
  EXPECT_EQ(Call("POST", "/api/v1/goals", key_a_, eleven + "]}").status, 400);
  EXPECT_EQ(Json(Call("GET", "/api/v1/goals", key_a_)).at("goals").as_array().size(), 0u);
}

// The SSRF targets of RELIABILITY §4, refused when saved with code "ssrf_refused".
const char* const kSsrfTargets[] = {
    "http://127.0.0.1/x",
    "http://2130706433/x",
    "http://0x7f000001/x",
    "http://0177.0.0.1/x",
    "http://127.1/x",
    "http://[::1]/x",
    "http://169.254.169.254/latest/meta-data",
    "http://10.0.0.5/x",
    "http://192.168.1.1/x",
    "http://localhost/x",
    "http://localhost./x",
    "http://[::ffff:127.0.0.1]/x",
    "http://go.example.com/x",  // our own host
    "http://example.com:22/x",  // a port outside postbacks.allowed_ports
};

TEST_F(GoalsTest, PiggybackSsrfTargetsAreRefused) {
  options_.ssrf.own_hosts = {"go.example.com"};
  BuildRouter();
  for (const char* url : kSsrfTargets) {
    json::object body{{"name", "x"}, {"piggyback_urls", json::array{url}}};
    ApiResponse r = Call("POST", "/api/v1/goals", key_a_, json::serialize(body));
    EXPECT_EQ(r.status, 400) << url << " -> " << r.body;
    EXPECT_EQ(ErrorCode(r), "ssrf_refused") << url << " -> " << r.body;
  }
  // A macro in the host is a template error, not an SSRF one.
  ApiResponse macro = Call("POST", "/api/v1/goals", key_a_,
                           R"({"name": "x", "piggyback_urls": ["https://{country}.example/p"]})");
  EXPECT_EQ(macro.status, 400) << macro.body;
  EXPECT_EQ(ErrorCode(macro), "bad_request");
}

TEST_F(GoalsTest, AnotherAccountsGoalIs404) {
  json::object g = CreateGoal(key_a_, R"({"name": "purchase"})");
  const std::string path = "/api/v1/goals/" + std::to_string(g.at("id").as_int64());
  EXPECT_EQ(Call("GET", path, key_b_).status, 404);
  EXPECT_EQ(Call("PATCH", path, key_b_, R"({"name": "mine"})").status, 404);
  EXPECT_EQ(Call("DELETE", path, key_b_).status, 404);
  EXPECT_EQ(Call("GET", path + "/stats", key_b_).status, 404);
  EXPECT_EQ(
      Call("GET", "/api/v1/stats?goal_id=" + std::to_string(g.at("id").as_int64()), key_b_).status,
      404);
  EXPECT_EQ(Call("GET", path, key_a_).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/goals/abc", key_a_).status, 404);
}

TEST_F(PostbacksTest, CreateShowsTheSecretOnceAndRotates) {
  json::object goal = CreateGoal(key_a_, R"({"name": "purchase"})");
  json::object body{{"name", "network"},
                    {"url", "https://partner.example/pb?cid={click_id}&payout={value}"},
                    {"method", "POST"},
                    {"events", json::array{"conversion", "click"}},
                    {"goal_ids", json::array{goal.at("id")}},
                    {"attributed_only", false}};
  ApiResponse r = Call("POST", "/api/v1/postbacks", key_a_, json::serialize(body));
  ASSERT_EQ(r.status, 201) << r.body;
  json::object p = Json(r);
  const std::string secret(p.at("secret").as_string());
  EXPECT_TRUE(postback::IsValidSecret(secret)) << secret;
  EXPECT_EQ(secret.rfind("whsec_", 0), 0u);
  EXPECT_EQ(p.at("secret_prefix").as_string(), secret.substr(0, 10));
  EXPECT_EQ(p.at("method").as_string(), "POST");
  EXPECT_EQ(p.at("events"), (json::array{"conversion", "click"}));
  EXPECT_EQ(p.at("goal_ids"), (json::array{goal.at("id")}));
  EXPECT_EQ(p.at("attributed_only").as_bool(), false);
  EXPECT_EQ(p.at("disabled").as_bool(), false);

  const std::string path = "/api/v1/postbacks/" + std::to_string(p.at("id").as_int64());
  json::object got = Json(Call("GET", path, key_a_));
  EXPECT_FALSE(got.contains("secret"));  // only the prefix after creation
  EXPECT_EQ(got.at("secret_prefix").as_string(), secret.substr(0, 10));
  json::object listed = Json(Call("GET", "/api/v1/postbacks", key_a_));
  ASSERT_EQ(listed.at("postbacks").as_array().size(), 1u);
  EXPECT_FALSE(listed.at("postbacks").as_array()[0].as_object().contains("secret"));

  ApiResponse rot = Call("PATCH", path, key_a_, R"({"rotate_secret": true})");
  ASSERT_EQ(rot.status, 200) << rot.body;
  const std::string rotated(Json(rot).at("secret").as_string());
  EXPECT_TRUE(postback::IsValidSecret(rotated));
  EXPECT_NE(rotated, secret);
  // A plain PATCH does not show it.
  ApiResponse up = Call("PATCH", path, key_a_, R"({"name": "renamed", "disabled": true})");
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_FALSE(Json(up).contains("secret"));
  EXPECT_EQ(Json(up).at("disabled").as_bool(), true);
  ApiResponse re = Call("PATCH", path, key_a_, R"({"disabled": false})");
  EXPECT_EQ(Json(re).at("disabled").as_bool(), false);
  // A client cannot choose the secret.
  EXPECT_EQ(
      Call("PATCH", path, key_a_, R"({"secret": "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})").status,
      400);

  ASSERT_EQ(Call("DELETE", path, key_a_).status, 204);
  EXPECT_EQ(Call("GET", path, key_a_).status, 404);
}

TEST_F(PostbacksTest, BadFieldsAre400) {
  for (const char* body : {
           R"({"url": "https://a.example/"})",  // name required
           R"({"name": "x"})",                  // url required
           R"({"name": "x", "url": "ftp://a.example/"})",
           R"({"name": "x", "url": "https://a.example/{unknown_macro}"})",
           R"({"name": "x", "url": "https://{click_id}.example/"})",
           R"({"name": "x", "url": "https://a.example/", "method": "PUT"})",
           R"({"name": "x", "url": "https://a.example/", "events": []})",
           R"({"name": "x", "url": "https://a.example/", "events": ["purchase"]})",
           R"({"name": "x", "url": "https://a.example/", "events": ["click", "click"]})",
           R"({"name": "x", "url": "https://a.example/", "goal_ids": [0]})",
           R"({"name": "x", "url": "https://a.example/", "goal_ids": "1"})",
           R"({"name": "x", "url": "https://a.example/", "attributed_only": "yes"})",
           R"({"name": "x", "url": "https://a.example/", "secret": "whsec_x"})",
           R"({"name": "x", "url": "https://a.example/", "rotate_secret": true})",
           R"({"name": "x", "url": "https://a.example/", "id": 3})",
           R"({"name": "x", "url": "https://a.example/", "extra": 3})",
       }) {
    ApiResponse r = Call("POST", "/api/v1/postbacks", key_a_, body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
  }
  EXPECT_EQ(Json(Call("GET", "/api/v1/postbacks", key_a_)).at("postbacks").as_array().size(), 0u);
}

TEST_F(PostbacksTest, SsrfTargetsAreRefusedAtSave) {
  options_.ssrf.own_hosts = {"go.example.com"};
  BuildRouter();
  for (const char* url : kSsrfTargets) {
    json::object body{{"name", "x"}, {"url", url}};
    ApiResponse r = Call("POST", "/api/v1/postbacks", key_a_, json::serialize(body));
    EXPECT_EQ(r.status, 400) << url << " -> " << r.body;
    EXPECT_EQ(ErrorCode(r), "ssrf_refused") << url << " -> " << r.body;
  }
  // And on PATCH.
  ApiResponse ok = Call("POST", "/api/v1/postbacks", key_a_,
                        R"({"name": "x", "url": "https://partner.example/pb"})");
  ASSERT_EQ(ok.status, 201) << ok.body;
  const std::string path = "/api/v1/postbacks/" + std::to_string(Json(ok).at("id").as_int64());
  ApiResponse bad = Call("PATCH", path, key_a_, R"({"url": "http://169.254.169.254/"})");
  EXPECT_EQ(ErrorCode(bad), "ssrf_refused") << bad.body;
  // The operator's allow-list lets a chosen address through (the tests' receivers).
  auto allow = postback::CidrList::Parse("127.0.0.1/32");
  ASSERT_TRUE(allow.ok());
  options_.ssrf.allow = *allow;
  BuildRouter();
  EXPECT_EQ(Call("POST", "/api/v1/postbacks", key_a_,
                 R"({"name": "x", "url": "http://127.0.0.1:8080/pb"})")
                .status,
            201);
}

TEST_F(PostbacksTest, TenancyOfPostbacksAndTheirGoals) {
  json::object bobs_goal = CreateGoal(key_b_, R"({"name": "bob"})");
  json::object body{{"name", "x"},
                    {"url", "https://partner.example/pb"},
                    {"goal_ids", json::array{bobs_goal.at("id")}}};
  ApiResponse r = Call("POST", "/api/v1/postbacks", key_a_, json::serialize(body));
  EXPECT_EQ(r.status, 404) << r.body;
  ApiResponse mine = Call("POST", "/api/v1/postbacks", key_a_,
                          R"({"name": "x", "url": "https://partner.example/pb"})");
  ASSERT_EQ(mine.status, 201);
  const std::string path = "/api/v1/postbacks/" + std::to_string(Json(mine).at("id").as_int64());
  EXPECT_EQ(Call("GET", path, key_b_).status, 404);
  EXPECT_EQ(Call("PATCH", path, key_b_, R"({"name": "y"})").status, 404);
  EXPECT_EQ(Call("PATCH", path, key_b_, R"({"rotate_secret": true})").status, 404);
  EXPECT_EQ(Call("DELETE", path, key_b_).status, 404);
  EXPECT_EQ(Json(Call("GET", "/api/v1/postbacks", key_b_)).at("postbacks").as_array().size(), 0u);
  EXPECT_EQ(Call("GET", path, key_a_).status, 200);
}

}  // namespace
}  // namespace ct::api
