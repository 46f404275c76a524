// The classifier version (enrich/classifier_version.h): stable for the same rules, different
// when the crawler list changes, stamped on every enrichment; and Reenrich, which `clicktrail
// rebuild` runs on stored hits.
#include "enrich/classifier_version.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "enrich/enricher.h"

namespace ct::enrich {
namespace {

class ClassifierVersionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ct-cv-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::shared_ptr<const BotDetector> Crawlers(const std::string& name, const std::string& json) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << json;
    auto d = BotDetector::Load(path);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? std::shared_ptr<const BotDetector>(std::move(d).value()) : nullptr;
  }

  std::filesystem::path dir_;
};

TEST_F(ClassifierVersionTest, SameRulesSameVersionOtherRulesAnother) {
  EnrichSources a{.bots = Crawlers("a.json", R"([{"pattern": "Googlebot"}])")};
  EnrichSources a2{.bots = Crawlers("a2.json", R"([{"pattern": "Googlebot"}])")};
  EnrichSources b{.bots =
                      Crawlers("b.json", R"([{"pattern": "Googlebot"}, {"pattern": "Sneaky"}])")};
  EXPECT_EQ(ClassifierVersion(a), ClassifierVersion(a2));
  EXPECT_NE(ClassifierVersion(a), ClassifierVersion(b));
  EXPECT_NE(ClassifierVersion(a), ClassifierVersion(EnrichSources{}));
  EXPECT_NE(ClassifierVersion(1, "x", "-"), ClassifierVersion(2, "x", "-"));
  for (const EnrichSources* s : {&a, &b}) {
    EXPECT_GT(ClassifierVersion(*s), 0);
    EXPECT_LT(ClassifierVersion(*s), int64_t{1} << 31);
  }
}

TEST_F(ClassifierVersionTest, EveryEnrichmentCarriesItAndReenrichReclassifies) {
  const Enricher old_rules({.bots = Crawlers("a.json", R"([{"pattern": "Googlebot"}])")});
  const Enricher new_rules(
      {.bots = Crawlers("b.json", R"([{"pattern": "Googlebot"}, {"pattern": "Sneaky"}])")});
  Event e;
  e.kind = EventKind::kClick;
  e.user_agent = "Sneaky/1.0";
  e.ip = "203.0.113.0";  // anonymised: the stored country stays
  e.referrer = "https://www.example.org/x";
  Enrichment before = old_rules.Enrich(e);
  EXPECT_FALSE(before.bot);
  EXPECT_EQ(before.classifier, old_rules.classifier());
  Enrichment after = new_rules.Reenrich(e, "FR");
  EXPECT_TRUE(after.bot);
  EXPECT_EQ(after.device, "bot");
  EXPECT_EQ(after.country, "FR");
  EXPECT_EQ(after.referrer_domain, before.referrer_domain);
  EXPECT_EQ(after.classifier, new_rules.classifier());
  EXPECT_NE(after.classifier, before.classifier);
}

}  // namespace
}  // namespace ct::enrich
