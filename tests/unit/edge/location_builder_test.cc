#include "edge/location_builder.h"

#include <gtest/gtest.h>

namespace ct::edge {
namespace {

class Facts : public VisitorFacts {
 public:
  std::string country = "US", device = "mobile", os = "ios", browser = "safari", language = "en";
  std::string_view Country() override { return country; }
  std::string_view Device() override { return device; }
  std::string_view Os() override { return os; }
  std::string_view Browser() override { return browser; }
  std::string_view Language() override { return language; }
};

std::string Build(std::string_view tmpl, MacroContext m, bool fq = false, Utm utm = {}) {
  std::string out;
  if (!BuildLocation(tmpl, m, fq, utm, &out)) return "<refused>";
  return out;
}

std::string HostOf(const std::string& url) {
  size_t s = url.find("://") + 3;
  return url.substr(s, url.find_first_of("/?#", s) - s);
}

TEST(LocationBuilderTest, ExpandsEveryMacro) {
  Facts f;
  MacroContext m{&f,           "AAAAAAAAAAAAAAAAAAAAAA", "sl",
                 42,           "go.example.com",         "VVVVVVVVVVVVVVVVVVVVVV",
                 "q=x&ref=abc"};
  EXPECT_EQ(Build("https://d.example/{slug}/{link_id}?c={click_id}&co={country}&d={device}"
                  "&o={os}&b={browser}&l={language}&dom={domain}&v={visitor_id}&r={query:ref}",
                  m),
            "https://d.example/sl/42?c=AAAAAAAAAAAAAAAAAAAAAA&co=US&d=mobile&o=ios&b=safari&l=en"
            "&dom=go.example.com&v=VVVVVVVVVVVVVVVVVVVVVV&r=abc");
  EXPECT_EQ(Build("https://d.example/?r={query:missing}", m), "https://d.example/?r=");
  EXPECT_EQ(Build("https://d.example/{nope}", m), "<refused>");
  EXPECT_EQ(Build("https://{slug}.example/", m), "<refused>");  // never in the authority
  EXPECT_EQ(Build("https://d.example/{slug", m), "<refused>");
}

TEST(LocationBuilderTest, HostileValuesNeverChangeTheHostOrSplitTheHeader) {
  Facts f;
  const std::string hostile[] = {"\r\nSet-Cookie: x=y",
                                 "%0d%0aSet-Cookie:%20x=y",
                                 "/evil",
                                 "@evil.com",
                                 "//evil.com",
                                 "\xff\xfe\xc3(",
                                 "a#b?c&d=e",
                                 "..%2f..%2fetc",
                                 "%00",
                                 "\"><script>"};
  for (const std::string& h : hostile) {
    f.country = h;
    f.device = h;
    std::string q = "v=";
    PercentEncode(h, &q);
    // A macro glued to the host is part of the authority: refused, never expanded.
    EXPECT_EQ(Build("https://d.example{query:v}", {&f, "", "s", 1, "", "", q}), "<refused>");
    for (const char* tmpl :
         {"https://d.example/{query:v}", "https://d.example?x={query:v}#{country}",
          "https://d.example/p/{device}/x"}) {
      MacroContext m{&f, "", "s", 1, "", "", q};
      std::string out = Build(tmpl, m);
      ASSERT_NE(out, "<refused>") << tmpl << " / " << h;
      EXPECT_EQ(HostOf(out), "d.example") << out;
      EXPECT_EQ(out.find_first_of("\r\n"), std::string::npos) << out;
      EXPECT_EQ(out.find('@'), std::string::npos) << out;
      EXPECT_EQ(out.find("//", 8), std::string::npos) << out;
      EXPECT_EQ(out.find("/evil"), std::string::npos) << out;
      for (unsigned char c : out) EXPECT_TRUE(c > 0x20 && c < 0x7f) << out;
    }
  }
  // The raw query with CR/LF (Beast refuses them; belt and braces) is encoded when forwarded.
  MacroContext m{&f, "", "s", 1, "", "", "a=1\r\nX: y#frag"};
  std::string out = Build("https://d.example/p", m, true);
  EXPECT_EQ(out, "https://d.example/p?a=1%0D%0AX:%20y%23frag");
}

TEST(LocationBuilderTest, ForwardQueryAndUtmGoBeforeTheFragment) {
  Facts f;
  MacroContext m{&f, "", "s", 1, "", "", "gclid=abc&x=1"};
  EXPECT_EQ(Build("https://d.example/p#top", m, true), "https://d.example/p?gclid=abc&x=1#top");
  EXPECT_EQ(Build("https://d.example/p?a=b#top", m, true),
            "https://d.example/p?a=b&gclid=abc&x=1#top");
  Utm utm;
  utm.source = "news letter";
  utm.medium = "email";
  utm.campaign = "spring";
  EXPECT_EQ(Build("https://d.example/p?utm_medium=keep#f", m, false, utm),
            "https://d.example/p?utm_medium=keep&utm_source=news%20letter&utm_campaign=spring#f");
  EXPECT_EQ(Build("https://d.example", m, true, utm),
            "https://d.example?gclid=abc&x=1&utm_source=news%20letter&utm_medium=email"
            "&utm_campaign=spring");
  // A forwarded utm_source counts as present.
  MacroContext m2{&f, "", "s", 1, "", "", "utm_source=ads"};
  EXPECT_EQ(Build("https://d.example/", m2, true, utm),
            "https://d.example/?utm_source=ads&utm_medium=email&utm_campaign=spring");
}

TEST(LocationBuilderTest, Helpers) {
  std::string out;
  PercentEncode("aZ09-._~ /?#@%", &out);
  EXPECT_EQ(out, "aZ09-._~%20%2F%3F%23%40%25");
  std::string_view v;
  EXPECT_TRUE(FindQueryParam("a=1&password=p%40ss+word&b", "password", &v));
  EXPECT_EQ(v, "p%40ss+word");
  std::string d;
  FormDecode(v, &d);
  EXPECT_EQ(d, "p@ss word");
  EXPECT_TRUE(FindQueryParam("a=1&b", "b", &v));
  EXPECT_EQ(v, "");
  EXPECT_FALSE(FindQueryParam("ab=1", "a", &v));
  d.clear();
  FormDecode("%zz%4", &d);
  EXPECT_EQ(d, "%zz%4");
}

}  // namespace
}  // namespace ct::edge
