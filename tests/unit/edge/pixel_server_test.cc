// Tracking pixels, the conversion pixel and the ct_cid click cookie, through a real EdgeServer
// over loopback sockets, with the journal's records decoded from an in-memory sink.
#include <gtest/gtest.h>

#include "edge/edge_server.h"
#include "edge/http_responses.h"
#include "edge_test_util.h"

namespace ct::edge {
namespace {

using testing::FakeSink;
using testing::RawClient;
using testing::StatusOf;

constexpr char kGoalKey[] = "GoalKey123456789";

std::string Body(const std::string& response) {
  size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}

// The value of the first `name=` cookie set by `response`, or "".
std::string SetCookie(const std::string& response, const std::string& name) {
  size_t at = response.find("Set-Cookie: " + name + "=");
  if (at == std::string::npos) return "";
  size_t from = at + 13 + name.size();
  return response.substr(from, response.find(';', from) - from);
}

class PixelServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LinkRow link;
    link.id = 7;
    link.account_id = 3;
    link.slug = "abc";
    link.destination = "https://example.com/x?cid={click_id}";
    LinkRow pixel;
    pixel.id = 8;
    pixel.account_id = 3;
    pixel.kind = LinkKind::kPixel;
    pixel.slug = "px";
    table_.Apply({link, pixel});
    GoalRow goal;
    goal.id = 11;
    goal.account_id = 5;
    goal.key = kGoalKey;
    goal.name = "Sale";
    goal.piggyback_urls = {"https://partner.example/p?c={click_id}&v={value}&o={order_id}",
                           "https://two.example/{goal_id}?e={event_id}"};
    table_.ApplyGoals({goal});
  }
  void StartServer(EdgeOptions o = {}) {
    o.port = 0;
    o.threads = 1;
    o.default_hosts = {"x"};
    server_ = std::make_unique<EdgeServer>(o, &table_, &sink_, nullptr, &metrics_, Clock::System());
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  std::string Get(const std::string& target, const std::string& headers = "",
                  const char* method = "GET") {
    RawClient c(server_->port());
    c.set_head_request(std::string_view(method) == "HEAD");
    EXPECT_TRUE(
        c.Send(std::string(method) + " " + target + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n"));
    return c.ReadResponse();
  }
  static std::string GifResponseHead() {
    return "HTTP/1.1 200 OK\r\nContent-Type: image/gif\r\nContent-Length: 43\r\n"
           "Cache-Control: no-store\r\nPragma: no-cache\r\nExpires: 0\r\n";
  }

  LinkTable table_;
  FakeSink sink_;
  MetricsRegistry metrics_;
  std::unique_ptr<EdgeServer> server_;
};

TEST_F(PixelServerTest, PixelAnswersTheGifAndJournalsAnImpressionLikeAClick) {
  EdgeOptions o;
  o.anonymize_ip = true;
  StartServer(o);
  std::string r = Get("/p/px.gif",
                      "User-Agent: Mail/1\r\nReferer: https://mail.example/\r\n"
                      "Accept-Language: de\r\n");
  ASSERT_EQ(StatusOf(r), 200) << r;
  EXPECT_EQ(r.substr(0, GifResponseHead().size()), GifResponseHead());
  EXPECT_EQ(Body(r), PixelGif());
  std::string vid = SetCookie(r, "ct_vid");  // a new visitor, as on a click
  EXPECT_EQ(vid.size(), 22u);
  EXPECT_EQ(SetCookie(r, "ct_cid"), "");  // an impression is no click
  auto events = sink_.Events();
  ASSERT_EQ(events.size(), 1u);
  const Event& e = events[0];
  EXPECT_EQ(e.kind, EventKind::kImpression);
  EXPECT_EQ(e.link_id, 8);
  EXPECT_EQ(e.account_id, 3);
  EXPECT_EQ(e.ip, "127.0.0.0");
  EXPECT_EQ(e.user_agent, "Mail/1");
  EXPECT_EQ(e.referrer, "https://mail.example/");
  EXPECT_EQ(e.accept_language, "de");
  EXPECT_EQ(e.visitor_id, vid);
  EXPECT_EQ(ClickId(e.id), vid);
  EXPECT_EQ(e.flags, kFlagNewVisitor);

  // Without the .gif suffix, with the visitor's cookie: same pixel, cookie kept, no new one.
  r = Get("/p/px", "Cookie: ct_vid=" + vid + "\r\n");
  EXPECT_EQ(Body(r), PixelGif());
  EXPECT_EQ(r.find("Set-Cookie"), std::string::npos) << r;
  // HEAD: the head only, a kHead event.
  r = Get("/p/px", "", "HEAD");
  EXPECT_EQ(r, GifResponseHead() + "\r\n");
  events = sink_.Events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].kind, EventKind::kImpression);
  EXPECT_EQ(events[1].visitor_id, vid);
  EXPECT_EQ(events[1].flags, 0);
  EXPECT_EQ(events[2].kind, EventKind::kHead);
  EXPECT_EQ(events[2].link_id, 8);
  EXPECT_EQ(metrics_.Value("clicktrail_edge_pixel_unknown_total"), 0);
}

TEST_F(PixelServerTest, UnknownOrMalformedPixelGetsTheGifAndNothingIsJournaled) {
  StartServer();
  for (const char* target : {"/p/nope", "/p/abc.gif", "/p/..%2f", "/p/", "/p/a%00.gif"}) {
    SCOPED_TRACE(target);
    std::string r = Get(target);
    EXPECT_EQ(r, GifResponseHead() + "\r\n" + std::string(PixelGif()));
  }
  // A pixel on a host the edge does not serve is unknown too.
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send("GET /p/px HTTP/1.1\r\nHost: other.example\r\n\r\n"));
  EXPECT_EQ(Body(c.ReadResponse()), PixelGif());
  EXPECT_EQ(sink_.appends(), 0);
  EXPECT_EQ(metrics_.Value("clicktrail_edge_pixel_unknown_total"), 6);
}

TEST_F(PixelServerTest, PixelSlugOnTheLinkRouteIs404) {
  StartServer();
  EXPECT_EQ(StatusOf(Get("/px")), 404);
  EXPECT_EQ(StatusOf(Get("/px", "", "HEAD")), 404);
  EXPECT_EQ(sink_.appends(), 0);
}

TEST_F(PixelServerTest, ClickSetsClickIdCookieEqualToTheEventAndTheMacro) {
  StartServer();
  std::string r = Get("/abc");
  ASSERT_EQ(StatusOf(r), 302) << r;
  std::string cid = SetCookie(r, "ct_cid");
  ASSERT_EQ(cid.size(), 22u) << r;
  EXPECT_NE(r.find("Set-Cookie: ct_cid=" + cid +
                   "; Path=/; Max-Age=7776000; HttpOnly; "
                   "SameSite=Lax\r\n"),
            std::string::npos)
      << r;
  EXPECT_NE(r.find("Location: https://example.com/x?cid=" + cid + "\r\n"), std::string::npos) << r;
  auto events = sink_.Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(ClickId(events[0].id), cid);
  // A new visitor's ct_vid is the same first click id.
  EXPECT_EQ(SetCookie(r, "ct_vid"), cid);

  // HEAD sets no cookie at all.
  r = Get("/abc", "", "HEAD");
  EXPECT_EQ(StatusOf(r), 302);
  EXPECT_EQ(r.find("Set-Cookie"), std::string::npos) << r;
}

TEST_F(PixelServerTest, ClickCookieDaysAndSwitch) {
  EdgeOptions o;
  o.click_cookie_days = 2;
  o.visitor_cookie = false;
  StartServer(o);
  std::string r = Get("/abc");
  EXPECT_NE(r.find("; Path=/; Max-Age=172800; HttpOnly; SameSite=Lax\r\n"), std::string::npos) << r;
  server_->Stop();
  o.click_cookie = false;
  StartServer(o);
  r = Get("/abc");
  EXPECT_EQ(StatusOf(r), 302);
  EXPECT_EQ(r.find("Set-Cookie"), std::string::npos) << r;
  // The macro still gets the click id.
  EXPECT_NE(r.find("Location: https://example.com/x?cid="), std::string::npos);
  EXPECT_EQ(r.find("cid=\r\n"), std::string::npos);
}

TEST_F(PixelServerTest, ConversionJournalsV3FieldsAndAnswersTheGif) {
  StartServer();
  std::string cid = "AAAAAAAAAAAAAAAAAAAAAA";
  std::string r = Get(std::string("/c/") + kGoalKey +
                          ".gif?click_id=BBBBBBBBBBBBBBBBBBBBBB&value=19.5&currency=EUR"
                          "&order_id=ord%201",
                      "Cookie: ct_cid=" + cid + "\r\nUser-Agent: Shop/2\r\n");
  EXPECT_EQ(r, GifResponseHead() + "\r\n" + std::string(PixelGif()));
  auto events = sink_.Events();
  ASSERT_EQ(events.size(), 1u);
  const Event& e = events[0];
  EXPECT_EQ(e.kind, EventKind::kConversion);
  EXPECT_EQ(e.goal_id, 11);
  EXPECT_EQ(e.account_id, 5);
  EXPECT_EQ(e.link_id, 0);
  EXPECT_EQ(e.click_ref, "BBBBBBBBBBBBBBBBBBBBBB");  // the parameter beats the cookie
  EXPECT_EQ(e.value_micros, 19'500'000);
  EXPECT_EQ(e.flags, kFlagHasValue);
  EXPECT_EQ(e.currency, "EUR");
  EXPECT_EQ(e.order_id, "ord 1");
  EXPECT_EQ(e.user_agent, "Shop/2");
  EXPECT_EQ(e.ip, "127.0.0.1");

  // No parameter: the cookie. A bad value and currency are dropped, the event still journaled.
  r = Get(std::string("/c/") + kGoalKey + "?value=1e9&currency=euro",
          "Cookie: ct_cid=" + cid + "\r\n");
  EXPECT_EQ(Body(r), PixelGif());
  events = sink_.Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].click_ref, cid);
  EXPECT_EQ(events[1].flags & kFlagHasValue, 0);
  EXPECT_EQ(events[1].value_micros, 0);
  EXPECT_EQ(events[1].currency, "");
  EXPECT_EQ(events[1].goal_id, 11);
  EXPECT_EQ(r.find("Set-Cookie"), std::string::npos) << r;  // a conversion sets no cookie
}

TEST_F(PixelServerTest, UnknownGoalOrHeadGetsTheGifAndNothingIsJournaled) {
  StartServer();
  for (const char* target : {"/c/NoSuchGoalKey00", "/c/", "/c/bad%2e.gif", "/c/x?format=html"}) {
    SCOPED_TRACE(target);
    EXPECT_EQ(Get(target, "Accept: text/html\r\n"),
              GifResponseHead() + "\r\n" + std::string(PixelGif()));
  }
  EXPECT_EQ(Get(std::string("/c/") + kGoalKey, "", "HEAD"), GifResponseHead() + "\r\n");
  EXPECT_EQ(sink_.appends(), 0);
  EXPECT_EQ(metrics_.Value("clicktrail_edge_conversion_unknown_goal_total"), 4);
  EXPECT_EQ(StatusOf(Get(std::string("/c/") + kGoalKey, "", "DELETE")), 405);
}

TEST_F(PixelServerTest, HtmlVariantServesEscapedPiggybackTagsAndSetsTheFlag) {
  StartServer();
  std::string r = Get(std::string("/c/") + kGoalKey +
                          "?format=html&click_id=CCCCCCCCCCCCCCCCCCCCCC&value=2&order_id=a%26b%22",
                      "Accept: image/webp,*/*\r\n");
  ASSERT_EQ(StatusOf(r), 200) << r;
  EXPECT_NE(r.find("Content-Type: text/html; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(r.find("Cache-Control: no-store\r\n"), std::string::npos);
  EXPECT_NE(r.find("Content-Security-Policy: default-src 'none'; img-src http: https:\r\n"),
            std::string::npos);
  auto events = sink_.Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].flags, kFlagHasValue | kFlagPiggybackServed);
  std::string body = Body(r);
  EXPECT_NE(body.find("<img src=\"https://partner.example/p?c=CCCCCCCCCCCCCCCCCCCCCC&amp;v=2&amp;"
                      "o=a%26b%22\""),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("<img src=\"https://two.example/11?e=" + ClickId(events[0].id) + "\""),
            std::string::npos)
      << body;
  EXPECT_EQ(body.find("a&b"), std::string::npos);

  // An Accept that prefers HTML (an iframe) gets the page too; an <img> load the GIF.
  r = Get(std::string("/c/") + kGoalKey, "Accept: text/html,application/xhtml+xml,image/webp\r\n");
  EXPECT_NE(r.find("text/html"), std::string::npos);
  r = Get(std::string("/c/") + kGoalKey, "Accept: image/avif,image/webp,*/*\r\n");
  EXPECT_EQ(Body(r), PixelGif());
  events = sink_.Events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].flags, kFlagPiggybackServed);
  EXPECT_EQ(events[2].flags, 0);
}

}  // namespace
}  // namespace ct::edge
