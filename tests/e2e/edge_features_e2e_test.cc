// Issue 3's edge features end to end, over real HTTP against the real binary: host routing and
// custom domains, rotation, targeting (country through a trusted proxy's X-Forwarded-For,
// device/OS, language), expiry and click caps with fallbacks, password links, macros with
// hostile values, query forwarding, UTM and the visitor cookie. Links are created through the
// REST API with the contract's JSON.
#include <gtest/gtest.h>

#include <cmath>
#include <ctime>
#include <thread>

#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/server.h"

namespace ct::test {
namespace {

constexpr char kIphoneUa[] =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1";

std::string Iso8601In(int seconds) {
  time_t t = time(nullptr) + seconds;
  tm utc;
  gmtime_r(&t, &utc);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

// The host of a Location URL.
std::string HostOf(const std::string& url) {
  size_t s = url.find("://");
  if (s == std::string::npos) return "";
  s += 3;
  return url.substr(s, url.find_first_of("/?#", s) - s);
}

class EdgeFeaturesE2eTest : public ::testing::Test {
 protected:
  EdgeFeaturesE2eTest() : server_({"--set", "edge.trusted_proxies=127.0.0.1"}) {}

  void SetUp() override {
    key_ = server_.CreateAccount("acme");
    ASSERT_FALSE(key_.empty()) << "account create failed";
    ASSERT_TRUE(server_.Start()) << server_.Log();
  }

  boost::json::value CreateLink(const std::string& body) {
    auto r = ApiCall(server_.port(), "POST", "/api/v1/links", key_, body);
    EXPECT_EQ(r.status, 201) << body << " -> " << r.body;
    return ParseJson(r.body);
  }
  void CreateDomain(const std::string& host) {
    auto r =
        ApiCall(server_.port(), "POST", "/api/v1/domains", key_, "{\"host\":\"" + host + "\"}");
    ASSERT_EQ(r.status, 201) << r.body;
  }

  // A GET with an explicit Host (HttpClient always sends Host: 127.0.0.1).
  HttpResponse GetOnHost(const std::string& host, const std::string& target,
                         const std::string& extra_headers = "") {
    HttpClient c(server_.port());
    return c.Raw("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + extra_headers +
                 "Connection: close\r\n\r\n");
  }
  HttpResponse Get(const std::string& target,
                   const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return client_->Request("GET", target, headers);
  }
  // The server logs "countries: off" / "user agents: off" when a database is missing.
  bool HaveGeoDb() { return server_.Log().find("countries: off") == std::string::npos; }
  bool HaveUaParser() { return server_.Log().find("user agents: off") == std::string::npos; }

  ServerHarness server_;
  std::string key_;
  std::unique_ptr<HttpClient> client_ = nullptr;

  void SetUpClient() { client_ = std::make_unique<HttpClient>(server_.port()); }
};

TEST_F(EdgeFeaturesE2eTest, HostRoutingCustomDomainsAndUnknownHosts) {
  CreateDomain("go.example.com");
  CreateDomain("ln.example.org");
  CreateLink(R"({"slug":"same","destination":"https://default.example/"})");
  CreateLink(R"({"slug":"same","domain":"go.example.com","destination":"https://go.example/"})");
  CreateLink(R"({"slug":"same","domain":"ln.example.org","destination":"https://ln.example/"})");

  auto d = GetOnHost("127.0.0.1:" + std::to_string(server_.port()), "/same");
  EXPECT_EQ(d.status, 302);
  EXPECT_EQ(d.Header("location"), "https://default.example/");
  EXPECT_EQ(GetOnHost("localhost", "/same").Header("location"), "https://default.example/");
  EXPECT_EQ(GetOnHost("[::1]:8080", "/same").Header("location"), "https://default.example/");
  auto go = GetOnHost("Go.Example.COM:8443", "/same");
  EXPECT_EQ(go.status, 302);
  EXPECT_EQ(go.Header("location"), "https://go.example/");
  EXPECT_EQ(GetOnHost("ln.example.org", "/same").Header("location"), "https://ln.example/");
  EXPECT_EQ(GetOnHost("unknown.example", "/same").status, 404);
  // A default-domain slug is not served on a custom domain, nor the reverse.
  CreateLink(R"({"slug":"only-default","destination":"https://default.example/x"})");
  EXPECT_EQ(GetOnHost("go.example.com", "/only-default").status, 404);
}

TEST_F(EdgeFeaturesE2eTest, RotationSplitsByWeight) {
  CreateLink(R"({"slug":"ab","destinations":[{"url":"https://a.example/","weight":70},)"
             R"({"url":"https://b.example/","weight":30}]})");
  SetUpClient();
  const int n = 2000;
  int a = 0, b = 0;
  for (int i = 0; i < n; ++i) {
    auto r = Get("/ab");
    ASSERT_EQ(r.status, 302);
    std::string loc = r.Header("location");
    a += loc == "https://a.example/";
    b += loc == "https://b.example/";
  }
  EXPECT_EQ(a + b, n);
  double sigma = std::sqrt(n * 0.7 * 0.3);  // binomial
  EXPECT_NEAR(a, n * 0.7, 5 * sigma) << "a=" << a << " b=" << b;
}

TEST_F(EdgeFeaturesE2eTest, TargetingByCountryThroughTrustedProxy) {
  if (!HaveGeoDb()) GTEST_SKIP() << "no GeoDb (third_party/npm not installed?)";
  CreateLink(R"({"slug":"geo","destination":"https://world.example/",)"
             R"("rules":[{"countries":["US"],"destination":"https://us.example/"}]})");
  SetUpClient();
  // 8.8.8.8 is US in the pinned geolite2-country database; 127.0.0.1 is in no country.
  EXPECT_EQ(Get("/geo", {{"X-Forwarded-For", "8.8.8.8"}}).Header("location"),
            "https://us.example/");
  EXPECT_EQ(Get("/geo").Header("location"), "https://world.example/");
  // The right-most untrusted address counts: a forged left entry does not.
  EXPECT_EQ(Get("/geo", {{"X-Forwarded-For", "8.8.8.8, 127.0.0.2"}}).Header("location"),
            "https://world.example/");
}

TEST_F(EdgeFeaturesE2eTest, TargetingByDeviceOsAndLanguage) {
  CreateLink(R"({"slug":"t","destination":"https://default.example/","rules":[)"
             R"({"languages":["de"],"destination":"https://de.example/"},)"
             R"({"os":["ios"],"devices":["mobile"],"destination":"https://ios.example/"}]})");
  SetUpClient();
  EXPECT_EQ(Get("/t", {{"Accept-Language", "de-CH,de;q=0.9,en;q=0.8"}}).Header("location"),
            "https://de.example/");
  EXPECT_EQ(Get("/t", {{"Accept-Language", "en-US"}}).Header("location"),
            "https://default.example/");
  if (!HaveUaParser()) GTEST_SKIP() << "no User-Agent parser (third_party/npm not installed?)";
  EXPECT_EQ(Get("/t", {{"User-Agent", kIphoneUa}}).Header("location"), "https://ios.example/");
  EXPECT_EQ(Get("/t", {{"User-Agent",
                        "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 "
                        "Firefox/125.0"}})
                .Header("location"),
            "https://default.example/");
}

TEST_F(EdgeFeaturesE2eTest, ExpiryGoesToFallbackOr410) {
  std::string at = Iso8601In(2);
  CreateLink(R"({"slug":"exp-fb","destination":"https://live.example/","expires_at":")" + at +
             R"(","fallback_url":"https://fallback.example/"})");
  CreateLink(R"({"slug":"exp-gone","destination":"https://live.example/","expires_at":")" + at +
             R"("})");
  SetUpClient();
  EXPECT_EQ(Get("/exp-fb").Header("location"), "https://live.example/");
  EXPECT_EQ(Get("/exp-gone").status, 302);
  std::this_thread::sleep_for(std::chrono::milliseconds(3200));
  auto fb = Get("/exp-fb");
  EXPECT_EQ(fb.status, 302);
  EXPECT_EQ(fb.Header("location"), "https://fallback.example/");
  auto gone = Get("/exp-gone");
  EXPECT_EQ(gone.status, 410);
  EXPECT_EQ(gone.Header("cache-control"), "no-store");
}

TEST_F(EdgeFeaturesE2eTest, MaxClicksThenFallback) {
  CreateLink(R"({"slug":"cap","destination":"https://live.example/","max_clicks":3,)"
             R"("fallback_url":"https://sold-out.example/"})");
  SetUpClient();
  // HEADs look without spending.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(client_->Request("HEAD", "/cap").status, 302);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Get("/cap").Header("location"), "https://live.example/");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Get("/cap").Header("location"), "https://sold-out.example/");
  }
}

TEST_F(EdgeFeaturesE2eTest, PasswordFormWrongAndRightPassword) {
  CreateLink(R"({"slug":"secret","destination":"https://private.example/doc",)"
             R"("password":"hunter22"})");
  SetUpClient();
  auto form = Get("/secret");
  EXPECT_EQ(form.status, 200);
  EXPECT_EQ(form.Header("cache-control"), "no-store");
  EXPECT_NE(form.Header("content-type").find("text/html"), std::string::npos);
  EXPECT_NE(form.body.find("<form method=post action=\"/secret\""), std::string::npos);
  EXPECT_EQ(form.body.find("private.example"), std::string::npos);  // never leaked
  const std::vector<std::pair<std::string, std::string>> form_type = {
      {"Content-Type", "application/x-www-form-urlencoded"}};
  auto wrong = client_->Request("POST", "/secret", form_type, "password=nope");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.body.find("Wrong password"), std::string::npos);
  EXPECT_NE(wrong.body.find("<form"), std::string::npos);
  auto right = client_->Request("POST", "/secret", form_type, "password=hunter22");
  EXPECT_EQ(right.status, 302);
  EXPECT_EQ(right.Header("location"), "https://private.example/doc");
  // Over the form cap: refused before the body is read.
  auto big = client_->Request("POST", "/secret", form_type, "password=" + std::string(5000, 'a'));
  EXPECT_EQ(big.status, 413);
}

TEST_F(EdgeFeaturesE2eTest, MacrosWithHostileValuesNeverChangeTheHostOrSplitHeaders) {
  CreateLink(R"({"slug":"mac","destination":)"
             R"("https://d.example/p/{slug}?c={click_id}&r={query:ref}&l={link_id}"})");
  SetUpClient();
  const char* hostile[] = {"%0d%0aSet-Cookie:%20evil=1",
                           "%250d%250a",
                           "/evil",
                           "%2fevil",
                           "@evil.com",
                           "%40evil.com",
                           "//evil.com",
                           "%2f%2fevil.com",
                           "%ff%fe%c3%28",
                           "%22%3E%3Cscript%3E"};
  for (const char* h : hostile) {
    auto r = Get(std::string("/mac?ref=") + h);
    ASSERT_EQ(r.status, 302) << h;
    std::string loc = r.Header("location");
    EXPECT_EQ(HostOf(loc), "d.example") << loc;
    EXPECT_EQ(loc.rfind("https://d.example/p/mac?c=", 0), 0u) << loc;
    EXPECT_EQ(loc.find_first_of("\r\n @\""), std::string::npos) << loc;
    EXPECT_EQ(loc.find("//", 8), std::string::npos) << loc;
    EXPECT_EQ(r.Header("set-cookie").find("evil"), std::string::npos);
  }
  auto r = Get("/mac?ref=x");
  std::string loc = r.Header("location");
  size_t c = loc.find("c=") + 2;
  EXPECT_EQ(loc.find('&', c) - c, 22u) << loc;  // the click id: base64url of 16 bytes
}

TEST_F(EdgeFeaturesE2eTest, ForwardQueryAndUtmBeforeTheFragment) {
  CreateLink(R"({"slug":"fq","destination":"https://d.example/p#top","forward_query":true,)"
             R"("utm":{"source":"newsletter","medium":"email"}})");
  CreateLink(R"({"slug":"keep","destination":"https://d.example/p?utm_source=own",)"
             R"("utm":{"source":"newsletter","campaign":"spring sale"}})");
  SetUpClient();
  EXPECT_EQ(Get("/fq?gclid=abc&x=1").Header("location"),
            "https://d.example/p?gclid=abc&x=1&utm_source=newsletter&utm_medium=email#top");
  EXPECT_EQ(Get("/fq").Header("location"),
            "https://d.example/p?utm_source=newsletter&utm_medium=email#top");
  EXPECT_EQ(Get("/keep?ignored=1").Header("location"),
            "https://d.example/p?utm_source=own&utm_campaign=spring%20sale");
}

TEST_F(EdgeFeaturesE2eTest, VisitorCookieSetOnceAndReused) {
  CreateLink(R"({"slug":"vc","destination":"https://d.example/?v={visitor_id}"})");
  SetUpClient();
  auto first = Get("/vc");
  std::string set = first.Header("set-cookie");
  ASSERT_EQ(set.rfind("ct_vid=", 0), 0u) << set;
  std::string vid = set.substr(7, set.find(';') - 7);
  EXPECT_EQ(vid.size(), 22u);
  EXPECT_NE(set.find("Max-Age=31536000; Path=/; HttpOnly; SameSite=Lax"), std::string::npos);
  EXPECT_EQ(first.Header("location"), "https://d.example/?v=" + vid);
  auto again = Get("/vc", {{"Cookie", "other=1; ct_vid=" + vid}});
  // No new visitor cookie; only this click's id (ct_cid, set on every click).
  EXPECT_EQ(again.Header("set-cookie").find("ct_vid="), std::string::npos);
  EXPECT_EQ(again.Header("set-cookie").rfind("ct_cid=", 0), 0u);
  EXPECT_EQ(again.Header("location"), "https://d.example/?v=" + vid);
  // A malformed cookie is treated as absent.
  EXPECT_EQ(Get("/vc", {{"Cookie", "ct_vid=bad!"}}).Header("set-cookie").rfind("ct_vid=", 0), 0u);
}

// Guesses at one protected link are throttled before any hashing: past the bucket (burst 3,
// 1/s here) a POST gets 429 with Retry-After, even with the right password, until it refills.
TEST(EdgePasswordThrottleE2eTest, GuessesPastTheBucketGet429ThenTheRightOneWorks) {
  ServerHarness server(
      {"--set", "edge.password_attempts_burst=3", "--set", "edge.password_attempts_per_second=1"});
  std::string key = server.CreateAccount("acme");
  ASSERT_FALSE(key.empty());
  ASSERT_TRUE(server.Start()) << server.Log();
  auto created = ApiCall(server.port(), "POST", "/api/v1/links", key,
                         R"({"slug":"vault","destination":"https://private.example/",)"
                         R"("password":"hunter22"})");
  ASSERT_EQ(created.status, 201) << created.body;
  HttpClient c(server.port());
  const std::vector<std::pair<std::string, std::string>> form = {
      {"Content-Type", "application/x-www-form-urlencoded"}};
  int rejected = 0;
  HttpResponse throttled;
  for (int i = 0; i < 20 && throttled.status == 0; ++i) {
    auto r = c.Request("POST", "/vault", form, "password=guess" + std::to_string(i));
    if (r.status == 401) {
      ++rejected;
    } else {
      throttled = r;
    }
  }
  ASSERT_EQ(throttled.status, 429) << "never throttled after " << rejected << " wrong guesses";
  // The burst, plus what the 1/s rate refilled while the checks (~0.1 s each) ran.
  EXPECT_GE(rejected, 3);
  EXPECT_LE(rejected, 6);
  EXPECT_GE(std::stoi(throttled.Header("retry-after")), 1);
  EXPECT_NE(throttled.body.find("Too many attempts"), std::string::npos);
  EXPECT_EQ(throttled.Header("cache-control"), "no-store");
  // Throttled means unchecked: the right password waits for the bucket too.
  auto early = c.Request("POST", "/vault", form, "password=hunter22");
  EXPECT_EQ(early.status, 429);
  std::this_thread::sleep_for(std::chrono::seconds(std::stoi(early.Header("retry-after"))));
  auto right = c.Request("POST", "/vault", form, "password=hunter22");
  EXPECT_EQ(right.status, 302);
  EXPECT_EQ(right.Header("location"), "https://private.example/");
}

}  // namespace
}  // namespace ct::test
