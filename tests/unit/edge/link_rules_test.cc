#include "edge/link_rules.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ct::edge {
namespace {

class FakeFacts : public VisitorFacts {
 public:
  std::string country, device, os, browser, language;
  int lookups = 0;
  std::string_view Country() override { return ++lookups, country; }
  std::string_view Device() override { return ++lookups, device; }
  std::string_view Os() override { return ++lookups, os; }
  std::string_view Browser() override { return ++lookups, browser; }
  std::string_view Language() override { return ++lookups, language; }
};

const LinkEntry& Load(LinkTable& table, const LinkRow& row) {
  table.Apply({row});
  return *table.Current()->Find(row.slug);
}

LinkRow Base() {
  LinkRow r;
  r.id = 1;
  r.account_id = 2;
  r.slug = "s";
  r.destination = "https://main.example/";
  return r;
}

TEST(LinkRulesTest, PlainLinkNeedsNoFacts) {
  LinkTable t;
  FakeFacts f;
  FastRng rng(1);
  ClickDecision d = DecideClick(Load(t, Base()), {1, true, false}, f, rng);
  EXPECT_EQ(d.outcome, ClickOutcome::kRedirect);
  EXPECT_EQ(d.destination, "https://main.example/");
  EXPECT_EQ(f.lookups, 0);
}

TEST(LinkRulesTest, PasswordGateComesFirst) {
  LinkTable t;
  LinkRow r = Base();
  r.options.password_hash = "pbkdf2-sha256$1$x$y";
  r.options.expires_at_us = 10;
  FakeFacts f;
  FastRng rng(1);
  const LinkEntry& e = Load(t, r);
  EXPECT_EQ(DecideClick(e, {100, true, false}, f, rng).outcome, ClickOutcome::kPasswordRequired);
  EXPECT_EQ(DecideClick(e, {100, true, true}, f, rng).outcome, ClickOutcome::kGone);
}

TEST(LinkRulesTest, ExpiryGoesToFallbackOrGone) {
  LinkTable t;
  LinkRow r = Base();
  r.options.expires_at_us = 1000;
  FakeFacts f;
  FastRng rng(1);
  EXPECT_EQ(DecideClick(Load(t, r), {999, true, false}, f, rng).outcome, ClickOutcome::kRedirect);
  EXPECT_EQ(DecideClick(Load(t, r), {1000, true, false}, f, rng).outcome, ClickOutcome::kGone);
  r.options.fallback_url = "https://fallback.example/";
  ClickDecision d = DecideClick(Load(t, r), {1000, true, false}, f, rng);
  EXPECT_EQ(d.outcome, ClickOutcome::kFallback);
  EXPECT_EQ(d.destination, "https://fallback.example/");
}

TEST(LinkRulesTest, MaxClicksCountsGetsNotHeads) {
  LinkTable t;
  LinkRow r = Base();
  r.options.max_clicks = 3;
  r.options.fallback_url = "https://fallback.example/";
  t.Apply({r}, nullptr, [](const LinkRow&) { return int64_t{1}; });
  const LinkEntry& e = *t.Current()->Find("s");
  FakeFacts f;
  FastRng rng(1);
  EXPECT_EQ(DecideClick(e, {1, false, false}, f, rng).outcome, ClickOutcome::kRedirect);  // HEAD
  EXPECT_EQ(DecideClick(e, {1, true, false}, f, rng).outcome, ClickOutcome::kRedirect);
  EXPECT_EQ(DecideClick(e, {1, true, false}, f, rng).outcome, ClickOutcome::kRedirect);
  EXPECT_EQ(DecideClick(e, {1, true, false}, f, rng).outcome, ClickOutcome::kFallback);
  EXPECT_EQ(DecideClick(e, {1, false, false}, f, rng).outcome, ClickOutcome::kFallback);
  EXPECT_EQ(e.extras()->clicks->load(), 3);
}

TEST(LinkRulesTest, FirstMatchingRuleWinsAndLooksUpOnlyWhatItNeeds) {
  LinkTable t;
  LinkRow r = Base();
  TargetingRule de;
  de.languages = {"de"};
  de.destination = "https://de.example/";
  TargetingRule us_mobile;
  us_mobile.countries = {"US", "CA"};
  us_mobile.devices = {"mobile"};
  us_mobile.destination = "https://us-mobile.example/";
  TargetingRule ios;
  ios.os = {"ios"};
  ios.destination = "https://ios.example/";
  r.options.rules = {de, us_mobile, ios};
  const LinkEntry& e = Load(t, r);
  FastRng rng(1);
  FakeFacts f;
  f.language = "de";
  f.country = "US";
  f.device = "mobile";
  EXPECT_EQ(DecideClick(e, {1, true, false}, f, rng).destination, "https://de.example/");
  EXPECT_EQ(f.lookups, 1);  // only the language
  f.language = "en";
  EXPECT_EQ(DecideClick(e, {1, true, false}, f, rng).destination, "https://us-mobile.example/");
  f.device = "desktop";
  f.os = "ios";
  EXPECT_EQ(DecideClick(e, {1, true, false}, f, rng).destination, "https://ios.example/");
  f.os = "android";
  EXPECT_EQ(DecideClick(e, {1, true, false}, f, rng).destination, "https://main.example/");
  f.country = "";  // unknown country matches no country rule
  f.device = "mobile";
  EXPECT_EQ(DecideClick(e, {1, true, false}, f, rng).destination, "https://main.example/");
}

TEST(LinkRulesTest, RotationSplitsByWeight) {
  LinkTable t;
  LinkRow r = Base();
  r.options.rotation = {{"https://a.example/", 70}, {"https://b.example/", 30}};
  const LinkEntry& e = Load(t, r);
  FakeFacts f;
  FastRng rng(12345);
  const int n = 100000;
  int a = 0;
  for (int i = 0; i < n; ++i) {
    a += DecideClick(e, {1, true, false}, f, rng).destination == "https://a.example/";
  }
  double sigma = std::sqrt(n * 0.7 * 0.3);
  EXPECT_NEAR(a, n * 0.7, 5 * sigma);
}

TEST(LinkRulesTest, FastRngBelowStaysInRange) {
  FastRng rng(7);
  for (int i = 0; i < 10000; ++i) EXPECT_LT(rng.Below(3), 3u);
}

}  // namespace
}  // namespace ct::edge
