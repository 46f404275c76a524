#include "edge/trusted_proxies.h"

#include <gtest/gtest.h>

#include "edge/click_context.h"
#include "edge/edge_server.h"

namespace ct::edge {
namespace {

TEST(TrustedProxiesTest, ParsesIpsAndCidrs) {
  auto t = TrustedProxies::Parse(" 10.0.0.0/8, 127.0.0.1 ,::1, fd00::/8,192.168.1.128/25");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->Contains("10.1.2.3"));
  EXPECT_TRUE(t->Contains("127.0.0.1"));
  EXPECT_FALSE(t->Contains("127.0.0.2"));
  EXPECT_TRUE(t->Contains("::1"));
  EXPECT_TRUE(t->Contains("fd12::5"));
  EXPECT_FALSE(t->Contains("fe80::1"));
  EXPECT_TRUE(t->Contains("192.168.1.200"));
  EXPECT_FALSE(t->Contains("192.168.1.100"));
  EXPECT_TRUE(t->Contains("::ffff:10.0.0.1"));  // IPv4-mapped counts as IPv4
  EXPECT_FALSE(t->Contains("not-an-ip"));
  EXPECT_FALSE(t->Contains(""));
  EXPECT_TRUE(TrustedProxies::Parse("")->empty());
  EXPECT_FALSE(TrustedProxies::Parse("10.0.0.0/33").ok());
  EXPECT_FALSE(TrustedProxies::Parse("10.0.0/8").ok());
  EXPECT_FALSE(TrustedProxies::Parse("example.com").ok());
  EXPECT_FALSE(TrustedProxies::Parse("::1/129").ok());
  EXPECT_FALSE(TrustedProxies::Parse("10.0.0.0/x").ok());
}

TEST(TrustedProxiesTest, ClientIsRightMostUntrustedForwardedAddress) {
  auto t = *TrustedProxies::Parse("127.0.0.1,10.0.0.0/8");
  // An untrusted peer: its X-Forwarded-For is ignored.
  EXPECT_EQ(t.ClientIp("203.0.113.9", false, "8.8.8.8"), "203.0.113.9");
  EXPECT_EQ(t.ClientIp("127.0.0.1", true, ""), "127.0.0.1");
  EXPECT_EQ(t.ClientIp("127.0.0.1", true, "8.8.8.8"), "8.8.8.8");
  // The client forged the left entry; our proxies appended the rest.
  EXPECT_EQ(t.ClientIp("127.0.0.1", true, "1.1.1.1, 8.8.8.8, 10.0.0.5"), "8.8.8.8");
  EXPECT_EQ(t.ClientIp("127.0.0.1", true, "10.0.0.7,10.0.0.5"), "10.0.0.7");
  EXPECT_EQ(t.ClientIp("127.0.0.1", true, "garbage, 10.0.0.5"), "10.0.0.5");
  EXPECT_EQ(t.ClientIp("127.0.0.1", true, " 2001:db8::1 "), "2001:db8::1");
}

TEST(HostRoutingTest, NormalizeHost) {
  auto n = [](std::string_view h) {
    std::string out;
    NormalizeHost(h, &out);
    return out;
  };
  EXPECT_EQ(n("Go.Example.COM:8080"), "go.example.com");
  EXPECT_EQ(n("go.example.com"), "go.example.com");
  EXPECT_EQ(n("[::1]:8080"), "::1");
  EXPECT_EQ(n("[::1]"), "::1");
  EXPECT_EQ(n("::1"), "::1");
  EXPECT_EQ(n("127.0.0.1:80"), "127.0.0.1");
  EXPECT_EQ(HostOfUrl("https://Go.Example.com:8443/x"), "go.example.com");
  EXPECT_EQ(HostOfUrl("http://[::1]:8080"), "::1");
  EXPECT_EQ(HostOfUrl(""), "");
}

TEST(VisitorCookieTest, FindsOnlyWellFormedValues) {
  EXPECT_EQ(FindVisitorCookie("a=b; ct_vid=AAAAAAAAAAAAAAAAAAAAAA; c=d"), "AAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_EQ(FindVisitorCookie("ct_vid=abc"), "");                      // too short
  EXPECT_EQ(FindVisitorCookie("ct_vid=AAAAAAAAAAAAAAAA!AAAAA"), "");   // bad character
  EXPECT_EQ(FindVisitorCookie("xct_vid=AAAAAAAAAAAAAAAAAAAAAA"), "");  // another name
  EXPECT_EQ(FindVisitorCookie(""), "");
  std::string out;
  AppendVisitorCookie("AAAAAAAAAAAAAAAAAAAAAA", &out);
  EXPECT_EQ(out,
            "Set-Cookie: ct_vid=AAAAAAAAAAAAAAAAAAAAAA; Max-Age=31536000; Path=/; HttpOnly; "
            "SameSite=Lax\r\n");
}

}  // namespace
}  // namespace ct::edge
