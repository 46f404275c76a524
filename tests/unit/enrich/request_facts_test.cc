#include "enrich/request_facts.h"

#include <gtest/gtest.h>

namespace ct::enrich {
namespace {

TEST(AnonymizeIpTest, ZeroesTheLastIpv4Octet) {
  EXPECT_EQ(AnonymizeIp("203.0.113.77"), "203.0.113.0");
  EXPECT_EQ(AnonymizeIp("8.8.8.8"), "8.8.8.0");
}

TEST(AnonymizeIpTest, KeepsTheFirst48BitsOfIpv6) {
  EXPECT_EQ(AnonymizeIp("2001:db8:85a3:8d3:1319:8a2e:370:7348"), "2001:db8:85a3::");
  EXPECT_EQ(AnonymizeIp("2001:DB8::1"), "2001:db8::");
  EXPECT_EQ(AnonymizeIp("::1"), "::");
}

TEST(AnonymizeIpTest, V4MappedIsAnonymisedAsIpv4) {
  EXPECT_EQ(AnonymizeIp("::ffff:203.0.113.77"), "::ffff:203.0.113.0");
}

TEST(AnonymizeIpTest, NonLiteralsAreReturnedUnchanged) {
  EXPECT_EQ(AnonymizeIp(""), "");
  EXPECT_EQ(AnonymizeIp("garbage"), "garbage");
  EXPECT_EQ(AnonymizeIp("1.2.3"), "1.2.3");
  EXPECT_EQ(AnonymizeIp("1.2.3.4:80"), "1.2.3.4:80");
  EXPECT_EQ(AnonymizeIp("[::1]"), "[::1]");
  const std::string long_value(100, 'a');
  EXPECT_EQ(AnonymizeIp(long_value), long_value);
}

TEST(ReferrerDomainTest, HostLowerCasedWithoutWww) {
  EXPECT_EQ(ReferrerDomain("https://www.Google.com/search?q=x"), "google.com");
  EXPECT_EQ(ReferrerDomain("http://News.ycombinator.com/item?id=1"), "news.ycombinator.com");
  EXPECT_EQ(ReferrerDomain("https://example.org:8443/a#b"), "example.org");
  EXPECT_EQ(ReferrerDomain("https://example.org./"), "example.org");
  EXPECT_EQ(ReferrerDomain("android-app://com.slack/"), "com.slack");
}

TEST(ReferrerDomainTest, OnlyALeadingWwwIsStripped) {
  EXPECT_EQ(ReferrerDomain("https://wwwexample.com/"), "wwwexample.com");
  EXPECT_EQ(ReferrerDomain("https://shop.www.example.com/"), "shop.www.example.com");
  EXPECT_EQ(ReferrerDomain("https://www./"), "www");  // the trailing dot goes first
}

TEST(ReferrerDomainTest, EmptyOrMalformedIsDirect) {
  EXPECT_EQ(ReferrerDomain(""), "");
  EXPECT_EQ(ReferrerDomain("not a url"), "");
  EXPECT_EQ(ReferrerDomain("example.com/path"), "");
  EXPECT_EQ(ReferrerDomain("http://exa mple.com/"), "");
  EXPECT_EQ(ReferrerDomain("mailto:a@example.com"), "");
}

TEST(PrimaryLanguageTest, FirstEntryWithoutQ) {
  EXPECT_EQ(PrimaryLanguage("de-CH,de;q=0.9,en;q=0.8"), "de");
  EXPECT_EQ(PrimaryLanguage("en-US"), "en");
  EXPECT_EQ(PrimaryLanguage("FR"), "fr");
  EXPECT_EQ(PrimaryLanguage("zh_TW"), "zh");
  EXPECT_EQ(PrimaryLanguage("fil-PH"), "fil");
}

TEST(PrimaryLanguageTest, HighestQWinsTiesGoToTheFirst) {
  EXPECT_EQ(PrimaryLanguage("en;q=0.5, fr;q=0.9, de;q=0.7"), "fr");
  EXPECT_EQ(PrimaryLanguage("en;q=0.8,fr;q=0.8"), "en");
  EXPECT_EQ(PrimaryLanguage(" es ; q=1 , en"), "es");
  EXPECT_EQ(PrimaryLanguage("en;q=0,it"), "it");  // q=0: not acceptable
}

TEST(PrimaryLanguageTest, WildcardAndMalformedGiveNothing) {
  EXPECT_EQ(PrimaryLanguage(""), "");
  EXPECT_EQ(PrimaryLanguage("*"), "");
  EXPECT_EQ(PrimaryLanguage("*;q=0.5"), "");
  EXPECT_EQ(PrimaryLanguage("x"), "");
  EXPECT_EQ(PrimaryLanguage("english"), "");
  EXPECT_EQ(PrimaryLanguage("e1"), "");
  EXPECT_EQ(PrimaryLanguage("en;q=abc"), "");
  EXPECT_EQ(PrimaryLanguage("en;q=2"), "");
  EXPECT_EQ(PrimaryLanguage(",,;"), "");
  EXPECT_EQ(PrimaryLanguage("*, de;q=0.5"), "de");  // a usable entry after the wildcard
}

TEST(IsPrefetchHeaderTest, KnownHeadersAnyCase) {
  EXPECT_TRUE(IsPrefetchHeader("Purpose", "prefetch"));
  EXPECT_TRUE(IsPrefetchHeader("sec-purpose", "prefetch;prerender"));
  EXPECT_TRUE(IsPrefetchHeader("SEC-PURPOSE", "Prefetch"));
  EXPECT_TRUE(IsPrefetchHeader("X-Purpose", "preview"));
  EXPECT_TRUE(IsPrefetchHeader("x-moz", "prefetch"));
}

TEST(IsPrefetchHeaderTest, OtherHeadersOrValuesAreNot) {
  EXPECT_FALSE(IsPrefetchHeader("Purpose", ""));
  EXPECT_FALSE(IsPrefetchHeader("Purpose", "navigate"));
  EXPECT_FALSE(IsPrefetchHeader("Accept", "prefetch"));
  EXPECT_FALSE(IsPrefetchHeader("X-Purpose-Foo", "preview"));
  EXPECT_FALSE(IsPrefetchHeader("", ""));
}

}  // namespace
}  // namespace ct::enrich
