// Rotation modes, spillover caps and nested rule rotations in the link object
// (api/link_fields.h) and in the stored options JSON (store/link_options_json.h): what passes,
// what is refused with which message, and that both forms round-trip. Stored options written
// before the modes existed (no "rotation_mode") read as weighted.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/destination.h"
#include "api/link_fields.h"
#include "store/link_options_json.h"

namespace ct::api {
namespace {

namespace json = boost::json;

Result<LinkInput> Parse(std::string_view body) {
  return ParseLinkInput(json::parse(body).as_object(), {"evil.test"});
}

Result<NewLink> Create(std::string_view body) {
  auto in = Parse(body);
  if (!in.ok()) return in.status();
  return MakeNewLink(1, std::move(*in));
}

// The error message of a refused create, or "" if it was accepted.
std::string Refusal(std::string_view body) {
  auto nl = Create(body);
  if (nl.ok()) return "";
  EXPECT_EQ(nl.status().code(), StatusCode::kInvalidArgument) << body;
  return nl.status().message();
}

TEST(RotationFields, ModesAndCapsAreAccepted) {
  auto nl = Create(R"({"destinations": [{"url": "https://a.example/", "cap": 100},
                                        {"url": "https://b.example/", "cap": 5}],
                       "rotation_mode": "spillover"})");
  ASSERT_TRUE(nl.ok()) << nl.status().ToString();
  EXPECT_EQ(nl->options.rotation_mode, RotationMode::kSpillover);
  EXPECT_EQ(nl->options.rotation[0].cap, 100);
  EXPECT_EQ(nl->options.rotation[1].cap, 5);
  EXPECT_EQ(nl->destination, "https://a.example/");
  for (std::string_view mode : {"weighted", "sequential", "random"}) {
    nl = Create(R"({"destinations": [{"url": "https://a.example/"}, {"url": "https://b.example/"}],
                    "rotation_mode": ")" +
                std::string(mode) + R"("})");
    ASSERT_TRUE(nl.ok()) << mode << ": " << nl.status().ToString();
    EXPECT_EQ(RotationModeName(nl->options.rotation_mode), mode);
  }
  // Without a mode: weighted, as before.
  nl =
      Create(R"({"destinations": [{"url": "https://a.example/"}, {"url": "https://b.example/"}]})");
  ASSERT_TRUE(nl.ok());
  EXPECT_EQ(nl->options.rotation_mode, RotationMode::kWeighted);
}

TEST(RotationFields, BadModesAndCapsAreRefusedWithClearMessages) {
  const std::string two = R"([{"url": "https://a.example/"}, {"url": "https://b.example/"}])";
  EXPECT_EQ(Refusal(R"({"destinations": )" + two + R"(, "rotation_mode": "roundrobin"})"),
            "rotation_mode must be one of weighted, sequential, random, spillover");
  EXPECT_EQ(Refusal(R"({"destinations": )" + two + R"(, "rotation_mode": 1})"),
            "rotation_mode must be one of weighted, sequential, random, spillover");
  EXPECT_EQ(Refusal(R"({"destination": "https://a.example/", "rotation_mode": "sequential"})"),
            "rotation_mode needs destinations");
  EXPECT_EQ(Refusal(R"({"destinations": )" + two + R"(, "rotation_mode": "spillover"})"),
            "destinations[0].cap is required (1..1000000000) with rotation_mode spillover");
  EXPECT_EQ(Refusal(R"({"destinations": [{"url": "https://a.example/", "cap": 1},
                                          {"url": "https://b.example/"}],
                        "rotation_mode": "spillover"})"),
            "destinations[1].cap is required (1..1000000000) with rotation_mode spillover");
  EXPECT_EQ(Refusal(R"({"destinations": [{"url": "https://a.example/", "cap": 1},
                                          {"url": "https://b.example/"}]})"),
            "destinations[0].cap is only for rotation_mode spillover");
  EXPECT_EQ(Refusal(R"({"destinations": [{"url": "https://a.example/", "cap": 0},
                                          {"url": "https://b.example/", "cap": 1}],
                        "rotation_mode": "spillover"})"),
            "destinations[0].cap is required (1..1000000000) with rotation_mode spillover");
  EXPECT_EQ(Refusal(R"({"destinations": [{"url": "https://a.example/", "cap": -1},
                                          {"url": "https://b.example/", "cap": 1}],
                        "rotation_mode": "spillover"})"),
            "destinations[0].cap must be 1..1000000000");
  EXPECT_EQ(Refusal(R"({"destinations": [{"url": "https://a.example/", "cap": 1000000001},
                                          {"url": "https://b.example/", "cap": 1}],
                        "rotation_mode": "spillover"})"),
            "destinations[0].cap must be 1..1000000000");
  EXPECT_EQ(Refusal(R"({"destinations": [{"url": "https://a.example/", "cap": "5"},
                                          {"url": "https://b.example/", "cap": 1}],
                        "rotation_mode": "spillover"})"),
            "destinations[0].cap must be an integer");
  EXPECT_EQ(Refusal(R"({"destinations": [{"url": "https://a.example/", "cap": 2},
                                          {"url": "https://A.example/", "cap": 1}],
                        "rotation_mode": "spillover"})"),
            "destinations[1].url repeats destinations[0].url; spillover counts clicks per URL");
}

TEST(RotationFields, NestedRuleRotations) {
  auto nl = Create(R"({"destination": "https://main.example/",
    "rules": [{"countries": ["us"], "rotation": [{"url": "https://u1.example/", "cap": 2},
                                                  {"url": "https://u2.example/", "cap": 3}],
               "rotation_mode": "spillover"},
              {"countries": ["DE"], "rotation": [{"url": "https://d1.example/"},
                                                  {"url": "https://d2.example/", "weight": 3}]},
              {"os": ["ios"], "destination": "https://ios.example/"}]})");
  ASSERT_TRUE(nl.ok()) << nl.status().ToString();
  const auto& rules = nl->options.rules;
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].rotation_mode, RotationMode::kSpillover);
  EXPECT_EQ(rules[0].rotation[1].cap, 3);
  EXPECT_EQ(rules[0].destination, "https://u1.example/");  // the first entry, for listings
  EXPECT_EQ(rules[1].rotation_mode, RotationMode::kWeighted);
  EXPECT_EQ(rules[1].rotation[1].weight, 3);
  EXPECT_TRUE(rules[2].rotation.empty());

  EXPECT_EQ(Refusal(R"({"destination": "https://m.example/", "rules": [{"countries": ["US"],
      "destination": "https://x.example/", "rotation": [{"url": "https://a.example/"},
                                                         {"url": "https://b.example/"}]}]})"),
            "rules[0] has both destination and rotation; give one");
  EXPECT_EQ(Refusal(R"({"destination": "https://m.example/", "rules": [{"countries": ["US"],
      "rotation": [{"url": "https://a.example/"}]}]})"),
            "rules[0].rotation needs at least 2 entries (or [] for none)");
  EXPECT_EQ(Refusal(R"({"destination": "https://m.example/", "rules": [{"countries": ["US"],
      "rotation": []}]})"),
            "rules[0].rotation needs at least 2 entries");
  EXPECT_EQ(Refusal(R"({"destination": "https://m.example/", "rules": [{"countries": ["US"],
      "destination": "https://x.example/", "rotation_mode": "random"}]})"),
            "rules[0].rotation_mode needs rules[0].rotation");
  EXPECT_EQ(Refusal(R"({"destination": "https://m.example/", "rules": [{"countries": ["US"],
      "rotation": [{"url": "https://a.example/"}, {"url": "https://b.example/"}],
      "rotation_mode": "spillover"}]})"),
            "rules[0].rotation[0].cap is required (1..1000000000) with rules[0].rotation_mode "
            "spillover");
  EXPECT_EQ(Refusal(R"({"destination": "https://m.example/", "rules": [{"countries": ["US"],
      "rotation": [{"url": "https://a.example/"}, {"url": "ftp://b.example/"}]}]})")
                .find("rules[0].rotation[1].url"),
            0u);
  auto blocked = Create(R"({"destination": "https://m.example/", "rules": [{"countries": ["US"],
      "rotation": [{"url": "https://a.example/"}, {"url": "https://evil.test/x"}]}]})");
  ASSERT_FALSE(blocked.ok());
  EXPECT_TRUE(IsBlockedHost(blocked.status()));
  // One level only: a rotation entry is a destination, never a rule.
  EXPECT_NE(Refusal(R"({"destination": "https://m.example/", "rules": [{"countries": ["US"],
      "rotation": [{"url": "https://a.example/", "rules": []}, {"url": "https://b.example/"}]}]})"),
            "");
}

TEST(RotationFields, PatchModeAloneDropsCapsThatNoLongerApply) {
  LinkRow current;
  current.destination = "https://a.example/";
  current.options.rotation = {{"https://a.example/", 1, 5}, {"https://b.example/", 1, 5}};
  current.options.rotation_mode = RotationMode::kSpillover;
  auto in = Parse(R"({"rotation_mode": "sequential"})");
  ASSERT_TRUE(in.ok());
  auto up = MakeLinkUpdate(current, std::move(*in));
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->options->rotation_mode, RotationMode::kSequential);
  EXPECT_EQ(up->options->rotation[0].cap, 0);
  // Back to spillover without caps: refused, naming the field.
  current = LinkRow{};
  current.destination = "https://a.example/";
  current.options.rotation = {{"https://a.example/", 1}, {"https://b.example/", 1}};
  in = Parse(R"({"rotation_mode": "spillover"})");
  ASSERT_TRUE(in.ok());
  up = MakeLinkUpdate(current, std::move(*in));
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.status().message(),
            "destinations[0].cap is required (1..1000000000) with rotation_mode spillover");
  // "destinations": [] stops rotating whatever the mode was.
  current.options.rotation_mode = RotationMode::kRandom;
  in = Parse(R"({"destinations": []})");
  ASSERT_TRUE(in.ok());
  up = MakeLinkUpdate(current, std::move(*in));
  ASSERT_TRUE(up.ok());
  EXPECT_TRUE(up->options->rotation.empty());
  EXPECT_EQ(up->options->rotation_mode, RotationMode::kWeighted);
}

TEST(RotationFields, TheLinkObjectRoundTrips) {
  auto nl = Create(R"({"destinations": [{"url": "https://a.example/", "cap": 7},
                                        {"url": "https://b.example/", "cap": 9}],
                       "rotation_mode": "spillover",
                       "rules": [{"countries": ["US"], "rotation": [{"url": "https://u1.example/"},
                                 {"url": "https://u2.example/"}], "rotation_mode": "sequential"}]})");
  ASSERT_TRUE(nl.ok()) << nl.status().ToString();
  LinkRow row;
  row.id = 1;
  row.slug = "x";
  row.destination = nl->destination;
  row.options = nl->options;
  json::object out = LinkToJson(row, "http://127.0.0.1");
  EXPECT_EQ(std::string(out["rotation_mode"].as_string()), "spillover");
  EXPECT_EQ(json::serialize(out["destinations"]),
            R"([{"url":"https://a.example/","weight":1,"cap":7},)"
            R"({"url":"https://b.example/","weight":1,"cap":9}])");
  EXPECT_EQ(json::serialize(out["rules"]),
            R"([{"countries":["US"],"rotation":[{"url":"https://u1.example/","weight":1},)"
            R"({"url":"https://u2.example/","weight":1}],"rotation_mode":"sequential"}])");
  // What GET shows can be sent back as it is.
  json::object back{{"destinations", out["destinations"]},
                    {"rotation_mode", out["rotation_mode"]},
                    {"rules", out["rules"]}};
  auto again = Create(json::serialize(back));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(EncodeLinkOptions(again->options), EncodeLinkOptions(nl->options));
}

TEST(RotationFields, StoredOptionsRoundTripAndOldOnesReadAsWeighted) {
  LinkOptions o;
  o.rotation = {{"https://a.example/", 1, 3}, {"https://b.example/", 2, 4}};
  o.rotation_mode = RotationMode::kSpillover;
  TargetingRule r;
  r.countries = {"US"};
  r.rotation = {{"https://u1.example/", 1}, {"https://u2.example/", 5}};
  r.rotation_mode = RotationMode::kRandom;
  r.destination = r.rotation[0].url;
  o.rules = {r};
  const std::string text = EncodeLinkOptions(o);
  Result<LinkOptions> back = DecodeLinkOptions(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->rotation_mode, RotationMode::kSpillover);
  EXPECT_EQ(back->rotation[1].cap, 4);
  ASSERT_EQ(back->rules.size(), 1u);
  EXPECT_EQ(back->rules[0].rotation_mode, RotationMode::kRandom);
  EXPECT_EQ(back->rules[0].rotation[1].weight, 5);
  EXPECT_EQ(back->rules[0].destination, "https://u1.example/");
  EXPECT_EQ(EncodeLinkOptions(*back), text);
  // As written before this build: no mode anywhere.
  back = DecodeLinkOptions(
      R"({"destinations":[{"url":"https://a.example/","weight":3},{"url":"https://b.example/","weight":1}],)"
      R"("rules":[{"countries":["US"],"destination":"https://us.example/"}]})");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->rotation_mode, RotationMode::kWeighted);
  EXPECT_EQ(back->rotation[0].cap, 0);
  EXPECT_TRUE(back->rules[0].rotation.empty());
  EXPECT_EQ(back->rules[0].destination, "https://us.example/");
  EXPECT_FALSE(DecodeLinkOptions(R"({"rotation_mode":"nope"})").ok());
}

}  // namespace
}  // namespace ct::api
