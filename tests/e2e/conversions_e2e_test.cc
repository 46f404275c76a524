// Conversions end to end, over real HTTP against the real binary and a real postback receiver
// on loopback: a click, then a conversion through the pixel and one through the S2S API; the
// reports show both attributed to the link, the raw list shows them, and the receiver gets
// exactly one postback per conversion, with the right macros and a valid Standard Webhooks
// signature. Also: tracking pixels count impressions, bots never convert, duplicate order ids
// count once, hostile macro values arrive percent-encoded, SSRF targets are refused.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "postback/signature.h"
#include "testutil/http_client.h"
#include "testutil/http_receiver.h"
#include "testutil/json.h"
#include "testutil/server.h"

namespace ct::test {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kGooglebot =
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

// The query parameters of a request target, decoded once.
std::map<std::string, std::string> QueryOf(const std::string& target) {
  std::map<std::string, std::string> out;
  size_t q = target.find('?');
  if (q == std::string::npos) return out;
  std::string rest = target.substr(q + 1);
  size_t i = 0;
  while (i <= rest.size()) {
    size_t amp = rest.find('&', i);
    if (amp == std::string::npos) amp = rest.size();
    std::string item = rest.substr(i, amp - i);
    size_t eq = item.find('=');
    std::string k = item.substr(0, eq), v = eq == std::string::npos ? "" : item.substr(eq + 1);
    std::string decoded;
    for (size_t j = 0; j < v.size(); ++j) {
      if (v[j] == '%' && j + 2 < v.size()) {
        decoded.push_back(static_cast<char>(std::stoi(v.substr(j + 1, 2), nullptr, 16)));
        j += 2;
      } else {
        decoded.push_back(v[j] == '+' ? ' ' : v[j]);
      }
    }
    if (!k.empty()) out[k] = decoded;
    i = amp + 1;
  }
  return out;
}

// The ct_cid value of a response's Set-Cookie header ("" if none).
std::string ClickCookie(const HttpResponse& r) {
  std::string c = r.Header("set-cookie");
  size_t at = c.find("ct_cid=");
  if (at == std::string::npos) return "";
  size_t end = c.find(';', at);
  return c.substr(at + 7, end == std::string::npos ? std::string::npos : end - at - 7);
}

class ConversionsE2eTest : public ::testing::Test {
 protected:
  ConversionsE2eTest()
      : server_({"--set", "postbacks.allow_addresses=127.0.0.1", "--set",
                 "postbacks.allowed_ports=*", "--set", "postbacks.retry_schedule=1s,1s,1s"}) {}

  void SetUp() override {
    key_ = server_.CreateAccount("acme");
    ASSERT_FALSE(key_.empty()) << "account create failed";
    ASSERT_TRUE(server_.Start()) << server_.Log();
  }

  json::value Call(const std::string& method, const std::string& target, const std::string& body,
                   int want_status) {
    auto r = ApiCall(server_.port(), method, target, key_, body);
    EXPECT_EQ(r.status, want_status) << method << " " << target << ": " << r.body;
    return ParseJson(r.body);
  }
  json::value Get(const std::string& target) { return Call("GET", target, "", 200); }

  // A goal worth 10 USD by default; returns (id, key).
  std::pair<int64_t, std::string> CreateGoal(const std::string& name,
                                             const std::string& extra = "") {
    json::value v =
        Call("POST", "/api/v1/goals",
             R"({"name": ")" + name + R"(", "value": 10, "currency": "USD")" + extra + "}", 201);
    return {JsonInt(v, "id"), JsonStr(v, "key")};
  }
  // A GET postback on conversions; returns its secret.
  std::string CreatePostback(const std::string& url, const std::string& extra = "") {
    json::value v =
        Call("POST", "/api/v1/postbacks",
             R"({"name": "network", "method": "GET", "events": ["conversion"], "url": ")" + url +
                 R"(")" + extra + "}",
             201);
    return JsonStr(v, "secret");
  }
  // Clicks the link; returns the click id from the ct_cid cookie.
  std::string Click(const std::string& slug, HttpResponse* out = nullptr) {
    HttpClient c(server_.port());
    HttpResponse r = c.Request("GET", "/" + slug);
    EXPECT_EQ(r.status, 302) << r.body;
    if (out != nullptr) *out = r;
    return ClickCookie(r);
  }
  // Polls the link's stats until it shows `want` conversions.
  json::value WaitConversions(const std::string& target, int64_t want) {
    json::value v;
    auto deadline = std::chrono::steady_clock::now() + seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      v = Get(target);
      if (JsonInt(v, "conversions") >= want) break;
      std::this_thread::sleep_for(milliseconds(50));
    }
    return v;
  }

  ServerHarness server_;
  std::string key_;
};

TEST_F(ConversionsE2eTest, PixelAndServerToServerConversionsAreAttributedAndPostedOnce) {
  HttpReceiver receiver;
  auto [goal_id, goal_key] = CreateGoal("sale");
  ASSERT_GT(goal_id, 0);
  ASSERT_EQ(goal_key.size(), 16u);
  const std::string secret = CreatePostback(
      receiver.Url("/pb") +
      "?cid={click_id}&goal={goal}&value={value}&cur={currency}&oid={order_id}&link={link_id}");
  ASSERT_TRUE(postback::IsValidSecret(secret)) << secret;
  auto link =
      Call("POST", "/api/v1/links",
           R"({"destination": "https://shop.example/land?cid={click_id}", "slug": "spring"})", 201);
  const int64_t link_id = JsonInt(link, "id");

  // Click 1, converted by the pixel through the ct_cid cookie.
  HttpResponse redirect;
  const std::string click1 = Click("spring", &redirect);
  ASSERT_EQ(click1.size(), 22u) << redirect.Header("set-cookie");
  EXPECT_EQ(redirect.Header("location"), "https://shop.example/land?cid=" + click1);
  HttpClient browser(server_.port());
  HttpResponse gif = browser.Request("GET", "/c/" + goal_key + ".gif?value=25.5&order_id=A1",
                                     {{"Cookie", "ct_cid=" + click1}});
  ASSERT_EQ(gif.status, 200);
  EXPECT_EQ(gif.Header("content-type"), "image/gif");
  EXPECT_EQ(gif.Header("cache-control"), "no-store");
  EXPECT_EQ(gif.body.size(), 43u);

  // Click 2, converted server to server with the click id the destination received.
  const std::string click2 = Click("spring");
  ASSERT_EQ(click2.size(), 22u);
  json::value accepted = Call("POST", "/api/v1/conversions",
                              R"({"goal": )" + std::to_string(goal_id) + R"(, "click_id": ")" +
                                  click2 + R"(", "value": "7", "order_id": "B2"})",
                              202);
  EXPECT_EQ(JsonStr(accepted, "status"), "accepted");

  // Reports: both attributed to the link, 32.5 USD.
  const std::string stats = "/api/v1/links/" + std::to_string(link_id) + "/stats";
  json::value v = WaitConversions(stats, 2);
  EXPECT_EQ(JsonInt(v, "total"), 2);
  EXPECT_EQ(JsonInt(v, "conversions"), 2);
  EXPECT_EQ(JsonStr(v, "value"), "32.5");
  json::value list = Get("/api/v1/conversions");
  ASSERT_TRUE(list.as_object().contains("conversions")) << json::serialize(list);
  std::set<std::string> credited;
  for (const auto& c : list.at("conversions").as_array()) {
    EXPECT_EQ(c.at("link_id").as_int64(), link_id) << json::serialize(c);
    EXPECT_EQ(c.at("status").as_string(), "counted");
    credited.insert(std::string(c.at("click_id").as_string()));
  }
  EXPECT_EQ(credited, (std::set<std::string>{click1, click2}));

  // The receiver: exactly one postback each, with the macros and a valid signature.
  ASSERT_TRUE(receiver.WaitFor(2, seconds(15))) << server_.Log();
  std::this_thread::sleep_for(milliseconds(1500));  // anything extra would arrive by now
  auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 2u);
  std::map<std::string, std::map<std::string, std::string>> by_click;
  std::set<std::string> ids;
  for (const auto& r : requests) {
    auto q = QueryOf(r.target);
    by_click[q["cid"]] = q;
    const std::string id = r.Header("webhook-id");
    ids.insert(id);
    EXPECT_EQ(q["webhook-id"], id);
    const int64_t ts = std::stoll(r.Header("webhook-timestamp"));
    // The GET form signs the canonical URL: the target before the signature parameters.
    std::string canonical = receiver.Url("") + r.target.substr(0, r.target.find("&webhook-id="));
    EXPECT_TRUE(postback::Verify(secret, id, ts, canonical, r.Header("webhook-signature")))
        << canonical;
  }
  EXPECT_EQ(ids.size(), 2u);
  ASSERT_TRUE(by_click.count(click1) && by_click.count(click2));
  EXPECT_EQ(by_click[click1]["goal"], "sale");
  EXPECT_EQ(by_click[click1]["value"], "25.5");
  EXPECT_EQ(by_click[click1]["cur"], "USD");
  EXPECT_EQ(by_click[click1]["oid"], "A1");
  EXPECT_EQ(by_click[click1]["link"], std::to_string(link_id));
  EXPECT_EQ(by_click[click2]["value"], "7");
  EXPECT_EQ(by_click[click2]["oid"], "B2");

  // The delivery log shows them delivered.
  json::value deliveries = Get("/api/v1/deliveries");
  ASSERT_TRUE(deliveries.as_object().contains("deliveries")) << json::serialize(deliveries);
  for (const auto& d : deliveries.at("deliveries").as_array()) {
    EXPECT_EQ(d.at("state").as_string(), "delivered") << json::serialize(d);
  }

  // The same order again through the pixel: recorded, not counted, no postback.
  browser.Request("GET", "/c/" + goal_key + "?order_id=A1", {{"Cookie", "ct_cid=" + click1}});
  auto deadline = std::chrono::steady_clock::now() + seconds(10);
  size_t seen = 0;
  while (std::chrono::steady_clock::now() < deadline && seen < 3) {
    seen = Get("/api/v1/conversions").at("conversions").as_array().size();
    std::this_thread::sleep_for(milliseconds(50));
  }
  ASSERT_EQ(seen, 3u);
  EXPECT_EQ(Get("/api/v1/conversions").at("conversions").as_array()[0].at("status").as_string(),
            "duplicate_order");
  EXPECT_EQ(JsonInt(Get(stats), "conversions"), 2);
  std::this_thread::sleep_for(milliseconds(1000));
  EXPECT_EQ(receiver.Count(), 2u);
}

TEST_F(ConversionsE2eTest, BotsNeverConvertAndUnattributedConversionsAreKept) {
  HttpReceiver receiver;
  auto [goal_id, goal_key] = CreateGoal("signup");
  CreatePostback(receiver.Url("/pb") + "?cid={click_id}");
  Call("POST", "/api/v1/links", R"({"destination": "https://shop.example/", "slug": "b"})", 201);
  const std::string click = Click("b");

  HttpClient bot(server_.port());
  EXPECT_EQ(bot.Request("GET", "/c/" + goal_key,
                        {{"User-Agent", kGooglebot}, {"Cookie", "ct_cid=" + click}})
                .status,
            200);
  // Without any click: unattributed, still recorded and counted account-wide.
  HttpClient other(server_.port());
  EXPECT_EQ(other.Request("GET", "/c/" + goal_key + "?value=3").status, 200);

  json::value list;
  auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    list = Get("/api/v1/conversions");
    if (list.at("conversions").as_array().size() >= 2) break;
    std::this_thread::sleep_for(milliseconds(50));
  }
  std::multiset<std::string> statuses;
  for (const auto& c : list.at("conversions").as_array()) {
    statuses.insert(std::string(c.at("status").as_string()));
    if (c.at("status").as_string() == "counted") {
      EXPECT_TRUE(c.at("link_id").is_null()) << json::serialize(c);
      EXPECT_FALSE(c.at("attributed").as_bool());
    }
  }
  EXPECT_EQ(statuses, (std::multiset<std::string>{"bot", "counted"}));
  json::value goal = Get("/api/v1/goals/" + std::to_string(goal_id) + "/stats");
  EXPECT_EQ(JsonInt(goal, "conversions"), 1) << json::serialize(goal);
  // attributed_only (the default): neither fires the postback.
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_EQ(receiver.Count(), 0u);
}

TEST_F(ConversionsE2eTest, TrackingPixelCountsImpressions) {
  json::value pixel = Call("POST", "/api/v1/pixels", R"({"slug": "newsletter"})", 201);
  const int64_t id = JsonInt(pixel, "id");
  ASSERT_GT(id, 0);
  // One reader (who keeps the ct_vid cookie the first open set) opens the mail three times.
  HttpClient mail(server_.port());
  std::string cookie;
  for (int i = 0; i < 3; ++i) {
    HttpResponse r = mail.Request(
        "GET", "/p/newsletter.gif",
        cookie.empty() ? std::vector<std::pair<std::string, std::string>>{}
                       : std::vector<std::pair<std::string, std::string>>{{"Cookie", cookie}});
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body.size(), 43u);
    EXPECT_EQ(r.Header("cache-control"), "no-store");
    if (cookie.empty()) {
      std::string set = r.Header("set-cookie");
      cookie = set.substr(0, set.find(';'));
      ASSERT_EQ(cookie.rfind("ct_vid=", 0), 0u) << set;
    }
  }
  // An unknown pixel still answers an image (never a broken image in an email).
  EXPECT_EQ(mail.Request("GET", "/p/nope.gif").status, 200);
  // A pixel is not a redirect.
  EXPECT_EQ(mail.Request("GET", "/newsletter").status, 404);
  json::value v;
  auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    v = Get("/api/v1/pixels/" + std::to_string(id) + "/stats");
    if (JsonInt(v, "total") >= 3) break;
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(JsonInt(v, "total"), 3);
  EXPECT_EQ(JsonInt(v, "unique"), 1);
}

TEST_F(ConversionsE2eTest, HostileMacroValuesArrivePercentEncoded) {
  HttpReceiver receiver;
  auto [goal_id, goal_key] = CreateGoal("order");
  CreatePostback(receiver.Url("/pb") + "?oid={order_id}&x=1", R"(, "attributed_only": false)");
  // URL delimiters and a macro through the S2S API (which refuses control characters: 400)...
  const std::string delimiters = "A&x=2#f?/%25 {click_id}";
  Call("POST", "/api/v1/conversions",
       R"({"goal": )" + std::to_string(goal_id) + R"(, "order_id": ")" + delimiters + R"("})", 202);
  auto refused =
      ApiCall(server_.port(), "POST", "/api/v1/conversions", key_,
              R"({"goal": )" + std::to_string(goal_id) + R"(, "order_id": "A\r\nX-Injected: 1"})");
  EXPECT_EQ(refused.status, 400) << refused.body;
  ASSERT_TRUE(receiver.WaitFor(1, seconds(15))) << server_.Log();
  // ... and CR/LF through the conversion pixel, which records what it is given.
  HttpClient browser(server_.port());
  EXPECT_EQ(browser.Request("GET", "/c/" + goal_key + "?order_id=B%0D%0AX-Injected:%201").status,
            200);
  ASSERT_TRUE(receiver.WaitFor(2, seconds(15))) << server_.Log();
  std::map<std::string, std::string> targets;  // order id -> target
  for (const auto& r : receiver.Requests()) {
    targets[QueryOf(r.target)["oid"]] = r.target;
    EXPECT_EQ(QueryOf(r.target)["x"], "1") << r.target;
    EXPECT_EQ(r.Header("x-injected"), "");
  }
  ASSERT_TRUE(targets.count(delimiters)) << receiver.Requests()[0].target;
  EXPECT_NE(targets[delimiters].find("oid=A%26x%3D2%23f%3F%2F%2525%20%7Bclick_id%7D&x=1"),
            std::string::npos)
      << targets[delimiters];
  ASSERT_TRUE(targets.count("B\r\nX-Injected: 1"));
  EXPECT_NE(targets["B\r\nX-Injected: 1"].find("oid=B%0D%0AX-Injected%3A%201&x=1"),
            std::string::npos);
}

TEST_F(ConversionsE2eTest, BadInputIsRefused) {
  // SSRF targets, without an allow-list entry for them (only 127.0.0.1 is allowed here).
  for (const char* url :
       {"http://10.0.0.1/pb", "http://2130706434/pb", "http://0x7f000002/pb", "http://127.2/pb",
        "http://[::1]/pb", "http://169.254.169.254/latest/meta-data", "http://localhost./pb",
        "http://{click_id}.example.com/pb", "ftp://example.com/pb"}) {
    auto r =
        ApiCall(server_.port(), "POST", "/api/v1/postbacks", key_,
                std::string(R"({"name": "x", "events": ["conversion"], "url": ")") + url + R"("})");
    EXPECT_EQ(r.status, 400) << url << ": " << r.body;
  }
  // An oversized conversion body is refused from its Content-Length, before it is read (so
  // the test sends only the head: writing 2 MiB into a closed connection would race a reset).
  HttpClient raw(server_.port());
  HttpResponse big = raw.Raw(
      "POST /api/v1/conversions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Authorization: Bearer " +
      key_ +
      "\r\nContent-Type: application/json\r\n"
      "Content-Length: 2097152\r\n\r\n{\"goal\": 1, \"order_id\": \"");
  EXPECT_EQ(big.status, 413);
  // Another account's goal is not found; malformed fields are 400.
  auto [goal_id, goal_key] = CreateGoal("g");
  std::string other = server_.CreateAccount("other");
  auto foreign = ApiCall(server_.port(), "POST", "/api/v1/conversions", other,
                         R"({"goal": )" + std::to_string(goal_id) + "}");
  EXPECT_EQ(foreign.status, 404) << foreign.body;
  for (const char* body :
       {R"({"goal": GOAL, "value": -1})", R"({"goal": GOAL, "value": "1e3"})",
        R"({"goal": GOAL, "currency": "usd"})", R"({"goal": GOAL, "click_id": "short"})"}) {
    std::string b = body;
    b.replace(b.find("GOAL"), 4, std::to_string(goal_id));
    auto r = ApiCall(server_.port(), "POST", "/api/v1/conversions", key_, b);
    EXPECT_EQ(r.status, 400) << b << ": " << r.body;
  }
}

}  // namespace
}  // namespace ct::test
