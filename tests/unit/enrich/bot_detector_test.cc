// BotDetector against the pinned crawler-user-agents list.
#include "enrich/bot_detector.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace ct::enrich {
namespace {

constexpr const char* kChrome =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36";

class BotDetectorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto d = BotDetector::Load(DefaultCrawlersPath());
    ASSERT_TRUE(d.ok()) << d.status().ToString() << " (run scripts/install-deps.sh)";
    bots_ = std::move(d).value().release();
  }
  static void TearDownTestSuite() {
    delete bots_;
    bots_ = nullptr;
  }
  static Event Click(std::string ua) {
    Event e;
    e.user_agent = std::move(ua);
    return e;
  }
  static BotDetector* bots_;
};
BotDetector* BotDetectorTest::bots_ = nullptr;

TEST_F(BotDetectorTest, LoadsTheWholeList) {
  EXPECT_GT(bots_->patterns(), 1000u);  // 1500 entries in 1.60.0
  EXPECT_LT(bots_->skipped_patterns(), 10u);
}

TEST_F(BotDetectorTest, KnownCrawlers) {
  EXPECT_TRUE(
      bots_->IsCrawler("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"));
  EXPECT_TRUE(
      bots_->IsCrawler("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"));
  EXPECT_TRUE(bots_->IsCrawler(
      "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"));
  EXPECT_TRUE(bots_->IsCrawler("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"));
  EXPECT_TRUE(bots_->IsCrawler("curl/8.4.0"));  // the list has "^curl"
  EXPECT_TRUE(bots_->IsCrawler("Twitterbot/1.0"));
}

TEST_F(BotDetectorTest, BrowsersAreNotCrawlers) {
  EXPECT_FALSE(bots_->IsCrawler(kChrome));
  EXPECT_FALSE(bots_->IsCrawler(
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
      "Gecko) Version/17.1 Mobile/15E148 Safari/604.1"));
  EXPECT_FALSE(
      bots_->IsCrawler("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:120.0) Gecko/20100101 "
                       "Firefox/120.0"));
  EXPECT_FALSE(bots_->IsCrawler(""));
  EXPECT_FALSE(bots_->IsCrawler("Mozilla/5.0 curl"));  // anchored pattern: only at the start
}

TEST_F(BotDetectorTest, HeuristicsForWholeEvents) {
  EXPECT_FALSE(bots_->IsBot(Click(kChrome)));
  EXPECT_TRUE(bots_->IsBot(Click("")));
  Event head = Click(kChrome);
  head.kind = EventKind::kHead;
  EXPECT_TRUE(bots_->IsBot(head));
  Event prefetch = Click(kChrome);
  prefetch.flags = kFlagPrefetch;
  EXPECT_TRUE(bots_->IsBot(prefetch));
  Event other_flags = Click(kChrome);
  other_flags.flags = kFlagNewVisitor | kFlagPasswordOk;
  EXPECT_FALSE(bots_->IsBot(other_flags));
  EXPECT_TRUE(bots_->IsBot(Click("Mozilla/5.0 (compatible; bingbot/2.0)")));
}

TEST(BotDetectorLoadTest, MissingFileIsNotFound) {
  auto d = BotDetector::Load("/nonexistent/crawlers.json");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kNotFound);
}

TEST(BotDetectorLoadTest, BadPatternsAreSkippedAndCounted) {
  const auto path = std::filesystem::temp_directory_path() / "ct-crawlers-test.json";
  std::ofstream(path) << R"([{"pattern": "good[bB]ot"}, {"pattern": "(?<=x)bad"},
                             {"pattern": "(unclosed"}, {"url": "no pattern"}])";
  auto d = BotDetector::Load(path.string());
  std::ofstream(path) << R"({"not": "an array"})";
  auto not_array = BotDetector::Load(path.string());
  std::ofstream(path) << R"([{"pattern": "(?<=x)bad"}])";
  auto none = BotDetector::Load(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ((*d)->patterns(), 1u);
  EXPECT_EQ((*d)->skipped_patterns(), 3u);
  EXPECT_TRUE((*d)->IsCrawler("a goodBot here"));
  ASSERT_FALSE(not_array.ok());
  EXPECT_EQ(not_array.status().code(), StatusCode::kInvalidArgument);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ct::enrich
