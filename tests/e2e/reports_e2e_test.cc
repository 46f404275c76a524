// Reports end to end, over real HTTP against the real binary: clicks with different
// User-Agents, Referers and Accept-Languages, then breakdowns per dimension, account-wide
// stats with top links, the click stream newest first with pagination, and parameter errors.
//
// GroupByDimensionsOfRealClicks needs the tracker's enrichment (the enrich branch: user agent
// parsing, referrer domain, language, bot detection); it passes once that is merged.
#include <gtest/gtest.h>

#include <ctime>
#include <map>
#include <set>
#include <thread>

#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/server.h"

namespace ct::test {
namespace {

namespace json = boost::json;

constexpr const char* kIphone =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
constexpr const char* kWindowsChrome =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36";
constexpr const char* kMacFirefox =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0";
constexpr const char* kGooglebot =
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

class ReportsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = server_.CreateAccount("acme");
    ASSERT_FALSE(key_.empty()) << "account create failed";
    ASSERT_TRUE(server_.Start()) << server_.Log();
  }

  json::value Get(const std::string& target, int want_status = 200) {
    auto r = ApiCall(server_.port(), "GET", target, key_);
    EXPECT_EQ(r.status, want_status) << target << ": " << r.body;
    return ParseJson(r.body);
  }
  std::pair<int64_t, std::string> CreateLink(const std::string& slug) {
    auto r = ApiCall(
        server_.port(), "POST", "/api/v1/links", key_,
        R"({"destination": "https://example.com/)" + slug + R"(", "slug": ")" + slug + R"("})");
    EXPECT_EQ(r.status, 201) << r.body;
    json::value v = ParseJson(r.body);
    return {JsonInt(v, "id"), JsonStr(v, "slug")};
  }
  void Click(const std::string& slug, const std::string& ua, const std::string& referer = "",
             const std::string& lang = "") {
    HttpClient c(server_.port());
    std::vector<std::pair<std::string, std::string>> h = {{"User-Agent", ua}};
    if (!referer.empty()) h.emplace_back("Referer", referer);
    if (!lang.empty()) h.emplace_back("Accept-Language", lang);
    EXPECT_EQ(c.Request("GET", "/" + slug, h).status, 302);
  }
  // Polls until the stats (link or account) count `want` clicks plus bots.
  json::value WaitFor(const std::string& target, int64_t want) {
    json::value v;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      v = Get(target);
      if (JsonInt(v, "total") + std::max<int64_t>(JsonInt(v, "bots"), 0) >= want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return v;
  }
  static std::map<std::string, int64_t> Breakdown(const json::value& v) {
    std::map<std::string, int64_t> out;
    if (!v.is_object() || !v.as_object().contains("breakdown")) return out;
    for (const auto& row : v.at("breakdown").as_array()) {
      out[std::string(row.at("value").as_string())] = row.at("total").as_int64();
    }
    return out;
  }

  ServerHarness server_;
  std::string key_;
};

TEST_F(ReportsE2eTest, GroupByDimensionsOfRealClicks) {
  auto [id, slug] = CreateLink("dims");
  Click(slug, kIphone, "https://t.co/abc", "de-DE,de;q=0.9,en;q=0.8");
  Click(slug, kIphone, "https://t.co/xyz", "de");
  Click(slug, kWindowsChrome, "https://news.example.org/story", "en-US,en;q=0.9");
  Click(slug, kMacFirefox, "", "fr-FR");
  Click(slug, kGooglebot);
  const std::string base = "/api/v1/links/" + std::to_string(id) + "/stats?";
  json::value all = WaitFor(base + "interval=day", 5);
  EXPECT_EQ(JsonInt(all, "total"), 4) << json::serialize(all);
  EXPECT_EQ(JsonInt(all, "bots"), 1);

  auto device = Breakdown(Get(base + "group_by=device"));
  EXPECT_EQ(device["mobile"], 2);
  EXPECT_EQ(device["desktop"], 2);
  EXPECT_EQ(device[""], 0);  // the bot's row (if any) has bots, not clicks
  auto os = Breakdown(Get(base + "group_by=os"));
  EXPECT_EQ(os["ios"], 2);
  EXPECT_EQ(os["windows"], 1);
  EXPECT_EQ(os["macos"], 1);
  auto browser = Breakdown(Get(base + "group_by=browser"));
  EXPECT_EQ(browser["safari"], 2);
  EXPECT_EQ(browser["chrome"], 1);
  EXPECT_EQ(browser["firefox"], 1);
  auto referrer = Breakdown(Get(base + "group_by=referrer"));
  EXPECT_EQ(referrer["t.co"], 2);
  EXPECT_EQ(referrer["news.example.org"], 1);
  EXPECT_EQ(referrer[""], 1);  // direct
  auto language = Breakdown(Get(base + "group_by=language"));
  EXPECT_EQ(language["de"], 2);
  EXPECT_EQ(language["en"], 1);
  EXPECT_EQ(language["fr"], 1);
  auto bot = Get(base + "group_by=bot");
  ASSERT_TRUE(bot.is_object());
  EXPECT_EQ(Breakdown(bot)["human"], 4);
  // A filter: iOS clicks, by referrer.
  EXPECT_EQ(JsonInt(Get(base + "os=ios&group_by=referrer"), "total"), 2);
  EXPECT_EQ(JsonInt(Get(base + "device=desktop&language=en"), "total"), 1);
}

TEST_F(ReportsE2eTest, AccountStatsAndClickStream) {
  auto [a, slug_a] = CreateLink("first");
  auto [b, slug_b] = CreateLink("second");
  for (int i = 0; i < 3; ++i) Click(slug_b, kWindowsChrome);
  Click(slug_a, kIphone);
  json::value account = WaitFor("/api/v1/stats?interval=hour", 4);
  EXPECT_EQ(JsonInt(account, "total"), 4) << json::serialize(account);
  EXPECT_EQ(JsonStr(account, "tz"), "UTC");
  // 48 hours back from now, the first one rounded down to its hour: 48 or 49 buckets.
  EXPECT_GE(account.at("series").as_array().size(), 48u);
  EXPECT_LE(account.at("series").as_array().size(), 49u);
  const auto& top = account.at("top_links").as_array();
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(JsonInt(top[0], "id"), b);
  EXPECT_EQ(JsonInt(top[0], "total"), 3);
  EXPECT_EQ(JsonStr(top[0], "slug"), "second");
  EXPECT_EQ(JsonStr(top[0], "short_url"),
            "http://127.0.0.1:" + std::to_string(server_.port()) + "/second");
  EXPECT_EQ(JsonInt(top[1], "id"), a);

  // Every link's counts for the links page (no top_links limit); report shaping is refused.
  json::value counts = Get("/api/v1/links/counts");
  const auto& rows = counts.at("counts").as_array();
  ASSERT_EQ(rows.size(), 2u) << json::serialize(counts);
  EXPECT_EQ(JsonInt(rows[0], "id"), b);
  EXPECT_EQ(JsonInt(rows[0], "total"), 3);
  EXPECT_EQ(JsonInt(rows[1], "id"), a);
  EXPECT_EQ(JsonInt(rows[1], "total"), 1);
  EXPECT_EQ(JsonInt(rows[1], "unique"), 1);
  Get("/api/v1/links/counts?country=US", 400);
  Get("/api/v1/links/counts?group_by=os", 400);
  // Another account sees none of these counts.
  const std::string other = server_.CreateAccount("other");
  auto theirs = ApiCall(server_.port(), "GET", "/api/v1/links/counts", other);
  ASSERT_EQ(theirs.status, 200);
  EXPECT_EQ(json::parse(theirs.body).at("counts").as_array().size(), 0u);

  // In a time zone: the same clicks, local days.
  json::value berlin = Get("/api/v1/stats?tz=Europe/Berlin");
  EXPECT_EQ(JsonInt(berlin, "total"), 4);
  EXPECT_EQ(JsonStr(berlin, "tz"), "Europe/Berlin");

  // The click stream of b, newest first, two per page.
  const std::string hits = "/api/v1/links/" + std::to_string(b) + "/hits?limit=2";
  json::value page1 = Get(hits);
  ASSERT_EQ(page1.at("hits").as_array().size(), 2u);
  ASSERT_TRUE(page1.at("next").is_string());
  json::value page2 = Get(hits + "&after=" + std::string(page1.at("next").as_string()));
  ASSERT_EQ(page2.at("hits").as_array().size(), 1u);
  EXPECT_TRUE(page2.at("next").is_null());
  std::vector<std::string> times;
  std::set<std::string> ids;
  for (const json::value* p : {&page1, &page2}) {
    for (const auto& h : p->at("hits").as_array()) {
      times.push_back(JsonStr(h, "time"));
      ids.insert(JsonStr(h, "click_id"));
      EXPECT_EQ(JsonStr(h, "kind"), "click");
      EXPECT_EQ(JsonStr(h, "user_agent"), kWindowsChrome);
      EXPECT_EQ(JsonStr(h, "ip"), "127.0.0.1");
    }
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_GE(times[0], times[1]);
  EXPECT_GE(times[1], times[2]);
}

// A strict RFC 4180 reader for the CSV answers (quoted fields, doubled quotes, CRLF records).
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      ++i;
    } else {
      field += c;
    }
  }
  EXPECT_TRUE(field.empty() && row.empty()) << "the last record must end with CRLF";
  return rows;
}

TEST_F(ReportsE2eTest, CompareWithThePreviousPeriodAndCsvExports) {
  auto [id, slug] = CreateLink("compare");
  Click(slug, kIphone, "https://t.co/abc", "de");
  Click(slug, kIphone, "https://t.co/abc", "de");
  Click(slug, kWindowsChrome, "", "en");
  const std::string base = "/api/v1/links/" + std::to_string(id) + "/stats?";
  json::value now = WaitFor(base + "interval=hour", 3);
  ASSERT_EQ(JsonInt(now, "total"), 3) << json::serialize(now);
  // The clicks' hour H (the last bucket of the default range).
  const auto& series = now.at("series").as_array();
  int64_t h_index = -1;
  for (size_t i = 0; i < series.size(); ++i) {
    if (series[i].at("total").as_int64() > 0) h_index = static_cast<int64_t>(i);
  }
  ASSERT_GE(h_index, 0);
  const std::string hour = std::string(series[static_cast<size_t>(h_index)].at("t").as_string());
  // 2026-12-04T17:00:00Z -> the next two hours, by text (the range is whole UTC hours).
  auto plus_hours = [](const std::string& iso, int n) {
    std::tm tm{};
    strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    time_t t = timegm(&tm) + n * 3600;
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    return std::string(buf);
  };

  // [H, H+1h) against [H-1h, H): nothing before, so no ratio.
  json::value cur =
      Get(base + "interval=hour&compare=previous&from=" + hour + "&to=" + plus_hours(hour, 1));
  EXPECT_EQ(JsonInt(cur, "total"), 3);
  ASSERT_TRUE(cur.at("previous").is_object()) << json::serialize(cur);
  EXPECT_EQ(JsonStr(cur.at("previous"), "from"), plus_hours(hour, -1));
  EXPECT_EQ(JsonStr(cur.at("previous"), "to"), hour);
  EXPECT_EQ(JsonInt(cur.at("previous"), "total"), 0);
  EXPECT_EQ(cur.at("previous").at("series").as_array().size(), 1u);
  EXPECT_TRUE(cur.at("change").at("total").is_null());
  // [H+1h, H+2h) against [H, H+1h): all three before, none now: -100 %.
  json::value next = Get(base + "interval=hour&compare=previous&from=" + plus_hours(hour, 1) +
                         "&to=" + plus_hours(hour, 2));
  EXPECT_EQ(JsonInt(next, "total"), 0);
  EXPECT_EQ(JsonInt(next.at("previous"), "total"), 3);
  EXPECT_EQ(JsonInt(next.at("previous"), "unique"), JsonInt(now, "unique"));
  EXPECT_DOUBLE_EQ(next.at("change").at("total").to_number<double>(), -1.0);
  // Filters carry over to the previous period.
  json::value de =
      Get(base + "interval=hour&compare=previous&language=de&from=" + plus_hours(hour, 1) +
          "&to=" + plus_hours(hour, 2));
  EXPECT_EQ(JsonInt(de.at("previous"), "total"), 2);

  // CSV of the series: every bucket, the same figures as the JSON.
  auto r = ApiCall(server_.port(), "GET", base + "interval=hour&format=csv", key_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type").rfind("text/csv", 0), 0u);
  EXPECT_NE(r.Header("content-disposition").find("attachment; filename="), std::string::npos);
  auto rows = ParseCsv(r.body);
  ASSERT_EQ(rows.size(), series.size() + 1);
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"t", "total", "unique", "bots", "conversions", "revenue"}));
  EXPECT_EQ(rows[static_cast<size_t>(h_index) + 1][0], hour);
  EXPECT_EQ(rows[static_cast<size_t>(h_index) + 1][1], "3");
  // CSV of a filtered breakdown.
  r = ApiCall(server_.port(), "GET",
              base + "interval=hour&language=de&group_by=referrer&format=csv", key_);
  ASSERT_EQ(r.status, 200) << r.body;
  rows = ParseCsv(r.body);
  ASSERT_EQ(rows.size(), 2u) << r.body;
  EXPECT_EQ(rows[0][0], "value");
  EXPECT_EQ(rows[1][0], "t.co");
  EXPECT_EQ(rows[1][1], "2");
  // Account-wide breakdown as CSV.
  r = ApiCall(server_.port(), "GET", "/api/v1/stats?group_by=language&format=csv", key_);
  ASSERT_EQ(r.status, 200) << r.body;
  std::map<std::string, std::string> by_language;
  for (const auto& row : ParseCsv(r.body)) by_language[row.at(0)] = row.at(1);
  EXPECT_EQ(by_language["de"], "2");
  EXPECT_EQ(by_language["en"], "1");
}

TEST_F(ReportsE2eTest, BadParametersAre400) {
  auto [id, slug] = CreateLink("bad");
  const std::string base = "/api/v1/links/" + std::to_string(id);
  for (const std::string& t :
       {base + "/stats?group_by=planet", base + "/stats?tz=Nowhere/City",
        base + "/stats?device=phone", base + "/stats?limit=0", base + "/hits?after=%21%21",
        base + "/hits?limit=5000", std::string("/api/v1/stats?group_by=planet"),
        base + "/stats?compare=next", base + "/stats?format=xml",
        // Filtered reports are hourly: no minutes, no :30 zone's days.
        base + "/stats?interval=minute&country=US",
        base + "/stats?interval=day&tz=Asia/Kolkata&country=US"}) {
    json::value v = Get(t, 400);
    ASSERT_TRUE(v.is_object()) << t;
    EXPECT_EQ(JsonStr(v.at("error"), "code"), "bad_request") << t;
  }
  Get("/api/v1/links/999999/hits", 404);
}

}  // namespace
}  // namespace ct::test
