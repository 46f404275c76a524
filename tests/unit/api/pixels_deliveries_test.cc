// /api/v1/pixels (links of kind pixel, kept apart from /links), the deliveries endpoints'
// parameter checks, and the conversion figures of the stats endpoints.
#include <gtest/gtest.h>

#include "api_fixture.h"

namespace ct::api {
namespace {

namespace json = boost::json;

using PixelsTest = ApiFixture;
using DeliveriesTest = ApiFixture;
using ConversionStatsTest = ApiFixture;

TEST_F(PixelsTest, CreateListGetUpdateDelete) {
  ApiResponse r = Call("POST", "/api/v1/pixels", key_a_,
                       R"({"slug": "newsletter-1", "title": "June issue", "tags": ["mail"]})");
  ASSERT_EQ(r.status, 201) << r.body;
  json::object p = Json(r);
  EXPECT_EQ(p.at("kind").as_string(), "pixel");
  EXPECT_EQ(p.at("pixel_url").as_string(), "https://go.example.com/p/newsletter-1.gif");
  EXPECT_EQ(p.at("img_tag").as_string(),
            "<img src=\"https://go.example.com/p/newsletter-1.gif\" width=\"1\" height=\"1\" "
            "alt=\"\" style=\"display:none\">");
  EXPECT_EQ(links_changed_, 1);
  ApiResponse gen = Call("POST", "/api/v1/pixels", key_a_, "{}");
  ASSERT_EQ(gen.status, 201) << gen.body;
  EXPECT_EQ(Json(gen).at("slug").as_string().size(), 7u);

  const std::string path = "/api/v1/pixels/" + std::to_string(p.at("id").as_int64());
  EXPECT_EQ(Json(Call("GET", path, key_a_)), p);
  ApiResponse list = Call("GET", "/api/v1/pixels?limit=1", key_a_);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(Json(list).at("pixels").as_array().size(), 1u);
  EXPECT_TRUE(Json(list).at("next_cursor").is_string());
  ApiResponse up = Call("PATCH", path, key_a_, R"({"title": "July issue"})");
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(Json(up).at("title").as_string(), "July issue");
  // Pixels take only pixel fields; the slug namespace is shared with links.
  EXPECT_EQ(
      Call("POST", "/api/v1/pixels", key_a_, R"({"destination": "https://a.example/"})").status,
      400);
  EXPECT_EQ(Call("POST", "/api/v1/pixels", key_a_, R"({"pixel_url": "x"})").status, 400);
  EXPECT_EQ(Call("POST", "/api/v1/pixels", key_a_, R"({"slug": "newsletter-1"})").status, 409);
  EXPECT_EQ(Call("POST", "/api/v1/links", key_a_,
                 R"({"slug": "newsletter-1", "destination": "https://a.example/"})")
                .status,
            409);
  // Tenancy.
  EXPECT_EQ(Call("GET", path, key_b_).status, 404);
  EXPECT_EQ(Call("DELETE", path, key_b_).status, 404);
  ASSERT_EQ(Call("DELETE", path, key_a_).status, 204);
  EXPECT_EQ(Call("GET", path, key_a_).status, 404);
}

TEST_F(PixelsTest, LinksAndPixelsAreKeptApart) {
  ApiResponse px = Call("POST", "/api/v1/pixels", key_a_, R"({"slug": "px"})");
  ASSERT_EQ(px.status, 201);
  ApiResponse ln = Call("POST", "/api/v1/links", key_a_,
                        R"({"slug": "ln", "destination": "https://a.example/"})");
  ASSERT_EQ(ln.status, 201);
  const std::string pid = std::to_string(Json(px).at("id").as_int64());
  const std::string lid = std::to_string(Json(ln).at("id").as_int64());
  auto links = Json(Call("GET", "/api/v1/links", key_a_)).at("links").as_array();
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].at("slug").as_string(), "ln");
  auto pixels = Json(Call("GET", "/api/v1/pixels", key_a_)).at("pixels").as_array();
  ASSERT_EQ(pixels.size(), 1u);
  EXPECT_EQ(pixels[0].at("slug").as_string(), "px");
  for (const std::string sub : {"", "/stats", "/hits", "/qr"}) {
    EXPECT_EQ(Call("GET", "/api/v1/links/" + pid + sub, key_a_).status, 404) << sub;
  }
  EXPECT_EQ(Call("PATCH", "/api/v1/links/" + pid, key_a_, R"({"title": "x"})").status, 404);
  EXPECT_EQ(Call("DELETE", "/api/v1/links/" + pid, key_a_).status, 404);
  for (const std::string sub : {"", "/stats", "/hits"}) {
    EXPECT_EQ(Call("GET", "/api/v1/pixels/" + lid + sub, key_a_).status, 404) << sub;
  }
  EXPECT_EQ(Call("DELETE", "/api/v1/pixels/" + lid, key_a_).status, 404);
  // A pixel's own reports work, with the conversion figures at zero.
  ApiResponse stats = Call("GET", "/api/v1/pixels/" + pid + "/stats", key_a_);
  ASSERT_EQ(stats.status, 200) << stats.body;
  EXPECT_EQ(Json(stats).at("conversions").as_int64(), 0);
  EXPECT_EQ(Call("GET", "/api/v1/pixels/" + pid + "/hits", key_a_).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/pixels/" + pid + "/stats", key_b_).status, 404);
  // The link and the pixel both still exist.
  EXPECT_EQ(Call("GET", "/api/v1/links/" + lid, key_a_).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/pixels/" + pid, key_a_).status, 200);
}

TEST_F(DeliveriesTest, ParametersAndBodiesAreChecked) {
  for (const char* q :
       {"?state=lost", "?postback_id=x", "?limit=-1", "?cursor=abc", "?from=nope", "?sort=asc",
        "?state=dead&state=pending", "?from=2024-01-02T00:00:00Z&to=2024-01-01T00:00:00Z"}) {
    ApiResponse r = Call("GET", std::string("/api/v1/deliveries") + q, key_a_);
    EXPECT_EQ(r.status, 400) << q << " " << r.body;
  }
  for (const char* body :
       {R"({})", R"({"ids": []})", R"({"ids": ["x"]})", R"({"ids": [5]})",
        R"({"ids": ["msg_a_1"], "state": "dead"})", R"({"state": "lost"})", R"({"postback_id": 0})",
        R"({"from": "yesterday"})", R"({"everything": true})"}) {
    ApiResponse r = Call("POST", "/api/v1/deliveries/replay", key_a_, body);
    EXPECT_EQ(r.status, 400) << body << " " << r.body;
  }
  // Ids that cannot be delivery ids name nothing.
  EXPECT_EQ(Call("GET", "/api/v1/deliveries/1234", key_a_).status, 404);
  EXPECT_EQ(Call("POST", "/api/v1/deliveries/not-an-id/replay", key_a_).status, 404);
  EXPECT_EQ(Call("PUT", "/api/v1/deliveries/replay", key_a_).status, 405);
  EXPECT_EQ(Call("DELETE", "/api/v1/deliveries/msg_abc_1", key_a_).status, 405);
}

TEST(DeliveryIdShape, LooksLikeDeliveryId) {
  EXPECT_TRUE(LooksLikeDeliveryId("msg_AAAAAAAAAAAAAAAAAAAAAA_12"));
  EXPECT_TRUE(LooksLikeDeliveryId("msg_AAAAAAAAAAAAAAAAAAAAAA_pg0"));
  EXPECT_FALSE(LooksLikeDeliveryId("msg_"));
  EXPECT_FALSE(LooksLikeDeliveryId("replay"));
  EXPECT_FALSE(LooksLikeDeliveryId("msg_a/b"));
  EXPECT_FALSE(LooksLikeDeliveryId("msg_a%20b"));
  EXPECT_FALSE(LooksLikeDeliveryId("msg_" + std::string(100, 'a')));
}

TEST_F(ConversionStatsTest, StatsCarryConversionFiguresAndTakeGoalId) {
  ApiResponse ln = Call("POST", "/api/v1/links", key_a_,
                        R"({"slug": "ln", "destination": "https://a.example/"})");
  ASSERT_EQ(ln.status, 201);
  const std::string lid = std::to_string(Json(ln).at("id").as_int64());
  json::object goal = CreateGoal(key_a_, R"({"name": "purchase", "currency": "EUR"})");
  const std::string gid = std::to_string(goal.at("id").as_int64());
  ApiResponse r =
      Call("GET", "/api/v1/links/" + lid + "/stats?goal_id=" + gid + "&group_by=country", key_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  json::object s = Json(r);
  EXPECT_EQ(s.at("conversions").as_int64(), 0);
  EXPECT_EQ(s.at("value").as_string(), "0");
  EXPECT_EQ(s.at("conversion_rate").as_double(), 0.0);
  EXPECT_EQ(s.at("epc").as_string(), "0");
  EXPECT_EQ(s.at("currency").as_string(), "EUR");
  ASSERT_FALSE(s.at("series").as_array().empty());
  EXPECT_TRUE(s.at("series").as_array()[0].as_object().contains("conversions"));
  EXPECT_EQ(Call("GET", "/api/v1/stats?goal_id=abc", key_a_).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/stats?goal_id=999999", key_a_).status, 404);
  ApiResponse acct = Call("GET", "/api/v1/stats", key_a_);
  ASSERT_EQ(acct.status, 200) << acct.body;
  EXPECT_TRUE(Json(acct).contains("epc"));
}

TEST_F(ConversionStatsTest, GoalReport) {
  json::object goal = CreateGoal(key_a_, R"({"name": "purchase", "currency": "EUR"})");
  const std::string gid = std::to_string(goal.at("id").as_int64());
  // Until store-outbox lands the store answers "not implemented yet" for GetGoalStats.
  auto probe = store_->GetGoalStats(account_a_, 0, 1);
  if (!probe.ok() && probe.status().message().find("not implemented") != std::string::npos) {
    GTEST_SKIP() << "Store::GetGoalStats is not implemented on this branch yet";
  }
  ApiResponse gs = Call("GET", "/api/v1/goals/" + gid + "/stats?interval=hour", key_a_);
  ASSERT_EQ(gs.status, 200) << gs.body;
  json::object g = Json(gs);
  EXPECT_EQ(g.at("conversions").as_int64(), 0);
  EXPECT_EQ(g.at("unattributed").as_int64(), 0);
  EXPECT_EQ(g.at("currency").as_string(), "EUR");
  EXPECT_EQ(g.at("series").as_array().size(), 48u);
  EXPECT_EQ(Call("GET", "/api/v1/goals/" + gid + "/stats?country=US", key_a_).status, 400);
}

}  // namespace
}  // namespace ct::api
