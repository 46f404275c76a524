// Rotator modes and the unique definition through the real binary over HTTP: a sequential
// link answers in the exact round-robin order; spillover caps hold exactly, and after a restart
// the edge seeds them from the committed clicks per destination; an account switched to
// ip_30min counts one unique per IP where the default counts one per visitor.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/server.h"

namespace ct::test {
namespace {

using std::chrono::seconds;

class RotationUniquesE2eTest : public ::testing::Test {
 protected:
  RotationUniquesE2eTest() : server_({"--set", "edge.trusted_proxies=127.0.0.1"}) {}

  void SetUp() override {
    key_ = server_.CreateAccount("acme");
    other_ = server_.CreateAccount("other");
    ASSERT_FALSE(key_.empty());
    ASSERT_FALSE(other_.empty());
    ASSERT_TRUE(server_.Start()) << server_.Log();
  }
  std::string CreateLink(const std::string& body, const std::string* key = nullptr) {
    auto r = ApiCall(server_.port(), "POST", "/api/v1/links", key ? *key : key_, body);
    EXPECT_EQ(r.status, 201) << body << " -> " << r.body;
    return "/api/v1/links/" + std::to_string(JsonInt(ParseJson(r.body), "id"));
  }
  std::string Location(const std::string& target, const std::string& ip = "",
                       const std::string& ua = kBrowserUserAgent) {
    HttpClient c(server_.port());
    std::vector<std::pair<std::string, std::string>> h = {{"User-Agent", ua}};
    if (!ip.empty()) h.emplace_back("X-Forwarded-For", ip);
    HttpResponse r = c.Request("GET", target, h);
    EXPECT_EQ(r.status, 302) << target << ": " << r.body;
    return r.Header("location");
  }
  // Waits (bounded) until the link's stats show `total` human clicks; returns the stats.
  boost::json::value WaitForTotal(const std::string& path, int64_t total,
                                  const std::string* key = nullptr) {
    boost::json::value stats;
    auto deadline = std::chrono::steady_clock::now() + seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      stats = ParseJson(ApiCall(server_.port(), "GET", path + "/stats", key ? *key : key_).body);
      if (stats.is_object() && JsonInt(stats, "total") >= total) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(JsonInt(stats, "total"), total) << server_.Log();
    return stats;
  }

  ServerHarness server_;
  std::string key_, other_;
};

TEST_F(RotationUniquesE2eTest, SequentialRotationGivesTheExactOrder) {
  CreateLink(R"({"slug": "seq", "rotation_mode": "sequential",
    "destinations": [{"url": "https://a.example/"}, {"url": "https://b.example/", "weight": 2},
                     {"url": "https://c.example/"}]})");
  std::vector<std::string> got;
  for (int i = 0; i < 8; ++i) got.push_back(Location("/seq"));
  EXPECT_EQ(got, (std::vector<std::string>{"https://a.example/", "https://b.example/",
                                           "https://b.example/", "https://c.example/",
                                           "https://a.example/", "https://b.example/",
                                           "https://b.example/", "https://c.example/"}));
  // A HEAD shows the next turn without taking it.
  HttpClient c(server_.port());
  EXPECT_EQ(c.Request("HEAD", "/seq").Header("location"), "https://a.example/");
  EXPECT_EQ(Location("/seq"), "https://a.example/");
}

TEST_F(RotationUniquesE2eTest, SpilloverCapsHoldAndAreSeededFromCommittedClicksAfterARestart) {
  const std::string path = CreateLink(R"({"slug": "spill", "rotation_mode": "spillover",
    "destinations": [{"url": "https://a.example/", "cap": 3}, {"url": "https://b.example/", "cap": 2},
                     {"url": "https://c.example/", "cap": 2}],
    "fallback_url": "https://full.example/"})");
  auto link = ParseJson(ApiCall(server_.port(), "GET", path, key_).body);
  EXPECT_EQ(JsonStr(link, "rotation_mode"), "spillover");
  std::vector<std::string> got;
  for (int i = 0; i < 5; ++i) got.push_back(Location("/spill"));
  EXPECT_EQ(got, (std::vector<std::string>{"https://a.example/", "https://a.example/",
                                           "https://a.example/", "https://b.example/",
                                           "https://b.example/"}));
  WaitForTotal(path, 5);
  // A restart forgets the edge's counters; the committed clicks per destination bring them back.
  ASSERT_EQ(server_.Terminate(), 0) << server_.Log();
  ASSERT_TRUE(server_.Start()) << server_.Log();
  got.clear();
  for (int i = 0; i < 3; ++i) got.push_back(Location("/spill"));
  EXPECT_EQ(got, (std::vector<std::string>{"https://c.example/", "https://c.example/",
                                           "https://full.example/"}));
  // Bad input is refused with the field named.
  auto bad = ApiCall(server_.port(), "POST", "/api/v1/links", key_,
                     R"({"rotation_mode": "spillover", "destinations": [
                         {"url": "https://a.example/"}, {"url": "https://b.example/"}]})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("destinations[0].cap is required"), std::string::npos) << bad.body;
}

TEST_F(RotationUniquesE2eTest, AnAccountOnIp30MinCountsOneUniquePerIp) {
  auto got = ApiCall(server_.port(), "GET", "/api/v1/account", key_);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(JsonStr(ParseJson(got.body), "unique_definition"), "per_visitor_day");
  EXPECT_EQ(JsonStr(ParseJson(got.body), "name"), "acme");
  auto bad = ApiCall(server_.port(), "PATCH", "/api/v1/account", key_,
                     R"({"unique_definition": "ip_1h"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("per_visitor_day"), std::string::npos) << bad.body;
  bad = ApiCall(server_.port(), "PATCH", "/api/v1/account", key_, R"({"name": "x"})");
  EXPECT_EQ(bad.status, 400);
  auto patched = ApiCall(server_.port(), "PATCH", "/api/v1/account", key_,
                         R"({"unique_definition": "ip_30min"})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(JsonStr(ParseJson(patched.body), "unique_definition"), "ip_30min");
  // The other account is untouched.
  got = ApiCall(server_.port(), "GET", "/api/v1/account", other_);
  EXPECT_EQ(JsonStr(ParseJson(got.body), "unique_definition"), "per_visitor_day");
  EXPECT_EQ(JsonStr(ParseJson(got.body), "name"), "other");

  // The same traffic on both accounts: 3 IPs, 2 browsers behind each.
  const std::string ip_link =
      CreateLink(R"({"slug": "byip", "destination": "https://x.example/"})");
  const std::string day_link =
      CreateLink(R"({"slug": "byday", "destination": "https://x.example/"})", &other_);
  for (const char* ip : {"198.51.100.1", "198.51.100.2", "198.51.100.3"}) {
    for (const char* chrome : {"Chrome/124.0.0.0", "Chrome/125.0.0.0"}) {
      std::string ua = std::string(
                           "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, "
                           "like Gecko) ") +
                       chrome + " Safari/537.36";
      Location("/byip", ip, ua);
      Location("/byday", ip, ua);
    }
  }
  EXPECT_EQ(JsonInt(WaitForTotal(ip_link, 6), "unique"), 3);
  EXPECT_EQ(JsonInt(WaitForTotal(day_link, 6, &other_), "unique"), 6);
}

}  // namespace
}  // namespace ct::test
