// Postback templates: the save-time structure check and the single-pass, per-component escaping
// of macro values (RELIABILITY.md §4 "Postback templates and sending").
#include "postback/template.h"

#include <gtest/gtest.h>

#include <string>

namespace ct::postback {
namespace {

TEST(TemplateTest, AcceptsMacrosInPathQueryAndFragment) {
  for (const char* t : {"https://partner.example/pb?cid={click_id}&v={value}",
                        "http://partner.example:8080/{goal}/{event_id}",
                        "https://partner.example/x#{order_id}", "https://partner.example",
                        "https://partner.example/a%20b?c={currency}&d={event_time_unix}"}) {
    EXPECT_TRUE(ValidateTemplate(t).ok()) << t << ": " << ValidateTemplate(t).ToString();
  }
}

TEST(TemplateTest, RefusesBadTemplates) {
  struct Case {
    const char* tmpl;
    const char* reason;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"{event}://partner.example/", "scheme"},
           {"https://{domain}/pb", "host"},
           {"https://partner.{domain}/pb", "host"},
           {"https://partner.example:{link_id}/pb", "port"},
           {"https://{account_id}@partner.example/pb", "userinfo"},
           {"https://user:pw@partner.example/pb", "user"},
           {"https://partner.example/pb?x={foo}", "unknown macro {foo}"},
           {"https://partner.example/pb?x={click_id", "unbalanced '{'"},
           {"https://partner.example/pb?x=click_id}", "unbalanced '}'"},
           {"https://partner.example/pb?x={{click_id}}", "unbalanced"},
           {"ftp://partner.example/", "http(s)"},
           {"javascript:alert(1)", "http(s)"},
           {"//partner.example/pb", "http(s)"},
           {"/relative?x={click_id}", "http(s)"},
           {"https://partner.example/a b", "spaces"},
           {"https://partner.example/a\r\nX: y", "control"},
           {"", "empty"},
       }) {
    Status s = ValidateTemplate(c.tmpl);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.tmpl;
    EXPECT_NE(s.message().find(c.reason), std::string::npos) << c.tmpl << ": " << s.message();
  }
  EXPECT_FALSE(ValidateTemplate("https://p.example/" + std::string(kMaxTemplateBytes, 'a')).ok());
}

TEST(TemplateTest, EveryDocumentedMacroIsKnown) {
  EXPECT_EQ(MacroNames().size(), 23u);
  for (auto name : MacroNames()) {
    EXPECT_TRUE(IsKnownMacro(name));
    EXPECT_TRUE(ValidateTemplate("https://p.example/?v={" + std::string(name) + "}").ok());
  }
  EXPECT_FALSE(IsKnownMacro("Click_Id"));
  EXPECT_FALSE(IsKnownMacro(""));
}

TEST(TemplateTest, ExpandsInOnePass) {
  MacroValues v{{"click_id", "{order_id}"}, {"order_id", "O-1"}};
  EXPECT_EQ(ExpandTemplate("https://p.example/?c={click_id}&o={order_id}", v),
            "https://p.example/?c=%7Border_id%7D&o=O-1");
}

TEST(TemplateTest, MissingValueExpandsToEmpty) {
  EXPECT_EQ(ExpandTemplate("https://p.example/{goal}?v={value}", {}), "https://p.example/?v=");
}

TEST(TemplateTest, ValuesAreEscapedForEveryComponent) {
  std::string nasty("a&b=c#d?e/f%g h\r\ni");
  nasty.push_back('\0');
  nasty += "\xff\xfe";
  const std::string escaped = "a%26b%3Dc%23d%3Fe%2Ff%25g%20h%0D%0Ai%00%FF%FE";
  MacroValues v{{"order_id", nasty}};
  EXPECT_EQ(ExpandTemplate("https://p.example/{order_id}", v),
            "https://p.example/" + escaped);  // path
  EXPECT_EQ(ExpandTemplate("https://p.example/?o={order_id}", v),
            "https://p.example/?o=" + escaped);  // query
  EXPECT_EQ(ExpandTemplate("https://p.example/#{order_id}", v),
            "https://p.example/#" + escaped);  // fragment
  // The expanded URL is still the template's structure: one query parameter, no fragment.
  std::string url = ExpandTemplate("https://p.example/?o={order_id}", v);
  EXPECT_EQ(url.find('#'), std::string::npos);
  EXPECT_EQ(url.find('&'), std::string::npos);
  EXPECT_TRUE(ValidateTemplate(url).ok());
}

TEST(TemplateTest, UnreservedCharactersStayLiteral) {
  MacroValues v{{"goal", "Az09-._~"}};
  EXPECT_EQ(ExpandTemplate("https://p.example/?g={goal}", v), "https://p.example/?g=Az09-._~");
}

TEST(TemplateTest, ValuesAreCappedAt2KiB) {
  MacroValues v{{"order_id", std::string(10000, 'x')}};
  std::string url = ExpandTemplate("https://p.example/?o={order_id}", v);
  EXPECT_EQ(url.size(), std::string("https://p.example/?o=").size() + kMaxMacroValueBytes);
  // The cap does not cut a UTF-8 character in two.
  std::string e_acute = "\xc3\xa9";
  std::string s(kMaxMacroValueBytes - 1, 'x');
  s += e_acute;
  url = ExpandTemplate("https://p.example/?o={order_id}", {{"order_id", s}});
  EXPECT_EQ(url.find("%C3"), std::string::npos);
}

TEST(TemplateTest, JsonBodyIsSortedAndDeterministic) {
  MacroValues a{{"value", "12.5"}, {"click_id", "c\"1"}, {"goal", "sale"}};
  MacroValues b;
  b["goal"] = "sale";
  b["value"] = "12.5";
  b["click_id"] = "c\"1";
  EXPECT_EQ(JsonBody(a), R"({"click_id":"c\"1","goal":"sale","value":"12.5"})");
  EXPECT_EQ(JsonBody(a), JsonBody(b));
  EXPECT_EQ(JsonBody({}), "{}");
  // Invalid UTF-8 becomes U+FFFD: the body stays valid JSON.
  EXPECT_EQ(JsonBody({{"order_id", "a\xff"}}), "{\"order_id\":\"a\xEF\xBF\xBD\"}");
}

}  // namespace
}  // namespace ct::postback
