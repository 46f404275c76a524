#include "enrich/enricher.h"

#include <gtest/gtest.h>

namespace ct::enrich {
namespace {

constexpr const char* kChrome =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36";

Event Click() {
  Event e;
  e.ip = "8.8.8.8";
  e.user_agent = kChrome;
  e.referrer = "https://www.Example.com/page";
  e.accept_language = "de-CH,de;q=0.9,en;q=0.8";
  return e;
}

TEST(EnricherTest, NullSourcesFillWhatNeedsNoData) {
  Enricher enricher(EnrichSources{});
  Enrichment x = enricher.Enrich(Click());
  EXPECT_EQ(x.country, "");
  EXPECT_EQ(x.device, "");
  EXPECT_EQ(x.os, "");
  EXPECT_EQ(x.browser, "");
  EXPECT_EQ(x.referrer_domain, "example.com");
  EXPECT_EQ(x.language, "de");
  EXPECT_FALSE(x.bot);
}

TEST(EnricherTest, NullSourcesStillApplyTheBotHeuristics) {
  Enricher enricher(EnrichSources{});
  Event head = Click();
  head.kind = EventKind::kHead;
  EXPECT_TRUE(enricher.Enrich(head).bot);
  EXPECT_EQ(enricher.Enrich(head).device, "bot");
  Event empty_ua = Click();
  empty_ua.user_agent.clear();
  EXPECT_TRUE(enricher.Enrich(empty_ua).bot);
  Event prefetch = Click();
  prefetch.flags = kFlagPrefetch;
  EXPECT_TRUE(enricher.Enrich(prefetch).bot);
}

TEST(EnricherTest, EdgeCountryWins) {
  Enricher enricher(EnrichSources{});
  Event e = Click();
  e.country = "FR";
  EXPECT_EQ(enricher.Enrich(e).country, "FR");
}

TEST(EnricherTest, AllSourcesFromThePinnedData) {
  Enricher enricher(LoadEnrichSources("", "", ""));
  ASSERT_NE(enricher.sources().geo, nullptr);
  ASSERT_NE(enricher.sources().ua, nullptr);
  ASSERT_NE(enricher.sources().bots, nullptr);
  Enrichment x = enricher.Enrich(Click());
  EXPECT_EQ(x.country, "US");
  EXPECT_EQ(x.device, "desktop");
  EXPECT_EQ(x.os, "windows");
  EXPECT_EQ(x.browser, "chrome");
  EXPECT_FALSE(x.bot);
  Event bot = Click();
  bot.user_agent = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)";
  Enrichment b = enricher.Enrich(bot);
  EXPECT_TRUE(b.bot);
  EXPECT_EQ(b.device, "bot");
}

TEST(EnricherTest, MissingFilesLeaveSourcesNull) {
  EnrichSources s =
      LoadEnrichSources("/nonexistent/a.mmdb", "/nonexistent/r.yaml", "/nonexistent/c.json");
  EXPECT_EQ(s.geo, nullptr);
  EXPECT_EQ(s.ua, nullptr);
  EXPECT_EQ(s.bots, nullptr);
}

}  // namespace
}  // namespace ct::enrich
