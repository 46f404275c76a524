#include "api/destination.h"

#include <gtest/gtest.h>

#include <string>

namespace ct::api {
namespace {

std::string Ok(std::string_view url) {
  auto r = ValidateDestination(url);
  EXPECT_TRUE(r.ok()) << url << ": " << r.status().ToString();
  return r.ok() ? *r : std::string();
}

void ExpectRefused(std::string_view url) {
  auto r = ValidateDestination(url);
  EXPECT_FALSE(r.ok()) << "accepted '" << url << "' as '" << (r.ok() ? *r : "") << "'";
  if (!r.ok()) {
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(DestinationTest, AcceptsHttpAndHttps) {
  EXPECT_EQ(Ok("https://example.com/"), "https://example.com/");
  EXPECT_EQ(Ok("http://example.com/a/b"), "http://example.com/a/b");
  EXPECT_EQ(Ok("https://example.com/search?q=1&r=a%20b#frag"),
            "https://example.com/search?q=1&r=a%20b#frag");
  EXPECT_EQ(Ok("https://example.com:8443/x"), "https://example.com:8443/x");
  EXPECT_EQ(Ok("http://192.0.2.1/"), "http://192.0.2.1/");
  EXPECT_EQ(Ok("http://[2001:db8::1]:8080/p"), "http://[2001:db8::1]:8080/p");
  EXPECT_EQ(Ok("https://sub.example.co.uk/?utm_source=x"),
            "https://sub.example.co.uk/?utm_source=x");
}

TEST(DestinationTest, KeepsFragment) {
  EXPECT_EQ(Ok("https://example.com/page#section-2"), "https://example.com/page#section-2");
  EXPECT_EQ(Ok("https://example.com#top"), "https://example.com/#top");
}

TEST(DestinationTest, EmptyPathBecomesSlash) {
  EXPECT_EQ(Ok("https://example.com"), "https://example.com/");
  EXPECT_EQ(Ok("https://example.com?q=1"), "https://example.com/?q=1");
}

TEST(DestinationTest, NormalisesSchemeAndHostCase) {
  EXPECT_EQ(Ok("HTTPS://EXAMPLE.com/Path"), "https://example.com/Path");
  EXPECT_EQ(Ok("Http://Example.COM"), "http://example.com/");
}

TEST(DestinationTest, ResultIsStable) {
  for (const char* u : {"HTTPS://EXAMPLE.com/Path?x=Y", "http://[2001:DB8::1]/", "https://a.b"}) {
    std::string once = Ok(u);
    EXPECT_EQ(Ok(once), once) << u;
  }
}

TEST(DestinationTest, RefusesOtherSchemes) {
  ExpectRefused("javascript:alert(1)");
  ExpectRefused("JavaScript:alert(1)");
  ExpectRefused("javascript://example.com/%0aalert(1)");
  ExpectRefused("data:text/html,<script>alert(1)</script>");
  ExpectRefused("file:///etc/passwd");
  ExpectRefused("vbscript:msgbox(1)");
  ExpectRefused("ftp://example.com/");
  ExpectRefused("mailto:a@example.com");
}

TEST(DestinationTest, RefusesRelativeAndBackslashTricks) {
  ExpectRefused("//evil.com/");
  ExpectRefused("/path");
  ExpectRefused("example.com");
  ExpectRefused("\\\\evil.com");
  ExpectRefused("https:\\\\evil.com");
  ExpectRefused("https://good.com\\@evil.com");
  ExpectRefused("https:/evil.com");
  ExpectRefused("https:evil.com");
}

TEST(DestinationTest, RefusesUserinfo) {
  ExpectRefused("https://user@example.com/");
  ExpectRefused("https://good.com@evil.com/");
  ExpectRefused("https://user:pass@example.com/");
  ExpectRefused("https://:@example.com/");
  ExpectRefused("https://@example.com/");
}

TEST(DestinationTest, RefusesControlCharactersAndSpaces) {
  ExpectRefused("https://example.com/\r\nSet-Cookie:x=y");
  ExpectRefused("https://example.com/\n");
  ExpectRefused("https://example.com/\t");
  ExpectRefused(std::string("https://example.com/\0", 21));
  ExpectRefused("https://example.com/\x7f");
  ExpectRefused("https://example.com/a b");
  ExpectRefused(" https://example.com/");
  ExpectRefused("https://example.com/ ");
}

TEST(DestinationTest, RefusesNonAscii) {
  ExpectRefused("https://ex\xc3\xa4mple.com/");
  ExpectRefused("https://example.com/caf\xc3\xa9");
  ExpectRefused("https://example.com/\xff");
}

TEST(DestinationTest, RefusesMissingHost) {
  ExpectRefused("https://");
  ExpectRefused("http:///path");
  ExpectRefused("https://:443/");
  ExpectRefused("https:");
}

TEST(DestinationTest, RefusesEmptyAndTooLong) {
  ExpectRefused("");
  std::string base = "https://example.com/";
  std::string exact = base + std::string(kMaxDestinationBytes - base.size(), 'a');
  ASSERT_EQ(exact.size(), kMaxDestinationBytes);
  EXPECT_EQ(Ok(exact), exact);
  ExpectRefused(exact + "a");
  ExpectRefused(base + std::string(100000, 'a'));
}

}  // namespace
}  // namespace ct::api

namespace ct::api {
namespace {

TEST(DestinationPortTest, PortsOutsideTheTcpRangeAreRefused) {
  EXPECT_TRUE(ValidateDestination("http://example.com:8080/").ok());
  EXPECT_TRUE(ValidateDestination("http://example.com:65535/").ok());
  EXPECT_FALSE(ValidateDestination("http://example.com:65536/").ok());
  EXPECT_FALSE(ValidateDestination("http://example.com:99999999999999999999/").ok());
  EXPECT_FALSE(ValidateDestination("http://example.com:0/").ok());
  EXPECT_FALSE(ValidateDestination("http://example.com:/").ok());
}

}  // namespace
}  // namespace ct::api
