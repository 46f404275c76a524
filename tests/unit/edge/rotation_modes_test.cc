// Rotation modes (store.h RotationMode) as DecideClick applies them: sequential gives the exact
// round-robin order (weights as runs), HEADs never take a turn; random is uniform whatever the
// weights; spillover fills each destination to its cap — seeded from committed clicks, kept
// across updates — then overflows to the fallback or the last destination; and a targeting
// rule's nested rotation works the same way with counters of its own.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "edge/link_rules.h"

namespace ct::edge {
namespace {

class CountryFacts : public VisitorFacts {
 public:
  std::string country;
  std::string_view Country() override { return country; }
  std::string_view Device() override { return ""; }
  std::string_view Os() override { return ""; }
  std::string_view Browser() override { return ""; }
  std::string_view Language() override { return ""; }
};

LinkRow Rotating(RotationMode mode, std::vector<WeightedDestination> dests) {
  LinkRow r;
  r.id = 1;
  r.account_id = 2;
  r.slug = "rot";
  r.destination = dests[0].url;
  r.options.rotation = std::move(dests);
  r.options.rotation_mode = mode;
  return r;
}

std::string Click(const LinkEntry& e, FastRng& rng, bool get = true) {
  CountryFacts f;
  ClickDecision d = DecideClick(e, {1, get, false}, f, rng);
  EXPECT_EQ(d.outcome, ClickOutcome::kRedirect);
  return std::string(d.destination);
}

TEST(RotationModesTest, SequentialGivesTheExactOrderAndHeadsTakeNoTurn) {
  LinkTable t;
  t.Apply({Rotating(
      RotationMode::kSequential,
      {{"https://a.example/", 1}, {"https://b.example/", 1}, {"https://c.example/", 1}})});
  const LinkEntry& e = *t.Current()->Find("rot");
  FastRng rng(1);
  std::vector<std::string> got;
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(Click(e, rng, /*get=*/false), i % 3 == 0   ? "https://a.example/"
                                            : i % 3 == 1 ? "https://b.example/"
                                                         : "https://c.example/");
    got.push_back(Click(e, rng));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"https://a.example/", "https://b.example/",
                                           "https://c.example/", "https://a.example/",
                                           "https://b.example/", "https://c.example/",
                                           "https://a.example/"}));
}

TEST(RotationModesTest, SequentialWeightsAreRunsAndTheTurnSurvivesAnUpdate) {
  LinkTable t;
  LinkRow r =
      Rotating(RotationMode::kSequential, {{"https://a.example/", 2}, {"https://b.example/", 1}});
  t.Apply({r});
  FastRng rng(1);
  std::string seq;
  for (int i = 0; i < 4; ++i) seq += Click(*t.Current()->Find("rot"), rng)[8];  // a a b a
  EXPECT_EQ(seq, "aaba");
  r.options.utm.source = "x";  // an unrelated change: the rotation keeps its place
  t.Apply({r});
  for (int i = 0; i < 2; ++i) seq += Click(*t.Current()->Find("rot"), rng)[8];
  EXPECT_EQ(seq, "aabaab");  // a reset turn would give "aabaaa"
}

TEST(RotationModesTest, SequentialTakesEveryTurnOnceAcrossThreads) {
  LinkTable t;
  t.Apply({Rotating(RotationMode::kSequential,
                    {{"https://a.example/", 1}, {"https://b.example/", 1}})});
  const LinkEntry& e = *t.Current()->Find("rot");
  constexpr int kPerThread = 5000;
  std::map<std::string, int> counts[4];
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&e, &counts, k] {
      FastRng rng(k);
      for (int i = 0; i < kPerThread; ++i) ++counts[k][Click(e, rng)];
    });
  }
  for (auto& th : threads) th.join();
  int a = 0, b = 0;
  for (auto& c : counts) a += c["https://a.example/"], b += c["https://b.example/"];
  EXPECT_EQ(a, 2 * kPerThread);  // 20000 turns, exactly half each
  EXPECT_EQ(b, 2 * kPerThread);
}

TEST(RotationModesTest, RandomIsUniformWhateverTheWeights) {
  LinkTable t;
  t.Apply({Rotating(RotationMode::kRandom, {{"https://a.example/", 1000},
                                            {"https://b.example/", 1},
                                            {"https://c.example/", 1},
                                            {"https://d.example/", 1}})});
  const LinkEntry& e = *t.Current()->Find("rot");
  FastRng rng(4242);
  constexpr int kPicks = 40000;
  std::map<std::string, int> counts;
  for (int i = 0; i < kPicks; ++i) ++counts[Click(e, rng)];
  ASSERT_EQ(counts.size(), 4u);
  const double p = 0.25, sigma = std::sqrt(kPicks * p * (1 - p));
  for (const auto& [url, n] : counts) EXPECT_NEAR(n, kPicks * p, 5 * sigma) << url;
}

TEST(RotationModesTest, SpilloverFillsEachCapExactlyThenTheLastTakesTheRest) {
  LinkTable t;
  LinkRow r = Rotating(RotationMode::kSpillover,
                       {{"https://a.example/", 1, 3}, {"https://b.example/", 1, 2}});
  t.Apply({r});
  const LinkEntry& e = *t.Current()->Find("rot");
  FastRng rng(1);
  std::string seq;
  for (int i = 0; i < 8; ++i) {
    seq += Click(e, rng, /*get=*/false)[8];  // a HEAD shows where the next GET goes...
    seq += Click(e, rng)[8];                 // ...and only the GET spends
  }
  EXPECT_EQ(seq, "aaaaaabbbbbbbbbb");
  EXPECT_EQ(e.extras()->rotation.taken[0]->load(), 3);
  EXPECT_EQ(e.extras()->rotation.taken[1]->load(), 2);
}

TEST(RotationModesTest, FullSpilloverGoesToTheFallbackWhenTheLinkHasOne) {
  LinkTable t;
  LinkRow r = Rotating(RotationMode::kSpillover,
                       {{"https://a.example/", 1, 1}, {"https://b.example/", 1, 1}});
  r.options.fallback_url = "https://full.example/";
  t.Apply({r});
  const LinkEntry& e = *t.Current()->Find("rot");
  FastRng rng(1);
  CountryFacts f;
  EXPECT_EQ(DecideClick(e, {1, true, false}, f, rng).destination, "https://a.example/");
  EXPECT_EQ(DecideClick(e, {1, true, false}, f, rng).destination, "https://b.example/");
  ClickDecision d = DecideClick(e, {1, true, false}, f, rng);
  EXPECT_EQ(d.outcome, ClickOutcome::kFallback);
  EXPECT_EQ(d.destination, "https://full.example/");
}

TEST(RotationModesTest, SpilloverCapsAreExactUnderConcurrentClicks) {
  LinkTable t;
  t.Apply({Rotating(RotationMode::kSpillover, {{"https://a.example/", 1, 1000},
                                               {"https://b.example/", 1, 3000},
                                               {"https://c.example/", 1, 1}})});
  const LinkEntry& e = *t.Current()->Find("rot");
  std::map<std::string, int> counts[4];
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&e, &counts, k] {
      FastRng rng(k);
      for (int i = 0; i < 1500; ++i) ++counts[k][Click(e, rng)];
    });
  }
  for (auto& th : threads) th.join();
  std::map<std::string, int> total;
  for (auto& c : counts) {
    for (auto& [url, n] : c) total[url] += n;
  }
  EXPECT_EQ(total["https://a.example/"], 1000);
  EXPECT_EQ(total["https://b.example/"], 3000);
  EXPECT_EQ(total["https://c.example/"], 2000);  // 1 by its cap, 1999 as the overflow
}

TEST(RotationModesTest, SpilloverSeedsFromCommittedClicksOnceAndKeepsCountersByUrl) {
  LinkTable t;
  int asked = 0;
  auto seeds = [&asked](const LinkRow&) {
    ++asked;
    return std::unordered_map<std::string, int64_t>{
        {"https://a.example/", 4}, {"https://b.example/", 1}, {"https://other.example/", 99}};
  };
  LinkRow r = Rotating(RotationMode::kSpillover,
                       {{"https://a.example/", 1, 5}, {"https://b.example/", 1, 2}});
  t.Apply({r}, nullptr, nullptr, seeds);
  EXPECT_EQ(asked, 1);
  FastRng rng(1);
  std::string seq;
  for (int i = 0; i < 3; ++i) seq += Click(*t.Current()->Find("rot"), rng)[8];
  EXPECT_EQ(seq, "abb");  // a had 4 of 5 committed, b 1 of 2
  // Reordered, with a new URL in front: a and b keep their counters, c is seeded (0).
  r.options.rotation = {
      {"https://c.example/", 1, 1}, {"https://b.example/", 1, 3}, {"https://a.example/", 1, 5}};
  t.Apply({r}, nullptr, nullptr, seeds);
  EXPECT_EQ(asked, 2);  // once more, for c
  for (int i = 0; i < 3; ++i) seq += Click(*t.Current()->Find("rot"), rng)[8];
  EXPECT_EQ(seq, "abbcba");  // c once, b up to 3, then a stays the last (full)
  // An update that adds nothing new asks nothing.
  r.options.utm.source = "x";
  t.Apply({r}, nullptr, nullptr, seeds);
  EXPECT_EQ(asked, 2);
}

TEST(RotationModesTest, NestedRotationInARuleHasItsOwnModeAndCounters) {
  LinkTable t;
  LinkRow r =
      Rotating(RotationMode::kSequential, {{"https://a.example/", 1}, {"https://b.example/", 1}});
  TargetingRule us;
  us.countries = {"US"};
  us.rotation = {
      {"https://us1.example/", 1}, {"https://us2.example/", 1}, {"https://us3.example/", 1}};
  us.rotation_mode = RotationMode::kSequential;
  us.destination = us.rotation[0].url;
  TargetingRule de;
  de.countries = {"DE"};
  de.rotation = {{"https://de1.example/", 1, 1}, {"https://de2.example/", 1, 1}};
  de.rotation_mode = RotationMode::kSpillover;
  de.destination = de.rotation[0].url;
  TargetingRule fr;
  fr.countries = {"FR"};
  fr.destination = "https://fr.example/";
  r.options.rules = {us, de, fr};
  t.Apply({r});
  const LinkEntry& e = *t.Current()->Find("rot");
  FastRng rng(1);
  CountryFacts f;
  auto go = [&](const char* country) {
    f.country = country;
    return std::string(DecideClick(e, {1, true, false}, f, rng).destination);
  };
  EXPECT_EQ(go("US"), "https://us1.example/");
  EXPECT_EQ(go("GB"), "https://a.example/");  // the link's own rotation, its own turn
  EXPECT_EQ(go("US"), "https://us2.example/");
  EXPECT_EQ(go("DE"), "https://de1.example/");
  EXPECT_EQ(go("US"), "https://us3.example/");
  EXPECT_EQ(go("DE"), "https://de2.example/");
  EXPECT_EQ(go("DE"), "https://de2.example/");  // full: the last one (no fallback)
  EXPECT_EQ(go("FR"), "https://fr.example/");
  EXPECT_EQ(go("GB"), "https://b.example/");
  EXPECT_EQ(go("US"), "https://us1.example/");
}

TEST(RotationModesTest, WeightedStaysTheDefault) {
  LinkRow r;
  EXPECT_EQ(r.options.rotation_mode, RotationMode::kWeighted);
  EXPECT_EQ(RotationModeName(RotationMode::kSpillover), "spillover");
  EXPECT_EQ(ParseRotationMode("sequential"), RotationMode::kSequential);
  EXPECT_FALSE(ParseRotationMode("Sequential").has_value());
}

}  // namespace
}  // namespace ct::edge
