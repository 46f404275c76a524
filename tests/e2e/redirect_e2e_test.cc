// The vertical slice end to end, over real HTTP against the real binary: create a link through
// the API, click it, and read exact counts back from the stats.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/server.h"

namespace ct::test {
namespace {

class RedirectE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = server_.CreateAccount("acme");
    ASSERT_FALSE(key_.empty()) << "account create failed";
    ASSERT_TRUE(server_.Start()) << server_.Log();
  }

  boost::json::value CreateLink(const std::string& body, int want_status = 201) {
    auto r = ApiCall(server_.port(), "POST", "/api/v1/links", key_, body);
    EXPECT_EQ(r.status, want_status) << r.body;
    return ParseJson(r.body);
  }

  // Polls the stats until `want_total` clicks are counted (the tracker runs behind the edge).
  boost::json::value WaitForTotal(int64_t link_id, int64_t want_total,
                                  const std::string& query = "interval=day") {
    boost::json::value stats;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = ApiCall(server_.port(), "GET",
                       "/api/v1/links/" + std::to_string(link_id) + "/stats?" + query, key_);
      stats = ParseJson(r.body);
      if (JsonInt(stats, "total") >= want_total) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return stats;
  }

  ServerHarness server_;
  std::string key_;
};

TEST_F(RedirectE2eTest, AccountCreatePrintsOnlyTheKey) {
  auto r = RunCommand({ClicktrailBin(), "account", "create", "second", "--data",
                       server_.data_dir()});  // works while the server runs
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1);
  EXPECT_EQ(r.out.rfind("ct_", 0), 0u);
  EXPECT_EQ(r.out.size(), 3 + 43 + 6 + 1);
}

TEST_F(RedirectE2eTest, CreatedLinkRedirectsWith302AndNoStore) {
  auto link = CreateLink(R"({"destination": "https://example.com/landing?a=1", "slug": "promo"})");
  EXPECT_EQ(JsonStr(link, "slug"), "promo");
  EXPECT_EQ(JsonStr(link, "destination"), "https://example.com/landing?a=1");
  EXPECT_EQ(JsonStr(link, "short_url"),
            "http://127.0.0.1:" + std::to_string(server_.port()) + "/promo");
  EXPECT_FALSE(JsonStr(link, "created_at").empty());
  EXPECT_GT(JsonInt(link, "id"), 0);

  HttpClient c(server_.port());
  auto r = c.Request("GET", "/promo");
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.Header("location"), "https://example.com/landing?a=1");
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  EXPECT_FALSE(r.closed) << "keep-alive expected";
  auto r2 = c.Request("GET", "/promo");  // same connection
  EXPECT_EQ(r2.status, 302);
  EXPECT_EQ(c.Request("GET", "/nope").status, 404);
}

TEST_F(RedirectE2eTest, NRedirectsAreCountedExactlyWithUniques) {
  auto link = CreateLink(R"({"destination": "https://example.com/"})");
  int64_t id = JsonInt(link, "id");
  std::string slug = JsonStr(link, "slug");
  ASSERT_EQ(slug.size(), 7u) << "generated slug";

  constexpr int kClients = 4, kPerClient = 150, kVisitors = 5, kHeads = 7;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      HttpClient c(server_.port());
      for (int i = 0; i < kPerClient; ++i) {
        // Visitors are told apart by their ct_vid cookie, sent back as a browser does (the
        // edge sets one on every cookie-less click, so a client without it is a new visitor).
        int v = (t * kPerClient + i) % kVisitors;
        std::string ua = "visitor-" + std::to_string(v);
        auto r = c.Request(
            "GET", "/" + slug,
            {{"User-Agent", ua}, {"Cookie", "ct_vid=visitor-cookie-" + std::to_string(v)}});
        if (r.status == 302) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  HttpClient c(server_.port());
  for (int i = 0; i < kHeads; ++i) EXPECT_EQ(c.Request("HEAD", "/" + slug).status, 302);
  ASSERT_EQ(ok.load(), kClients * kPerClient);

  auto stats = WaitForTotal(id, kClients * kPerClient);
  EXPECT_EQ(JsonInt(stats, "total"), kClients * kPerClient);
  EXPECT_EQ(JsonInt(stats, "unique"), kVisitors);
  // HEAD is answered but counted apart from clicks; give the tracker time to see it too.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stats = WaitForTotal(id, kClients * kPerClient);
  EXPECT_EQ(JsonInt(stats, "head"), kHeads);
  EXPECT_EQ(JsonInt(stats, "total"), kClients * kPerClient) << "HEAD must not count as a click";

  // The minute series adds up to the total.
  auto minutes = WaitForTotal(id, kClients * kPerClient, "interval=minute");
  int64_t sum = 0, usum = 0;
  for (const auto& b : minutes.as_object().at("series").as_array()) {
    sum += b.as_object().at("total").as_int64();
    usum += b.as_object().at("unique").as_int64();
  }
  EXPECT_EQ(sum, kClients * kPerClient);
  EXPECT_EQ(usum, kVisitors);
}

TEST_F(RedirectE2eTest, LinkChangesReachTheEdgeWithinASecond) {
  auto link = CreateLink(R"({"destination": "https://one.example/", "slug": "moving"})");
  int64_t id = JsonInt(link, "id");
  auto t0 = std::chrono::steady_clock::now();
  auto r = ApiCall(server_.port(), "PATCH", "/api/v1/links/" + std::to_string(id), key_,
                   R"({"destination": "https://two.example/x"})");
  ASSERT_EQ(r.status, 200) << r.body;
  HttpClient c(server_.port());
  std::string location;
  while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1)) {
    location = c.Request("GET", "/moving").Header("location");
    if (location == "https://two.example/x") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(location, "https://two.example/x");

  r = ApiCall(server_.port(), "DELETE", "/api/v1/links/" + std::to_string(id), key_);
  ASSERT_EQ(r.status, 204);
  t0 = std::chrono::steady_clock::now();
  int status = 0;
  while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1)) {
    status = c.Request("GET", "/moving").status;
    if (status == 404) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, 404);
  // A deleted link's slug is never reused: a printed link must not start going elsewhere.
  CreateLink(R"({"destination": "https://three.example/", "slug": "moving"})", 409);
}

TEST_F(RedirectE2eTest, ListIsPaginatedAndCoversEveryLinkOnce) {
  std::set<int64_t> created;
  for (int i = 0; i < 7; ++i) {
    created.insert(JsonInt(
        CreateLink(R"({"destination": "https://example.com/)" + std::to_string(i) + R"("})"),
        "id"));
  }
  std::set<int64_t> seen;
  std::string cursor;
  int pages = 0;
  while (true) {
    std::string target = "/api/v1/links?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor);
    auto r = ApiCall(server_.port(), "GET", target, key_);
    ASSERT_EQ(r.status, 200) << r.body;
    auto v = ParseJson(r.body);
    for (const auto& l : v.as_object().at("links").as_array()) {
      EXPECT_TRUE(seen.insert(l.as_object().at("id").as_int64()).second) << "listed twice";
    }
    ++pages;
    const auto& next = v.as_object().at("next_cursor");
    if (next.is_null()) break;
    cursor = std::string(next.as_string());
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(seen, created);
  EXPECT_EQ(pages, 3);
  // A huge limit is capped, not refused.
  EXPECT_EQ(ApiCall(server_.port(), "GET", "/api/v1/links?limit=1000000000", key_).status, 200);
}

TEST_F(RedirectE2eTest, StatsShapesAndBadQueries) {
  auto link = CreateLink(R"({"destination": "https://example.com/"})");
  std::string base = "/api/v1/links/" + std::to_string(JsonInt(link, "id")) + "/stats";
  auto r = ApiCall(server_.port(), "GET",
                   base + "?from=2026-01-01T00:00:00Z&to=2026-01-01T03:00:00Z&interval=hour", key_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = ParseJson(r.body);
  ASSERT_EQ(v.as_object().at("series").as_array().size(), 3u);
  EXPECT_EQ(JsonStr(v.as_object().at("series").as_array()[1], "t"), "2026-01-01T01:00:00Z");
  EXPECT_EQ(JsonInt(v, "total"), 0);
  EXPECT_EQ(ApiCall(server_.port(), "GET", base + "?interval=week", key_).status, 400);
  EXPECT_EQ(ApiCall(server_.port(), "GET", base + "?from=yesterday", key_).status, 400);
  EXPECT_EQ(
      ApiCall(server_.port(), "GET",
              base + "?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&interval=minute", key_)
          .status,
      400);
  EXPECT_EQ(ApiCall(server_.port(), "GET", "/api/v1/links/999999/stats", key_).status, 404);
}

}  // namespace
}  // namespace ct::test
