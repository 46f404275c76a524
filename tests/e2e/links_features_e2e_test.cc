// The link features through the real binary: every option of the link object written and read
// back, PATCH with null, list filters, bulk atomicity, CSV import then export, custom domains
// across accounts, and links.blocked_hosts.
#include <gtest/gtest.h>

#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/server.h"

namespace ct::test {
namespace {

namespace json = boost::json;

class LinksFeaturesE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = server_.CreateAccount("a");
    b_ = server_.CreateAccount("b");
    ASSERT_FALSE(a_.empty());
    ASSERT_FALSE(b_.empty());
    ASSERT_TRUE(server_.Start()) << server_.Log();
    port_ = server_.port();
  }
  HttpResponse Call(const std::string& method, const std::string& target,
                    const std::string& body = "", const std::string* key = nullptr) {
    return ApiCall(port_, method, target, key ? *key : a_, body);
  }
  json::object Obj(const HttpResponse& r) {
    json::value v = ParseJson(r.body);
    return v.is_object() ? v.as_object() : json::object{};
  }
  std::string ErrorCode(const HttpResponse& r) {
    json::object o = Obj(r);
    auto* e = o.if_contains("error");
    return e ? JsonStr(*e, "code") : "";
  }
  std::vector<std::string> ListSlugs(const std::string& query) {
    std::vector<std::string> out;
    auto r = Call("GET", "/api/v1/links" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    json::object body = Obj(r);  // kept alive for the loop
    for (const auto& l : body["links"].as_array()) out.push_back(JsonStr(l, "slug"));
    return out;
  }

  ServerHarness server_{{"--set", "links.blocked_hosts=evil.test"}};
  std::string a_, b_;
  uint16_t port_ = 0;
};

TEST_F(LinksFeaturesE2eTest, EveryOptionIsStoredAndReadBackAndPatchNullClears) {
  auto created = Call("POST", "/api/v1/links", R"({
    "slug": "full", "title": "Spring sale", "tags": ["spring", "email"], "group": "launch",
    "destinations": [{"url": "https://a.example/{click_id}", "weight": 3},
                     {"url": "https://b.example/", "weight": 1}],
    "rules": [{"countries": ["us"], "devices": ["mobile"], "os": ["ios"], "languages": ["en"],
               "destination": "https://us.example/?q={query:q}"}],
    "expires_at": "2030-01-02T03:04:05Z", "max_clicks": 10,
    "fallback_url": "https://fallback.example/", "password": "s3cret",
    "forward_query": true, "utm": {"source": "news", "medium": "email"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  json::object o = Obj(created);
  const std::string path = "/api/v1/links/" + std::to_string(o["id"].as_int64());
  auto got = Call("GET", path);
  ASSERT_EQ(got.status, 200);
  json::object g = Obj(got);
  EXPECT_EQ(g, o);
  EXPECT_EQ(g["domain"].as_string(), "");
  EXPECT_EQ(g["destination"].as_string(), "https://a.example/{click_id}");
  EXPECT_EQ(g["title"].as_string(), "Spring sale");
  EXPECT_EQ(g["tags"].as_array(), (json::array{"email", "spring"}));
  EXPECT_EQ(g["group"].as_string(), "launch");
  EXPECT_EQ(g["destinations"].as_array().size(), 2u);
  EXPECT_EQ(g["destinations"].as_array()[0].as_object()["weight"].as_int64(), 3);
  EXPECT_EQ(g["rules"].as_array()[0].as_object()["countries"].as_array(), (json::array{"US"}));
  EXPECT_EQ(g["expires_at"].as_string(), "2030-01-02T03:04:05Z");
  EXPECT_EQ(g["max_clicks"].as_int64(), 10);
  EXPECT_EQ(g["fallback_url"].as_string(), "https://fallback.example/");
  EXPECT_TRUE(g["password_protected"].as_bool());
  EXPECT_EQ(g.if_contains("password"), nullptr);
  EXPECT_TRUE(g["forward_query"].as_bool());
  EXPECT_EQ(g["utm"].as_object()["source"].as_string(), "news");
  EXPECT_EQ(g["short_url"].as_string(), "http://127.0.0.1:" + std::to_string(port_) + "/full");

  auto patched = Call("PATCH", path, R"({"expires_at": null, "max_clicks": null,
    "fallback_url": null, "password": null, "destinations": [], "tags": ["x"]})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  g = Obj(Call("GET", path));
  EXPECT_TRUE(g["expires_at"].is_null());
  EXPECT_TRUE(g["max_clicks"].is_null());
  EXPECT_TRUE(g["fallback_url"].is_null());
  EXPECT_FALSE(g["password_protected"].as_bool());
  EXPECT_EQ(g.if_contains("destinations"), nullptr);
  EXPECT_EQ(g["destination"].as_string(), "https://a.example/{click_id}");
  EXPECT_EQ(g["tags"].as_array(), (json::array{"x"}));
  EXPECT_EQ(g["title"].as_string(), "Spring sale");  // absent: kept
  EXPECT_TRUE(g["forward_query"].as_bool());
}

TEST_F(LinksFeaturesE2eTest, BadInputsAre400WithCodes) {
  auto r = Call("POST", "/api/v1/links", R"({"destination": "https://www.evil.test/"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r), "destination_blocked");
  for (std::string body : {
           R"j({"destination": "https://{country}.x.example/"})j",
           R"j({"destination": "https://x.com@{query:u}/"})j",
           R"j({"destination": "//evil.com/"})j",
           R"j({"destination": "javascript:alert(1)"})j",
           R"j({"destination": "https://x.example/%0d%0aX:1"})j",
           R"j({"destination": "https://x.example/{nope}"})j",
           R"j({"destination": "https://x.example/", "slug": "api"})j",
           R"j({"destination": "https://x.example/", "slug": "a%0d%0a"})j",
           R"j({"destination": "https://x.example/", "max_clicks": 0})j",
           R"j({"destination": "https://x.example/", "id": 5})j",
           R"j({"destination": "https://x.example/", "domain": "not.mine.test"})j",
       }) {
    r = Call("POST", "/api/v1/links", body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    EXPECT_EQ(ErrorCode(r), "bad_request") << body;
  }
  ASSERT_EQ(
      Call("POST", "/api/v1/links", R"({"destination": "https://x.example/", "slug": "t"})").status,
      201);
  r = Call("POST", "/api/v1/links", R"({"destination": "https://x.example/", "slug": "t"})");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(ErrorCode(r), "slug_taken");
}

TEST_F(LinksFeaturesE2eTest, ListFiltersAndBulkAtomicity) {
  auto bulk = Call("POST", "/api/v1/links/bulk", R"({"links": [
    {"destination": "https://x.example/1", "slug": "b1", "tags": ["t1"], "group": "g1"},
    {"destination": "https://x.example/2", "slug": "b2", "tags": ["t1", "t2"]},
    {"destination": "https://x.example/3", "tags": ["t2"], "group": "g1"}]})");
  ASSERT_EQ(bulk.status, 201) << bulk.body;
  EXPECT_EQ(Obj(bulk)["links"].as_array().size(), 3u);
  EXPECT_EQ(ListSlugs("?tag=t1"), (std::vector<std::string>{"b1", "b2"}));
  EXPECT_EQ(ListSlugs("?group=g1&tag=t1"), (std::vector<std::string>{"b1"}));
  EXPECT_EQ(ListSlugs("?tag=t2&group=g1").size(), 1u);
  EXPECT_EQ(ListSlugs("?domain=").size(), 3u);

  // One taken slug fails the whole batch and names its index.
  auto failed = Call("POST", "/api/v1/links/bulk", R"({"links": [
    {"destination": "https://x.example/4", "slug": "b4"},
    {"destination": "https://x.example/5", "slug": "b1"}]})");
  EXPECT_EQ(failed.status, 409) << failed.body;
  EXPECT_EQ(JsonStr(Obj(failed)["error"], "message"), "links[1]: slug taken");
  failed = Call("POST", "/api/v1/links/bulk", R"({"links": [
    {"destination": "https://x.example/4", "slug": "b4"}, {"destination": "ftp://x/"}]})");
  EXPECT_EQ(failed.status, 400);
  EXPECT_EQ(JsonStr(Obj(failed)["error"], "message").rfind("links[1]: ", 0), 0u);
  EXPECT_EQ(ListSlugs("").size(), 3u);  // b4 was not created
}

TEST_F(LinksFeaturesE2eTest, CsvImportThenExportRoundTrips) {
  HttpClient c(port_);
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Authorization", "Bearer " + a_}, {"Content-Type", "text/csv"}};
  std::string csv =
      "destination,slug,title,tags,group\r\n"
      "https://x.example/1,c1,\"Hello, \"\"world\"\"\",a|b,g\r\n"
      "https://x.example/2,c2,=SUM(A1),,\r\n"
      "https://x.example/3,,\"a, b\",c,\r\n";
  auto imported = c.Request("POST", "/api/v1/links/import", headers, csv);
  ASSERT_EQ(imported.status, 201) << imported.body;
  EXPECT_EQ(Obj(imported)["created"].as_int64(), 3);

  auto bad = c.Request("POST", "/api/v1/links/import", headers,
                       "destination,slug\nhttps://x.example/,d1\nftp://x/,d2\n");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(JsonStr(Obj(bad)["error"], "message").rfind("row 3: destination", 0), 0u) << bad.body;
  bad = c.Request("POST", "/api/v1/links/import", headers, "destination,slug\nhttps://x/,c1\n");
  EXPECT_EQ(bad.status, 409);
  EXPECT_EQ(JsonStr(Obj(bad)["error"], "message"), "row 2: slug taken");
  EXPECT_EQ(c.Request("POST", "/api/v1/links/import", headers, "slug\nx\n").status, 400);
  // A quoted line break parses, but a title may not hold one.
  bad = c.Request("POST", "/api/v1/links/import", headers,
                  "destination,title\nhttps://x.example/,\"two\nlines\"\n");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(JsonStr(Obj(bad)["error"], "message").rfind("row 2: title", 0), 0u) << bad.body;
  EXPECT_EQ(c.Request("POST", "/api/v1/links/import", headers, "destination\n\"open\n").status,
            400);
  EXPECT_EQ(
      c.Request("POST", "/api/v1/links/import",
                {{"Authorization", "Bearer " + a_}, {"Content-Type", "application/json"}}, csv)
          .status,
      415);
  EXPECT_EQ(ListSlugs("").size(), 3u);

  auto exported =
      c.Request("GET", "/api/v1/links/export?group=g", {{"Authorization", "Bearer " + a_}});
  ASSERT_EQ(exported.status, 200);
  EXPECT_EQ(exported.Header("content-type").rfind("text/csv", 0), 0u);
  EXPECT_EQ(exported.body.substr(0, exported.body.find("\r\n")),
            "id,short_url,domain,slug,destination,title,tags,group,created_at");
  EXPECT_NE(exported.body.find(",c1,https://x.example/1,\"Hello, \"\"world\"\"\",a|b,g,"),
            std::string::npos)
      << exported.body;
  exported = c.Request("GET", "/api/v1/links/export", {{"Authorization", "Bearer " + a_}});
  EXPECT_NE(exported.body.find(",c2,https://x.example/2,'=SUM(A1),,,"), std::string::npos)
      << exported.body;
  EXPECT_NE(exported.body.find(",\"a, b\",c,"), std::string::npos) << exported.body;
}

TEST_F(LinksFeaturesE2eTest, DomainsAreIsolatedAcrossAccounts) {
  auto d = Call("POST", "/api/v1/domains", R"({"host": "Go.A.test"})");
  ASSERT_EQ(d.status, 201) << d.body;
  EXPECT_EQ(Obj(d)["host"].as_string(), "go.a.test");
  const std::string dpath = "/api/v1/domains/" + std::to_string(Obj(d)["id"].as_int64());
  auto taken = Call("POST", "/api/v1/domains", R"({"host": "go.a.test"})", &b_);
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(ErrorCode(taken), "domain_taken");
  EXPECT_EQ(Call("POST", "/api/v1/domains", R"({"host": "bad host"})").status, 400);
  EXPECT_EQ(Obj(Call("GET", "/api/v1/domains", "", &b_))["domains"].as_array().size(), 0u);
  EXPECT_EQ(Obj(Call("GET", "/api/v1/domains"))["domains"].as_array().size(), 1u);
  EXPECT_EQ(Call("DELETE", dpath, "", &b_).status, 404);

  // B cannot put a link on A's domain; A can, and its short URL uses the domain.
  auto lb =
      Call("POST", "/api/v1/links",
           R"({"destination": "https://x.example/", "slug": "s", "domain": "go.a.test"})", &b_);
  EXPECT_EQ(lb.status, 400) << lb.body;
  auto la = Call("POST", "/api/v1/links",
                 R"({"destination": "https://x.example/", "slug": "s", "domain": "go.a.test"})");
  ASSERT_EQ(la.status, 201) << la.body;
  EXPECT_EQ(Obj(la)["short_url"].as_string(), "http://go.a.test/s");
  // The same slug on the default domain is a different link.
  EXPECT_EQ(
      Call("POST", "/api/v1/links", R"({"destination": "https://x.example/", "slug": "s"})", &b_)
          .status,
      201);
  EXPECT_EQ(ListSlugs("?domain=go.a.test"), std::vector<std::string>{"s"});

  auto in_use = Call("DELETE", dpath);
  EXPECT_EQ(in_use.status, 409);
  EXPECT_EQ(ErrorCode(in_use), "domain_in_use");
  ASSERT_EQ(Call("DELETE", "/api/v1/links/" + std::to_string(Obj(la)["id"].as_int64())).status,
            204);
  EXPECT_EQ(Call("DELETE", dpath).status, 204);
  EXPECT_EQ(Call("POST", "/api/v1/domains", R"({"host": "go.a.test"})", &b_).status, 201);
}

}  // namespace
}  // namespace ct::test
