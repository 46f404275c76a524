// Bad input gets a precise status and touches nothing else (DESIGN promise 5, RELIABILITY §4):
// every case is sent over a real socket to the real binary, and afterwards the links, the
// redirect and the click counts are exactly what they were.
#include <gtest/gtest.h>

#include <thread>

#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/server.h"

namespace ct::test {
namespace {

class BadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerHarness();
    key_ = server_->CreateAccount("acme");
    ASSERT_TRUE(server_->Start()) << server_->Log();
    auto r = ApiCall(server_->port(), "POST", "/api/v1/links", key_,
                     R"({"destination": "https://example.com/ok", "slug": "good"})");
    ASSERT_EQ(r.status, 201) << r.body;
    link_path_ = "/api/v1/links/" + std::to_string(JsonInt(ParseJson(r.body), "id"));
  }
  static void TearDownTestSuite() {
    server_->Terminate();
    delete server_;
  }

  uint16_t port() { return server_->port(); }
  std::string ListBody() { return ApiCall(port(), "GET", "/api/v1/links?limit=1000", key_).body; }
  int64_t Clicks() {
    return JsonInt(ParseJson(ApiCall(port(), "GET", link_path_ + "/stats", key_).body), "total");
  }
  // The API error shape of ../shared/API.md.
  static std::string ErrorCode(const HttpResponse& r) {
    auto v = ParseJson(r.body);
    if (!v.is_object() || !v.as_object().contains("error")) return "";
    return JsonStr(v.as_object().at("error"), "code");
  }

  static ServerHarness* server_;
  static std::string key_;
  static std::string link_path_;
};
ServerHarness* BadInputTest::server_ = nullptr;
std::string BadInputTest::key_;
std::string BadInputTest::link_path_;

TEST_F(BadInputTest, BadDestinationsAreRefusedAndNothingIsWritten) {
  std::string before = ListBody();
  const char* bad[] = {
      R"j({"destination": "javascript:alert(1)"})j",
      R"({"destination": "data:text/html,hi"})",
      R"({"destination": "file:///etc/passwd"})",
      R"({"destination": "vbscript:msgbox"})",
      R"({"destination": "//evil.example/"})",
      R"({"destination": "\\\\evil.example"})",
      R"({"destination": "https:\\\\evil.example"})",
      R"({"destination": "https://good.example@evil.example/"})",
      R"({"destination": "https://exa mple.com/"})",
      R"({"destination": "https://example.com/\r\nSet-Cookie: x=1"})",
      R"({"destination": "https://example.com/\u0000"})",
      R"({"destination": "ftp://example.com/"})",
      R"({"destination": "https:///nohost"})",
      R"({"destination": ""})",
      R"({})",
  };
  for (const char* body : bad) {
    auto r = ApiCall(port(), "POST", "/api/v1/links", key_, body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    EXPECT_EQ(ErrorCode(r), "bad_request") << body;
  }
  EXPECT_EQ(ListBody(), before);
}

TEST_F(BadInputTest, BadSlugsAreRefused) {
  std::string before = ListBody();
  const char* bad[] = {"../x", "a b", "a%2e", "api", "metrics", "ä", "a/b", ""};
  for (const char* slug : bad) {
    std::string body =
        R"({"destination": "https://example.com/", "slug": ")" + std::string(slug) + "\"}";
    auto r = ApiCall(port(), "POST", "/api/v1/links", key_, body);
    EXPECT_EQ(r.status, 400) << slug << " -> " << r.body;
  }
  auto too_long = ApiCall(
      port(), "POST", "/api/v1/links", key_,
      R"({"destination": "https://example.com/", "slug": ")" + std::string(65, 'a') + "\"}");
  EXPECT_EQ(too_long.status, 400);
  EXPECT_EQ(ListBody(), before);
}

TEST_F(BadInputTest, MalformedJsonAndForbiddenFieldsAre400) {
  std::string before = ListBody();
  std::string deep(70, '[');
  deep += std::string(70, ']');
  const std::string bad[] = {
      R"({"destination": "https://example.com/", "destination": "https://evil.example/"})",
      R"({"destination": "https://example.com/",)",
      R"({"destination": "https://example.com/"} trailing)",
      "{\"destination\": \"https://example.com/\xff\"}",
      R"({"destination": "https://example.com/\ud800"})",
      R"({"destination": NaN})",
      R"({"destination": 12})",
      R"({"destination": "https://example.com/", "id": 5})",
      R"({"destination": "https://example.com/", "account_id": 2})",
      R"({"destination": "https://example.com/", "created_at": "2020-01-01T00:00:00Z"})",
      R"({"destination": "https://example.com/", "is_admin": true})",
      R"({"destination": "https://example.com/", "slug": 99999999999999999999})",
      R"(["https://example.com/"])",
      "{\"destination\": " + deep + "}",
  };
  for (const auto& body : bad) {
    auto r = ApiCall(port(), "POST", "/api/v1/links", key_, body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
  }
  EXPECT_EQ(ListBody(), before);
}

TEST_F(BadInputTest, WrongContentTypeIs415AndHugeBodyIs413) {
  std::string before = ListBody();
  HttpClient c(port());
  auto r = c.Request("POST", "/api/v1/links",
                     {{"Authorization", "Bearer " + key_}, {"Content-Type", "text/plain"}},
                     R"({"destination": "https://example.com/"})");
  EXPECT_EQ(r.status, 415) << r.body;
  // 413 before the body is read: only the headers are sent, announcing 2 MiB.
  HttpClient raw(port());
  auto big = raw.Raw("POST /api/v1/links HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key_ +
                     "\r\nContent-Type: application/json\r\nContent-Length: 2097152\r\n\r\n");
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(ListBody(), before);
}

TEST_F(BadInputTest, EdgeRefusesHostileRequestsWithPreciseStatuses) {
  int64_t clicks_before = Clicks();
  struct Case {
    std::string raw;
    int status;
  };
  const Case cases[] = {
      {"GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
      {"GET /good HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(17000, 'b') + "\r\n\r\n", 431},
      {"GET /good HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
       "0\r\n\r\n",
       400},
      {"GET /good HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400},
      {"GET /good HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", 400},
      {"GET /good HTTP/1.1\r\nHost: x\r\nX-A: a\r\n folded\r\n\r\n", 400},
      {"GARBAGE\r\n\r\n", 400},
      {"POST /good HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n",
       405},  // the Host routes it: a link, not a form
      {"DELETE /good HTTP/1.1\r\nHost: x\r\n\r\n", 405},
      {"GET /%0d%0aSet-Cookie:x HTTP/1.1\r\nHost: x\r\n\r\n", 404},
      {"GET /..%2f..%2fetc HTTP/1.1\r\nHost: x\r\n\r\n", 404},
      {"GET /%252e HTTP/1.1\r\nHost: x\r\n\r\n", 404},
      {"GET /good%00 HTTP/1.1\r\nHost: x\r\n\r\n", 404},
  };
  for (const auto& c : cases) {
    HttpClient client(port());
    auto r = client.Raw(c.raw);
    EXPECT_EQ(r.status, c.status) << c.raw.substr(0, 80);
    EXPECT_EQ(r.body.find("Set-Cookie"), std::string::npos) << "slug echoed";
  }
  // None of them was a click; a good one still is.
  HttpClient ok(port());
  EXPECT_EQ(ok.Request("GET", "/good").status, 302);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Clicks() < clicks_before + 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(Clicks(), clicks_before + 1);
}

TEST_F(BadInputTest, SmugglingShapesCloseTheConnection) {
  HttpClient c(port());
  auto r = c.Raw(
      "GET /good HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\n\r\nGET /good HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.closed || c.ServerClosed(std::chrono::seconds(2)));
}

TEST_F(BadInputTest, SlowHeadersAreCutOffWithoutPinningAWorker) {
  // edge.header_timeout_s is 10 s by default; a second server with 1 s keeps the test short.
  ServerHarness slow({"--set", "edge.header_timeout_s=1"});
  std::string key = slow.CreateAccount("s");
  ASSERT_TRUE(slow.Start()) << slow.Log();
  std::vector<std::unique_ptr<HttpClient>> lorises;
  for (int i = 0; i < 20; ++i) {
    lorises.push_back(std::make_unique<HttpClient>(slow.port()));
    ASSERT_TRUE(lorises.back()->Connect());
    // Half a request line, never finished.
    ASSERT_TRUE(lorises.back()->SendRaw("GET /good HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  }
  // Meanwhile a real client is served at once.
  HttpClient real(slow.port());
  EXPECT_EQ(real.Request("GET", "/healthz").status, 200);
  for (auto& l : lorises) EXPECT_TRUE(l->ServerClosed(std::chrono::seconds(4)));
  slow.Terminate();
}

}  // namespace
}  // namespace ct::test
