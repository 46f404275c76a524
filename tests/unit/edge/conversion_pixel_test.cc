#include "edge/conversion_pixel.h"

#include <gtest/gtest.h>

#include "edge/click_context.h"
#include "edge/http_responses.h"
#include "edge/password_page.h"

namespace ct::edge {
namespace {

TEST(PixelRouteTest, PixelAndConversionTargets) {
  std::string_view slug = "unset";
  EXPECT_EQ(ClassifyTarget("/p/abc", &slug), Route::kPixel);
  EXPECT_EQ(slug, "abc");
  EXPECT_EQ(ClassifyTarget("/p/abc.gif?x=1", &slug), Route::kPixel);
  EXPECT_EQ(slug, "abc");
  EXPECT_EQ(ClassifyTarget("/c/KEY_1.gif", &slug), Route::kConversion);
  EXPECT_EQ(slug, "KEY_1");
  EXPECT_EQ(ClassifyTarget("/c/KEY?value=1", &slug), Route::kConversion);
  EXPECT_EQ(slug, "KEY");
  // Malformed: still the pixel route (the GIF), but no slug to look up.
  for (const char* bad : {"/p/", "/p/.gif", "/p/a%2e", "/p/../x", "/p/a/b", "/p/a.gif.gif",
                          "/c/%252e", "/c/a%0d%0a"}) {
    SCOPED_TRACE(bad);
    slug = "unset";
    Route r = ClassifyTarget(bad, &slug);
    EXPECT_TRUE(r == Route::kPixel || r == Route::kConversion);
    EXPECT_EQ(slug, "");
  }
  // "/p" alone is an ordinary slug.
  EXPECT_EQ(ClassifyTarget("/p", &slug), Route::kRedirect);
  EXPECT_EQ(slug, "p");
}

TEST(PixelRouteTest, GifIsTheClassic43Bytes) {
  std::string_view gif = PixelGif();
  ASSERT_EQ(gif.size(), 43u);
  EXPECT_EQ(gif.substr(0, 6), "GIF89a");
  EXPECT_EQ(gif.back(), ';');  // the trailer
  EXPECT_NE(PixelHead().find("Content-Length: 43\r\n"), std::string_view::npos);
}

TEST(ConversionValueTest, ValidDecimals) {
  EXPECT_EQ(ParseValueMicros("0"), 0);
  EXPECT_EQ(ParseValueMicros("12"), 12'000'000);
  EXPECT_EQ(ParseValueMicros("12.5"), 12'500'000);
  EXPECT_EQ(ParseValueMicros("0.000001"), 1);
  EXPECT_EQ(ParseValueMicros("007.10"), 7'100'000);
  EXPECT_EQ(ParseValueMicros("1000000000000"), kMaxConversionValueMicros);
  EXPECT_EQ(ParseValueMicros("1000000000000.000000"), kMaxConversionValueMicros);
}

TEST(ConversionValueTest, MalformedOrOutOfRangeIsRefused) {
  for (const char* bad : {"", "-1", "+1", "1e3", "1.", ".5", "1.1234567", " 1", "1 ", "1,5", "0x10",
                          "1000000000000.000001", "99999999999999999999999", "NaN", "1..2", "１"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(ParseValueMicros(bad), std::nullopt);
  }
}

TEST(ConversionValueTest, FormatsBack) {
  EXPECT_EQ(FormatValueMicros(12'500'000), "12.5");
  EXPECT_EQ(FormatValueMicros(3'000'000), "3");
  EXPECT_EQ(FormatValueMicros(1), "0.000001");
  EXPECT_EQ(FormatValueMicros(0), "0");
}

TEST(ConversionQueryTest, DecodesOnceAndDropsWhatIsMalformed) {
  ConversionQuery q;
  ParseConversionQuery(
      "click_id=abc%2Bd&value=19.99&currency=EUR&order_id=A%20B%26C%252e&format=html", &q);
  EXPECT_EQ(q.click_id, "abc+d");
  EXPECT_TRUE(q.has_value);
  EXPECT_EQ(q.value_micros, 19'990'000);
  EXPECT_EQ(q.currency, "EUR");
  EXPECT_EQ(q.order_id, "A B&C%2e");  // decoded exactly once
  EXPECT_TRUE(q.html);

  ParseConversionQuery("value=-5&currency=eur&order_id=" + std::string(200, 'o'), &q);
  EXPECT_EQ(q.click_id, "");  // reset from the previous request
  EXPECT_FALSE(q.has_value);
  EXPECT_EQ(q.currency, "");
  EXPECT_EQ(q.order_id, std::string(kMaxOrderIdBytes, 'o'));
  EXPECT_FALSE(q.html);

  // A cut never splits a UTF-8 character: 127 ASCII bytes then a 2-byte "é".
  ParseConversionQuery("currency=EURO&order_id=" + std::string(127, 'x') + "%C3%A9", &q);
  EXPECT_EQ(q.currency, "");
  EXPECT_EQ(q.order_id, std::string(127, 'x'));
}

TEST(ConversionAcceptTest, HtmlOnlyWhenPreferredOverImages) {
  // Navigations and iframes (Chrome, Firefox): text/html first.
  EXPECT_TRUE(
      PrefersHtml("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
                  "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"));
  EXPECT_TRUE(PrefersHtml("TEXT/HTML"));
  EXPECT_TRUE(PrefersHtml("image/png;q=0.5, text/html"));
  // <img> loads.
  EXPECT_FALSE(PrefersHtml("image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"));
  EXPECT_FALSE(PrefersHtml("image/avif,image/webp,*/*"));
  EXPECT_FALSE(PrefersHtml("*/*"));
  EXPECT_FALSE(PrefersHtml(""));
  EXPECT_FALSE(PrefersHtml("image/gif, text/html"));  // same q: the first listed wins
  EXPECT_FALSE(PrefersHtml("text/html;q=0, image/gif"));
  EXPECT_FALSE(PrefersHtml("text/html;q=0.5, image/gif;q=0.9"));
  EXPECT_FALSE(PrefersHtml("text/html;q=bogus"));
}

TEST(ConversionPageTest, ExpandsEscapesAndCarriesEdgeMacros) {
  GoalRow goal;
  goal.id = 9;
  goal.account_id = 4;
  goal.name = "Sale <1>";
  goal.currency = "USD";
  goal.default_value_micros = 2'000'000;
  goal.piggyback_urls = {
      "https://partner.example/px?cid={click_id}&v={value}&c={currency}&g={goal}",
      "https://other.example/t?e={event}&o={order_id}&l={link_id}&a={account_id}"};
  EventView e;
  e.kind = EventKind::kConversion;
  e.time_us = 1'700'000'000'123'456;
  e.click_ref = "click\"<id>";
  e.order_id = "o&1";
  e.id[0] = 1;
  postback::MacroValues v = ConversionMacros(goal, e);
  EXPECT_EQ(v["value"], "2");  // no value given: the goal's default
  EXPECT_EQ(v["currency"], "USD");
  EXPECT_EQ(v["conversion_id"], ClickId(e.id));
  EXPECT_EQ(v["event_id"], ClickId(e.id));
  EXPECT_EQ(v["event_time_unix"], "1700000000");
  EXPECT_EQ(v["event_time"], "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(v["link_id"], "");
  e.flags = kFlagHasValue;
  e.value_micros = 500'000;
  e.currency = "EUR";
  v = ConversionMacros(goal, e);
  EXPECT_EQ(v["value"], "0.5");
  EXPECT_EQ(v["currency"], "EUR");

  std::string body;
  AppendPiggybackPage(goal, v, &body);
  EXPECT_NE(body.find("<img src=\"https://partner.example/px?cid=click%22%3Cid%3E&amp;v=0.5&amp;"
                      "c=EUR&amp;g=Sale%20%3C1%3E\""),
            std::string::npos)
      << body;
  EXPECT_NE(
      body.find("<img src=\"https://other.example/t?e=conversion&amp;o=o%261&amp;l=&amp;a=4\""),
      std::string::npos)
      << body;
  EXPECT_EQ(body.find("<id>"), std::string::npos);
  EXPECT_EQ(body.find("<1>"), std::string::npos);

  std::string escaped;
  HtmlEscape("a&b<c>d\"e'f", &escaped);
  EXPECT_EQ(escaped, "a&amp;b&lt;c&gt;d&quot;e&#39;f");
}

TEST(ClickCookieTest, AttributesAndIdCookieLookup) {
  EXPECT_EQ(ClickCookieAttributes(90), "; Path=/; Max-Age=7776000; HttpOnly; SameSite=Lax\r\n");
  std::string out;
  AppendClickCookie("AAAAAAAAAAAAAAAAAAAAAA", ClickCookieAttributes(1), &out);
  EXPECT_EQ(out,
            "Set-Cookie: ct_cid=AAAAAAAAAAAAAAAAAAAAAA; Path=/; Max-Age=86400; HttpOnly; "
            "SameSite=Lax\r\n");
  EXPECT_EQ(
      FindIdCookie("a=1; ct_cid=AAAAAAAAAAAAAAAAAAAAAA; ct_vid=BBBBBBBBBBBBBBBB", kClickCookie),
      "AAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_EQ(FindIdCookie("ct_cid=bad<value>xxxxxxxxxxx", kClickCookie), "");
  EXPECT_EQ(FindIdCookie("ct_vid=BBBBBBBBBBBBBBBB", kClickCookie), "");
}

}  // namespace
}  // namespace ct::edge
