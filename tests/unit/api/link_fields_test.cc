// The link object's rules (api/link_fields.h) and destination validation with macros and
// blocked hosts (api/destination.h): a table of inputs that must pass and must fail.
#include "api/link_fields.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "api/destination.h"
#include "common/password.h"

namespace ct::api {
namespace {

namespace json = boost::json;

const std::vector<std::string> kBlocked = {"evil.test", "bad.example"};

Result<LinkInput> Parse(std::string_view body) {
  return ParseLinkInput(json::parse(body).as_object(), kBlocked);
}

TEST(DestinationRules, GoodDestinations) {
  for (std::string_view url : {
           "https://example.com/", "http://example.com:8080/a?b=c#d",
           "https://example.com/{click_id}",
           "https://example.com/p?c={country}&d={device}&o={os}&b={browser}&l={language}",
           "https://example.com/{slug}/{link_id}/{domain}/{visitor_id}",
           "https://example.com/?u={query:utm_source}&x={query:a.b-c_d}",
           "https://example.com#{slug}",
           "https://notevil.test/",  // not a subdomain of evil.test
       }) {
    auto r = ValidateDestination(url, kBlocked);
    EXPECT_TRUE(r.ok()) << url << ": " << r.status().ToString();
  }
  EXPECT_EQ(*ValidateDestination("HTTPS://Example.COM", kBlocked), "https://example.com/");
  EXPECT_EQ(*ValidateDestination("https://Example.com#{slug}", kBlocked),
            "https://example.com/#{slug}");
  EXPECT_EQ(*ValidateDestination("https://EXAMPLE.com/{click_id}?q={query:x}", kBlocked),
            "https://example.com/{click_id}?q={query:x}");
}

TEST(DestinationRules, BadDestinations) {
  for (std::string_view url : {
           "",
           "//evil.com/",
           "javascript:alert(1)",
           "data:text/html,hi",
           "file:///etc/passwd",
           "vbscript:msgbox",
           "ftp://example.com/",
           "https:\\\\evil.com",
           "\\\\evil.com",
           "https://good.com@evil.com/",
           "https://example.com/\r\nSet-Cookie: a=b",
           "https://example.com/%0d%0aSet-Cookie:%20a=b",
           "https://example.com/%0D%0A",
           "https://example.com/%00",
           "https://exa mple.com/",
           "https://example.com:99999/",
           "https://{country}.evil.com/",
           "https://x.com@{query:u}/",
           "https://example.com:{country}/",
           "https://example.com/{unknown}",
           "https://example.com/{query:}",
           "https://example.com/{query:a b}",
           "https://example.com/{click_id",
           "https://example.com/click_id}",
           "https://example.com/{{click_id}}",
           "{click_id}://example.com/",
       }) {
    auto r = ValidateDestination(url, kBlocked);
    EXPECT_FALSE(r.ok()) << "accepted: " << url;
    EXPECT_FALSE(IsBlockedHost(r.status())) << url;
  }
  EXPECT_FALSE(ValidateDestination(std::string(kMaxDestinationBytes + 1, 'a')).ok());
}

TEST(DestinationRules, BlockedHostsAndTheirSubdomains) {
  for (std::string_view url : {"https://evil.test/", "https://EVIL.test./x",
                               "https://a.b.evil.test/", "http://bad.example:81/"}) {
    auto r = ValidateDestination(url, kBlocked);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_TRUE(IsBlockedHost(r.status())) << url << ": " << r.status().ToString();
  }
  EXPECT_EQ(ParseBlockedHosts(" Evil.test. ,,bad.example "),
            (std::vector<std::string>{"evil.test", "bad.example"}));
  EXPECT_TRUE(ParseBlockedHosts("").empty());
}

TEST(LinkFields, FullBodyIsNormalised) {
  auto in = Parse(R"({
    "destination": "https://example.com/a", "slug": "spring", "domain": "Go.Example.COM.",
    "title": "Spring \u2014 sale", "tags": ["b", "a"], "group": "launch",
    "destinations": [{"url": "https://a.example/", "weight": 1000},
                     {"url": "https://b.example/", "weight": 1}],
    "rules": [{"countries": ["us", "Ca"], "devices": ["Mobile"], "os": ["ios"],
               "languages": ["EN"], "destination": "https://us.example/"}],
    "expires_at": "2030-01-01T00:00:00Z", "max_clicks": 5,
    "fallback_url": "https://fallback.example/", "password": "hunter2",
    "forward_query": true, "utm": {"source": "news", "campaign": "spring"}})");
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(*in->domain, "go.example.com");
  EXPECT_EQ(in->rules->at(0).countries, (std::vector<std::string>{"US", "CA"}));
  EXPECT_EQ(in->rules->at(0).devices, std::vector<std::string>{"mobile"});
  EXPECT_EQ(in->rules->at(0).languages, std::vector<std::string>{"en"});
  ASSERT_TRUE(in->password_hash && *in->password_hash);
  EXPECT_TRUE(VerifyPassword("hunter2", **in->password_hash));
  auto nl = MakeNewLink(7, std::move(*in));
  ASSERT_TRUE(nl.ok());
  EXPECT_EQ(nl->destination, "https://a.example/");  // the rotation's first entry
  EXPECT_EQ(nl->options.max_clicks, 5);
  EXPECT_TRUE(nl->options.forward_query);
  EXPECT_EQ(nl->options.utm.campaign, "spring");

  LinkRow row;
  row.slug = "spring";
  row.domain = nl->domain;
  row.options = nl->options;
  json::object out = LinkToJson(row, "http://127.0.0.1:8080");
  EXPECT_EQ(out["short_url"].as_string(), "http://go.example.com/spring");
  EXPECT_EQ(out["password_protected"].as_bool(), true);
  EXPECT_EQ(out.if_contains("password"), nullptr);
  EXPECT_EQ(out["expires_at"].as_string(), "2030-01-01T00:00:00Z");
  row.domain = "";
  EXPECT_EQ(ShortUrl(row, "https://s.example"), "https://s.example/spring");
}

TEST(LinkFields, BadBodies) {
  std::string long_title(kMaxTitleBytes + 1, 't');
  std::vector<std::string> bad = {
      R"({"id": 1})",
      R"({"account_id": 1})",
      R"({"created_at": "2024-01-01"})",
      R"({"password_protected": true})",
      R"({"nope": 1})",
      R"({"destination": 5})",
      R"j({"destination": "javascript:alert(1)"})j",
      R"({"slug": "api"})",
      R"({"slug": "healthz"})",
      R"({"slug": "a%0d%0ab"})",
      R"({"slug": "a/b"})",
      R"({"slug": ")" + std::string(65, 'a') + R"("})",
      R"({"domain": "bad host"})",
      R"({"domain": "localhost"})",
      R"({"domain": "go.example.com:8080"})",
      R"({"title": ")" + long_title + R"("})",
      R"({"title": "a\u0007b"})",
      R"({"group": ")" + std::string(65, 'g') + R"("})",
      R"({"tags": "x"})",
      R"({"tags": [""]})",
      R"({"tags": ["a|b"]})",
      R"({"tags": ["a,b"]})",
      R"({"tags": [")" + std::string(65, 'x') + R"("]})",
      R"({"tags": ["1","2","3","4","5","6","7","8","9","10","11","12","13","14","15","16","17","18","19","20","21"]})",
      R"({"destinations": [{"url": "https://a.example/", "weight": 1}]})",
      R"({"destinations": [{"url": "https://a.example/", "weight": 0}, {"url": "https://b.example/"}]})",
      R"({"destinations": [{"url": "https://a.example/", "weight": 1001}, {"url": "https://b.example/"}]})",
      R"({"destinations": [{"url": "https://a.example/", "weight": 1.5}, {"url": "https://b.example/"}]})",
      R"({"destinations": [{"url": "ftp://a.example/"}, {"url": "https://b.example/"}]})",
      R"({"destinations": [{"weight": 2}, {"url": "https://b.example/"}]})",
      R"({"rules": [{"countries": ["USA"], "destination": "https://x.example/"}]})",
      R"({"rules": [{"countries": ["U1"], "destination": "https://x.example/"}]})",
      R"({"rules": [{"devices": ["phone"], "destination": "https://x.example/"}]})",
      R"({"rules": [{"os": ["beos"], "destination": "https://x.example/"}]})",
      R"({"rules": [{"languages": ["english"], "destination": "https://x.example/"}]})",
      R"({"rules": [{"countries": ["US"]}]})",
      R"({"rules": [{"destination": "https://x.example/"}]})",
      R"({"rules": [{"countries": ["US"], "destination": "https://{country}.x.example/"}]})",
      R"({"rules": [{"countries": ["US"], "destination": "https://x.example/", "extra": 1}]})",
      R"({"expires_at": "tomorrow"})",
      R"({"expires_at": 1700000000})",
      R"({"max_clicks": 0})",
      R"({"max_clicks": -1})",
      R"({"max_clicks": "5"})",
      R"({"fallback_url": "//evil.com"})",
      R"({"password": "abc"})",
      R"({"password": ")" + std::string(129, 'p') + R"("})",
      R"({"password": 1234})",
      R"({"forward_query": "yes"})",
      R"({"utm": {"source": 1}})",
      R"({"utm": {"medium": "a\nb"}})",
      R"({"utm": {"other": "x"}})",
      R"({"utm": "x"})",
  };
  for (const auto& body : bad) {
    auto in = Parse(body);
    EXPECT_FALSE(in.ok()) << "accepted: " << body;
    if (!in.ok()) {
      EXPECT_EQ(in.status().code(), StatusCode::kInvalidArgument) << body;
    }
  }
  auto blocked = Parse(R"({"fallback_url": "https://www.evil.test/"})");
  ASSERT_FALSE(blocked.ok());
  EXPECT_TRUE(IsBlockedHost(blocked.status()));
  blocked = Parse(R"({"rules": [{"os": ["ios"], "destination": "https://evil.test/"}]})");
  ASSERT_FALSE(blocked.ok());
  EXPECT_TRUE(IsBlockedHost(blocked.status()));
  // Neither destination nor destinations: refused when creating.
  auto empty = Parse(R"({"title": "x"})");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(MakeNewLink(1, std::move(*empty)).ok());
}

TEST(LinkFields, PatchNullClearsAndRotationRules) {
  LinkRow current;
  current.destination = "https://a.example/";
  current.options.rotation = {{"https://a.example/", 1}, {"https://b.example/", 1}};
  current.options.max_clicks = 3;
  current.options.expires_at_us = 5;
  current.options.fallback_url = "https://f.example/";
  current.options.password_hash = "x";
  auto in = Parse(
      R"({"max_clicks": null, "expires_at": null, "fallback_url": null, "password": null,
          "destinations": []})");
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  auto up = MakeLinkUpdate(current, std::move(*in));
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  ASSERT_TRUE(up->options.has_value());
  EXPECT_EQ(up->options->max_clicks, 0);
  EXPECT_EQ(up->options->expires_at_us, 0);
  EXPECT_EQ(up->options->fallback_url, "");
  EXPECT_EQ(up->options->password_hash, "");
  EXPECT_TRUE(up->options->rotation.empty());
  EXPECT_EQ(up->destination.value_or(""), "https://a.example/");

  // A destination alone cannot change a rotating link.
  in = Parse(R"({"destination": "https://c.example/"})");
  ASSERT_TRUE(in.ok());
  EXPECT_FALSE(MakeLinkUpdate(current, std::move(*in)).ok());
  // The domain is fixed.
  in = Parse(R"({"domain": "go.example.com"})");
  ASSERT_TRUE(in.ok());
  EXPECT_FALSE(MakeLinkUpdate(current, std::move(*in)).ok());
  // Absent fields keep their values.
  in = Parse(R"({"title": "t"})");
  ASSERT_TRUE(in.ok());
  up = MakeLinkUpdate(current, std::move(*in));
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(up->options->max_clicks, 3);
  EXPECT_EQ(up->options->password_hash, "x");
}

}  // namespace
}  // namespace ct::api
