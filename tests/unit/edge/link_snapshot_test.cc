// The link snapshot's file: every field of links (options included), goals and domains survives
// a round trip, and a damaged or foreign file is refused with a reason rather than half-read.
#include "edge/link_snapshot.h"

#include <gtest/gtest.h>

namespace ct::edge {
namespace {

LinkChanges FullState() {
  LinkRow l;
  l.id = 42;
  l.account_id = 3;
  l.domain = "go.example.com";
  l.slug = "spring";
  l.destination = "https://shop.example/a";
  l.title = "Spring \"sale\" <b>";
  l.tags = {"email", "spring"};
  l.group = "campaign";
  l.options.rotation = {{"https://shop.example/a", 3, 0}, {"https://shop.example/b", 1, 0}};
  l.options.rotation_mode = RotationMode::kSequential;
  TargetingRule rule;
  rule.countries = {"US", "CA"};
  rule.devices = {"mobile"};
  rule.destination = "https://m.example/";
  l.options.rules = {rule};
  l.options.expires_at_us = 1'900'000'000'000'000;
  l.options.max_clicks = 500;
  l.options.fallback_url = "https://shop.example/over";
  l.options.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$abc$def";
  l.options.forward_query = true;
  l.options.utm.source = "newsletter";
  l.created_at_us = 1;
  l.updated_at_us = 2;
  l.version = 9;
  l.kind = LinkKind::kLink;
  l.imported_from = "bitly";
  l.imported_clicks = 1234;
  LinkRow pixel;
  pixel.id = 43;
  pixel.account_id = 3;
  pixel.slug = "px";
  pixel.kind = LinkKind::kPixel;
  pixel.version = 10;
  GoalRow g;
  g.id = 5;
  g.account_id = 3;
  g.key = "ABCDEFGHIJKLMNOP";
  g.name = "Purchase";
  g.default_value_micros = 12'500'000;
  g.currency = "EUR";
  g.window_seconds = 3600;
  g.counting = ConversionCounting::kOncePerOrder;
  g.attribution = AttributionModel::kFirstClick;
  g.piggyback_urls = {"https://partner.example/px?cid={click_id}"};
  g.version = 11;
  LinkChanges c;
  c.links = {l, pixel};
  c.goals = {g};
  c.domains = {{7, 3, "go.example.com", 99}};
  c.max_version = 11;
  return c;
}

TEST(LinkSnapshotTest, EveryFieldRoundTrips) {
  const LinkChanges in = FullState();
  auto out = LinkSnapshot::Decode(LinkSnapshot::Encode(in));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->max_version, 11);
  ASSERT_EQ(out->links.size(), 2u);
  const LinkRow& a = in.links[0];
  const LinkRow& b = out->links[0];
  EXPECT_EQ(b.id, a.id);
  EXPECT_EQ(b.account_id, a.account_id);
  EXPECT_EQ(b.domain, a.domain);
  EXPECT_EQ(b.slug, a.slug);
  EXPECT_EQ(b.destination, a.destination);
  EXPECT_EQ(b.title, a.title);
  EXPECT_EQ(b.tags, a.tags);
  EXPECT_EQ(b.group, a.group);
  ASSERT_EQ(b.options.rotation.size(), 2u);
  EXPECT_EQ(b.options.rotation[1].url, "https://shop.example/b");
  EXPECT_EQ(b.options.rotation[0].weight, 3);
  EXPECT_EQ(b.options.rotation_mode, RotationMode::kSequential);
  ASSERT_EQ(b.options.rules.size(), 1u);
  EXPECT_EQ(b.options.rules[0].countries, a.options.rules[0].countries);
  EXPECT_EQ(b.options.rules[0].destination, "https://m.example/");
  EXPECT_EQ(b.options.expires_at_us, a.options.expires_at_us);
  EXPECT_EQ(b.options.max_clicks, 500);
  EXPECT_EQ(b.options.fallback_url, a.options.fallback_url);
  EXPECT_EQ(b.options.password_hash, a.options.password_hash);
  EXPECT_TRUE(b.options.forward_query);
  EXPECT_EQ(b.options.utm.source, "newsletter");
  EXPECT_EQ(b.created_at_us, 1);
  EXPECT_EQ(b.updated_at_us, 2);
  EXPECT_EQ(b.version, 9);
  EXPECT_EQ(b.imported_from, "bitly");
  EXPECT_EQ(b.imported_clicks, std::optional<int64_t>(1234));
  EXPECT_EQ(out->links[1].kind, LinkKind::kPixel);
  EXPECT_FALSE(out->links[1].imported_clicks.has_value());
  ASSERT_EQ(out->goals.size(), 1u);
  const GoalRow& g = out->goals[0];
  EXPECT_EQ(g.key, "ABCDEFGHIJKLMNOP");
  EXPECT_EQ(g.name, "Purchase");
  EXPECT_EQ(g.default_value_micros, 12'500'000);
  EXPECT_EQ(g.currency, "EUR");
  EXPECT_EQ(g.window_seconds, 3600);
  EXPECT_EQ(g.counting, ConversionCounting::kOncePerOrder);
  EXPECT_EQ(g.attribution, AttributionModel::kFirstClick);
  EXPECT_EQ(g.piggyback_urls, in.goals[0].piggyback_urls);
  ASSERT_EQ(out->domains.size(), 1u);
  EXPECT_EQ(out->domains[0].host, "go.example.com");
  EXPECT_EQ(out->domains[0].id, 7);
}

TEST(LinkSnapshotTest, MergeDropsDeletedRowsAndKeepsDomainsUnlessReplaced) {
  LinkSnapshot s("/nonexistent/unused");
  s.Merge(FullState(), true);
  EXPECT_EQ(s.links(), 2u);
  LinkChanges change;
  LinkRow gone = FullState().links[1];
  gone.deleted = true;
  gone.version = 12;
  change.links = {gone};
  change.max_version = 12;
  s.Merge(change, false);
  EXPECT_EQ(s.links(), 1u);
  EXPECT_EQ(s.version(), 12);
  auto decoded = LinkSnapshot::Decode(LinkSnapshot::Encode(FullState()));
  ASSERT_TRUE(decoded.ok());
}

TEST(LinkSnapshotTest, DamagedOrForeignFilesAreRefusedWithAReason) {
  const std::string good = LinkSnapshot::Encode(FullState());
  for (const std::string& bad :
       {std::string(""), std::string("not json"), std::string("[]"),
        std::string(R"({"format": 2, "version": 1, "links": [], "goals": [], "domains": []})"),
        std::string(R"({"format": 1, "links": [], "goals": [], "domains": []})"),
        std::string(R"({"format": 1, "version": 1, "goals": [], "domains": []})"),
        std::string(
            R"({"format": 1, "version": 1, "links": [{"id": 1}], "goals": [], "domains": []})"),
        std::string(
            R"({"format": 1, "version": 1, "links": [], "goals": [{"id": "x"}], "domains": []})"),
        good.substr(0, good.size() / 2)}) {
    auto r = LinkSnapshot::Decode(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << bad;
      EXPECT_NE(r.status().message().find("link snapshot"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace ct::edge
