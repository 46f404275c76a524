// The SSRF guard: every spelling of a private or loopback target in RELIABILITY.md §4 is refused
// at save time, public targets pass, the allow-list and the port list work; and the connect-time
// address check.
#include "postback/ssrf.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

namespace ct::postback {
namespace {

SsrfPolicy DefaultPolicy() { return SsrfPolicy{}; }

TEST(SsrfTest, ParsesEveryInetAtonSpelling) {
  const uint32_t loopback = 0x7f000001;
  for (const char* s : {"127.0.0.1", "2130706433", "0x7f000001", "0X7F000001", "0177.0.0.1",
                        "127.1", "127.0.1", "0x7f.1", "0177.0.0.01", "0x7f.0.0.0x1"}) {
    auto v = ParseIpv4Literal(s);
    ASSERT_TRUE(v.has_value()) << s;
    EXPECT_EQ(*v, loopback) << s;
  }
  EXPECT_EQ(ParseIpv4Literal("0"), 0u);
  EXPECT_EQ(ParseIpv4Literal("10.1.65535"), 0x0a01ffffu);
  for (const char* s : {"", "256.0.0.1", "1.2.3.4.5", "08.0.0.1", "1..2", "1.2.3.", "example.com",
                        "4294967296", "1.16777216", "0xg", "127.0.0.1x", "-1"}) {
    EXPECT_FALSE(ParseIpv4Literal(s).has_value()) << s;
  }
}

TEST(SsrfTest, RefusesEveryPrivateSpellingAtSaveTime) {
  for (const char* url : {"http://2130706433/",
                          "http://0177.0.0.1/",
                          "http://0x7f000001/",
                          "http://127.1/",
                          "http://127.0.0.1/",
                          "http://127.0.0.1./",
                          "http://localhost/",
                          "http://localhost./",
                          "http://LOCALHOST/",
                          "http://api.localhost/",
                          "http://a.b.localhost./",
                          "http://[::ffff:127.0.0.1]/",
                          "http://[::ffff:7f00:1]/",
                          "http://[::1]/",
                          "http://[::]/",
                          "http://[::127.0.0.1]/",
                          "http://[64:ff9b::127.0.0.1]/",
                          "http://[64:ff9b::a9fe:a9fe]/",
                          "http://[2002:7f00:1::]/",
                          "http://169.254.169.254/",
                          "http://100.64.0.1/",
                          "http://[fc00::1]/",
                          "http://[fd12:3456::1]/",
                          "http://[fe80::1]/",
                          "http://[ff02::1]/",
                          "http://10.0.0.1/",
                          "http://10.255.255.255/",
                          "http://172.16.0.1/",
                          "http://172.31.255.1/",
                          "http://192.168.1.1/",
                          "http://0.0.0.0/",
                          "http://0/",
                          "http://224.0.0.1/",
                          "http://255.255.255.255/",
                          "http://198.18.0.1/",
                          "http://192.0.0.1/",
                          "http://%31%32%37.0.0.1/",
                          "https://127.0.0.1:443/pb?c={click_id}"}) {
    Status s = CheckTargetUrl(url, DefaultPolicy());
    EXPECT_FALSE(s.ok()) << url;
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << url;
  }
  EXPECT_EQ(CheckTargetUrl("http://2130706433/", DefaultPolicy()).message(),
            "postback target 127.0.0.1 is in a private or loopback range");
}

TEST(SsrfTest, AcceptsPublicTargets) {
  for (const char* url :
       {"https://partner.example/pb?c={click_id}", "http://93.184.216.34/", "http://8.8.8.8:8080/x",
        "https://[2606:4700::1111]/", "http://172.32.0.1/", "http://172.15.255.255/",
        "http://100.128.0.1/", "http://localhost.example.com/", "http://mylocalhost/",
        "https://partner.example:8443/{goal}#{order_id}"}) {
    EXPECT_TRUE(CheckTargetUrl(url, DefaultPolicy()).ok())
        << url << ": " << CheckTargetUrl(url, DefaultPolicy()).ToString();
  }
}

TEST(SsrfTest, RefusesStructureProblems) {
  for (const char* url :
       {"ftp://partner.example/", "https://u:p@partner.example/", "https://{domain}/",
        "https://partner.example:{link_id}/", "https://partner.example/?x={nope}"}) {
    EXPECT_FALSE(CheckTargetUrl(url, DefaultPolicy()).ok()) << url;
  }
}

TEST(SsrfTest, AllowListLetsChosenAddressesThrough) {
  SsrfPolicy p;
  auto allow = CidrList::Parse("127.0.0.1/32, ::1");
  ASSERT_TRUE(allow.ok()) << allow.status().ToString();
  p.allow = *allow;
  EXPECT_TRUE(CheckTargetUrl("http://127.0.0.1:8080/pb", p).ok());
  EXPECT_TRUE(CheckTargetUrl("http://127.1:8080/pb", p).ok());  // the same address
  EXPECT_TRUE(CheckTargetUrl("http://[::1]/pb", p).ok());
  EXPECT_TRUE(CheckTargetUrl("http://[::ffff:127.0.0.1]/pb", p).ok());
  EXPECT_FALSE(CheckTargetUrl("http://127.0.0.2/pb", p).ok());
  EXPECT_FALSE(CheckTargetUrl("http://localhost/pb", p).ok());  // a name, not an address
}

TEST(SsrfTest, Ports) {
  SsrfPolicy p;
  EXPECT_TRUE(CheckTargetUrl("http://partner.example/", p).ok());   // 80
  EXPECT_TRUE(CheckTargetUrl("https://partner.example/", p).ok());  // 443
  EXPECT_TRUE(CheckTargetUrl("http://partner.example:/", p).ok());  // empty: the default
  EXPECT_TRUE(CheckTargetUrl("http://partner.example:8443/", p).ok());
  EXPECT_FALSE(CheckTargetUrl("http://partner.example:22/", p).ok());
  EXPECT_FALSE(CheckTargetUrl("http://partner.example:6379/", p).ok());
  EXPECT_FALSE(CheckTargetUrl("http://partner.example:99999/", p).ok());
  p.allowed_ports = {443};
  EXPECT_FALSE(CheckTargetUrl("http://partner.example/", p).ok());
  p.allowed_ports.clear();  // any
  EXPECT_TRUE(CheckTargetUrl("http://partner.example:6379/", p).ok());
}

TEST(SsrfTest, OwnHostsAreRefused) {
  SsrfPolicy p;
  p.own_hosts = {"go.clicktrail.example", "api.clicktrail.example"};
  EXPECT_FALSE(CheckTargetUrl("https://GO.clicktrail.example./x", p).ok());
  EXPECT_FALSE(CheckTargetUrl("https://api.clicktrail.example/x", p).ok());
  EXPECT_TRUE(CheckTargetUrl("https://partner.example/x", p).ok());
}

TEST(SsrfTest, CidrListParsing) {
  EXPECT_TRUE(CidrList::Parse("").ok());
  EXPECT_TRUE(CidrList::Parse("")->empty());
  auto l = CidrList::Parse("10.0.0.0/8,fd00::/8");
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(l->Contains("10.1.2.3"));
  EXPECT_FALSE(l->Contains("11.1.2.3"));
  EXPECT_TRUE(l->Contains("fd12::1"));
  EXPECT_FALSE(l->Contains("fc00::1"));
  EXPECT_FALSE(l->Contains("not an ip"));
  for (const char* bad :
       {"10.0.0.0/33", "::/129", "nonsense", "10.0.0.0/", "1.2.3.4,,5.6.7.8", "10.0.0.0/8x"}) {
    auto r = CidrList::Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
}

TEST(SsrfTest, IsDeniedAddressAtConnectTime) {
  SsrfPolicy p;
  auto v4 = [](const char* ip) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
  };
  auto v6 = [](const char* ip) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    inet_pton(AF_INET6, ip, &a.sin6_addr);
    return a;
  };
  for (const char* ip : {"127.0.0.1", "10.9.8.7", "169.254.169.254", "0.0.0.0", "192.168.0.1"}) {
    auto a = v4(ip);
    EXPECT_TRUE(IsDeniedAddress(reinterpret_cast<sockaddr*>(&a), p)) << ip;
  }
  for (const char* ip : {"::1", "::ffff:10.0.0.1", "64:ff9b::7f00:1", "fe80::1", "fc00::1"}) {
    auto a = v6(ip);
    EXPECT_TRUE(IsDeniedAddress(reinterpret_cast<sockaddr*>(&a), p)) << ip;
  }
  auto pub4 = v4("93.184.216.34");
  auto pub6 = v6("2606:4700::1111");
  auto mapped_pub = v6("::ffff:93.184.216.34");
  EXPECT_FALSE(IsDeniedAddress(reinterpret_cast<sockaddr*>(&pub4), p));
  EXPECT_FALSE(IsDeniedAddress(reinterpret_cast<sockaddr*>(&pub6), p));
  EXPECT_FALSE(IsDeniedAddress(reinterpret_cast<sockaddr*>(&mapped_pub), p));
  p.allow = *CidrList::Parse("127.0.0.1/32");
  auto lo = v4("127.0.0.1");
  auto lo2 = v4("127.0.0.2");
  EXPECT_FALSE(IsDeniedAddress(reinterpret_cast<sockaddr*>(&lo), p));
  EXPECT_TRUE(IsDeniedAddress(reinterpret_cast<sockaddr*>(&lo2), p));
  EXPECT_TRUE(IsDeniedAddress(nullptr, p));
}

}  // namespace
}  // namespace ct::postback
