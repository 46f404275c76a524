// UserAgentParser against the pinned uap-core regexes.yaml, on real User-Agents.
#include "enrich/user_agent.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace ct::enrich {
namespace {

struct Case {
  const char* name;
  const char* ua;
  const char* device;
  const char* os;
  const char* browser;
};

const Case kCases[] = {
    {"ChromeWindows",
     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36",
     "desktop", "windows", "chrome"},
    {"SafariIphone",
     "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
     "mobile", "ios", "safari"},
    {"ChromeAndroidPhone",
     "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Mobile Safari/537.36",
     "mobile", "android", "chrome"},
    {"SamsungInternet",
     "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
     "mobile", "android", "samsung"},
    {"SafariIpad",
     "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/16.6 Mobile/15E148 Safari/604.1",
     "tablet", "ios", "safari"},
    {"ChromeAndroidTablet",
     "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36",
     "tablet", "android", "chrome"},
    {"FirefoxLinux",
     "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0", "desktop",
     "linux", "firefox"},
    {"SafariMac",
     "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.1 Safari/605.1.15",
     "desktop", "macos", "safari"},
    {"Edge",
     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
     "desktop", "windows", "edge"},
    {"Opera",
     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0",
     "desktop", "windows", "opera"},
    {"InternetExplorer11", "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
     "desktop", "windows", "ie"},
    {"ChromeOs",
     "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36",
     "desktop", "chromeos", "chrome"},
    {"Googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot",
     "other", "other"},
    // uap-core has no device rule for curl; the crawler list (BotDetector) makes it a bot.
    {"Curl", "curl/8.4.0", "other", "other", "other"},
    {"PlayStation5",
     "Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/13.0 Safari/605.1.15",
     "console", "other", "safari"},
    {"SamsungSmartTv",
     "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36",
     "tv", "other", "samsung"},
};

class UserAgentParserTest : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    auto p = UserAgentParser::Load(DefaultUapRegexesPath());
    ASSERT_TRUE(p.ok()) << p.status().ToString() << " (run scripts/install-deps.sh)";
    parser_ = std::move(p).value().release();
  }
  static void TearDownTestSuite() {
    delete parser_;
    parser_ = nullptr;
  }
  static UserAgentParser* parser_;
};
UserAgentParser* UserAgentParserTest::parser_ = nullptr;

TEST_P(UserAgentParserTest, Normalises) {
  const Case& c = GetParam();
  for (int pass = 0; pass < 2; ++pass) {  // uncached, then from the cache
    UserAgentInfo info = parser_->Parse(c.ua);
    EXPECT_EQ(info.device, c.device) << c.ua;
    EXPECT_EQ(info.os, c.os) << c.ua;
    EXPECT_EQ(info.browser, c.browser) << c.ua;
  }
}

INSTANTIATE_TEST_SUITE_P(RealAgents, UserAgentParserTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(UserAgentParserLoadTest, EmptyAndUnknownAgents) {
  auto p = UserAgentParser::Load(DefaultUapRegexesPath());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  UserAgentInfo empty = (*p)->Parse("");
  EXPECT_EQ(empty.browser, "other");
  EXPECT_EQ(empty.device, "other");
  UserAgentInfo junk = (*p)->Parse("\x01\xff junk");
  EXPECT_EQ(junk.browser, "other");
}

TEST(UserAgentParserLoadTest, ConcurrentParsesAgreeAndSurviveCacheClears) {
  auto p = UserAgentParser::Load(DefaultUapRegexesPath());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const UserAgentParser& parser = **p;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      // Distinct UAs (a varying build number) overflow shards, so clears race with reads.
      for (int i = 0; i < 3000; ++i) {
        std::string ua =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
            "like Gecko) Chrome/120.0." +
            std::to_string(t * 100000 + i) + ".0 Safari/537.36";
        if (parser.Parse(ua).browser != "chrome") ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(UserAgentParserLoadTest, MissingFileIsNotFound) {
  auto p = UserAgentParser::Load("/nonexistent/regexes.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kNotFound);
}

TEST(UserAgentParserLoadTest, NotUapYamlIsInvalid) {
  const auto path = std::filesystem::temp_directory_path() / "ct-uap-test.yaml";
  std::ofstream(path) << "a: [1, 2\n";
  auto broken = UserAgentParser::Load(path.string());
  std::ofstream(path) << "just: a map\n";
  auto other = UserAgentParser::Load(path.string());
  std::filesystem::remove(path);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), StatusCode::kInvalidArgument);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ct::enrich
