// POST /api/v1/conversions (server-to-server) and GET /api/v1/conversions: the record journaled
// is decoded and checked field by field; bad inputs are refused before anything is journaled.
#include <gtest/gtest.h>

#include "api/conversions_handler.h"
#include "api_fixture.h"

namespace ct::api {
namespace {

namespace json = boost::json;

class ConversionsTest : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    goal_ = CreateGoal(key_a_, R"({"name": "purchase", "currency": "EUR", "value": "5"})");
    other_goal_ = CreateGoal(key_b_, R"({"name": "bob's signup"})");
  }
  int64_t GoalId() const { return goal_.at("id").as_int64(); }
  std::string GoalKey() const { return std::string(goal_.at("key").as_string()); }

  ApiResponse Post(const std::string& body, const std::string& key = "") {
    return Call("POST", "/api/v1/conversions", key.empty() ? key_a_ : key, body, "application/json",
                "shop-backend/1.0");
  }

  json::object goal_, other_goal_;
};

TEST_F(ConversionsTest, JournalsOneEventWithEveryField) {
  const std::string click = ClickId(ids_.Next());
  const int64_t before = clock_.NowMicros();
  ApiResponse r = Post(R"({"goal": )" + std::to_string(GoalId()) + R"(, "click_id": ")" + click +
                       R"(", "value": "12.5", "currency": "EUR", "order_id": "A-1001"})");
  ASSERT_EQ(r.status, 202) << r.body;
  auto body = Json(r);
  EXPECT_EQ(body.at("status").as_string(), "accepted");
  ASSERT_EQ(sink_.appends.size(), 1u);
  auto events = sink_.Events();
  ASSERT_EQ(events.size(), 1u);
  const Event& e = events[0];
  EXPECT_EQ(e.kind, EventKind::kConversion);
  EXPECT_EQ(ClickId(e.id), body.at("conversion_id").as_string());
  EXPECT_EQ(e.time_us, before);
  EXPECT_EQ(e.account_id, account_a_);
  EXPECT_EQ(e.link_id, 0);
  EXPECT_EQ(e.goal_id, GoalId());
  EXPECT_EQ(e.value_micros, 12'500'000);
  EXPECT_EQ(e.flags, kFlagHasValue | kFlagServerToServer);
  EXPECT_EQ(e.currency, "EUR");
  EXPECT_EQ(e.order_id, "A-1001");
  EXPECT_EQ(e.click_ref, click);
  EXPECT_EQ(e.ip, "192.0.2.10");
  EXPECT_EQ(e.user_agent, "shop-backend/1.0");
  EXPECT_EQ(sink_.durable_waits, 0);  // not strict: no fsync wait
}

TEST_F(ConversionsTest, GoalByKeyWithoutValueLeavesTheGoalDefault) {
  ApiResponse r = Post(R"({"goal": ")" + GoalKey() + R"("})");
  ASSERT_EQ(r.status, 202) << r.body;
  auto events = sink_.Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].goal_id, GoalId());
  EXPECT_EQ(events[0].flags, kFlagServerToServer);  // no kFlagHasValue: the goal's default
  EXPECT_EQ(events[0].value_micros, 0);
  EXPECT_EQ(events[0].currency, "");
  EXPECT_EQ(events[0].click_ref, "");
}

TEST_F(ConversionsTest, BadFieldsAre400AndJournalNothing) {
  const std::string g = R"("goal": )" + std::to_string(GoalId());
  const std::string click = ClickId(ids_.Next());
  struct Case {
    std::string fields;
    std::string message_part;
  } cases[] = {
      {R"("value": -1)", "value"},
      {R"("value": "-1")", "value"},
      {R"("value": "1e3")", "value"},
      {R"("value": "NaN")", "value"},
      {R"("value": "12.1234567")", "fraction digits"},
      {R"("value": 1e13)", "at most"},
      {R"("value": "abc")", "value"},
      {R"("value": true)", "value"},
      {R"("currency": "eur")", "currency"},
      {R"("currency": "EURO")", "currency"},
      {R"("currency": "USD")", "not the goal's currency"},
      {R"("currency": 978)", "currency"},
      {R"("order_id": ")" + std::string(129, 'x') + R"(")", "order_id"},
      {R"("order_id": "")", "order_id"},
      {R"("order_id": "a\nb")", "control"},
      {R"("click_id": "abc")", "click_id"},
      {R"("click_id": ")" + click + R"(x")", "click_id"},
      {R"("click_id": ")" + click.substr(0, 21) + R"(!")", "click_id"},
      {R"("click_id": 5)", "click_id"},
      {R"("colour": "red")", "unknown field"},
      {R"("account_id": 1)", "read-only"},
  };
  for (const auto& c : cases) {
    ApiResponse r = Post("{" + g + ", " + c.fields + "}");
    EXPECT_EQ(r.status, 400) << c.fields << " -> " << r.body;
    EXPECT_EQ(ErrorCode(r), "bad_request") << c.fields;
    EXPECT_NE(ErrorMessage(r).find(c.message_part), std::string::npos)
        << c.fields << " -> " << r.body;
  }
  // An order id of exactly 128 bytes is fine.
  EXPECT_EQ(Post("{" + g + R"(, "order_id": ")" + std::string(128, 'x') + R"("})").status, 202);
  EXPECT_EQ(sink_.Events().size(), 1u);
  // The goal itself.
  for (const std::string body :
       {R"({})", R"({"goal": null})", R"({"goal": "short"})", R"({"goal": 0})", R"({"goal": -3})",
        R"({"goal": 1.5})", R"({"goal": ["x"]})"}) {
    EXPECT_EQ(Post(body).status, 400) << body;
  }
  EXPECT_EQ(sink_.Events().size(), 1u);
}

TEST_F(ConversionsTest, AnotherAccountsGoalIs404) {
  const int64_t bobs = other_goal_.at("id").as_int64();
  ApiResponse by_id = Post(R"({"goal": )" + std::to_string(bobs) + "}");
  EXPECT_EQ(by_id.status, 404) << by_id.body;
  EXPECT_EQ(ErrorCode(by_id), "not_found");
  ApiResponse by_key =
      Post(R"({"goal": ")" + std::string(other_goal_.at("key").as_string()) + R"("})");
  EXPECT_EQ(by_key.status, 404) << by_key.body;
  // Unknown goals too, and a deleted one.
  EXPECT_EQ(Post(R"({"goal": 999999})").status, 404);
  EXPECT_EQ(Post(R"({"goal": "ZZZZZZZZZZZZZZZZ"})").status, 404);
  ASSERT_EQ(Call("DELETE", "/api/v1/goals/" + std::to_string(GoalId()), key_a_).status, 204);
  EXPECT_EQ(Post(R"({"goal": )" + std::to_string(GoalId()) + "}").status, 404);
  EXPECT_TRUE(sink_.appends.empty());
  // Bob can use his own.
  EXPECT_EQ(Post(R"({"goal": )" + std::to_string(bobs) + "}", key_b_).status, 202);
}

TEST_F(ConversionsTest, BatchAnswersPerItemAndJournalsTheGoodOnesInOneAppend) {
  const std::string g = std::to_string(GoalId());
  const std::string bobs = std::to_string(other_goal_.at("id").as_int64());
  ApiResponse r = Post(R"({"conversions": [{"goal": )" + g + R"(, "value": 1},
      {"goal": )" + g + R"(, "value": "-1"}, {"goal": )" +
                       bobs + R"(}, "nope",
      {"goal": ")" + GoalKey() +
                       R"(", "order_id": "o-2"}]})");
  ASSERT_EQ(r.status, 202) << r.body;
  auto body = Json(r);
  EXPECT_EQ(body.at("accepted").as_int64(), 2);
  EXPECT_EQ(body.at("rejected").as_int64(), 3);
  const auto& results = body.at("results").as_array();
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0].at("status").as_string(), "accepted");
  EXPECT_EQ(results[1].at("status").as_string(), "rejected");
  EXPECT_EQ(results[1].at("error").at("code").as_string(), "bad_request");
  EXPECT_EQ(results[2].at("error").at("code").as_string(), "not_found");
  EXPECT_EQ(results[3].at("error").at("code").as_string(), "bad_request");
  EXPECT_EQ(results[4].at("status").as_string(), "accepted");
  ASSERT_EQ(sink_.appends.size(), 1u);
  auto events = sink_.Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(ClickId(events[0].id), results[0].at("conversion_id").as_string());
  EXPECT_EQ(events[0].value_micros, 1'000'000);
  EXPECT_EQ(ClickId(events[1].id), results[4].at("conversion_id").as_string());
  EXPECT_EQ(events[1].order_id, "o-2");
  EXPECT_NE(events[0].id, events[1].id);
}

TEST_F(ConversionsTest, BatchLimits) {
  std::string item = R"({"goal": )" + std::to_string(GoalId()) + "}";
  std::string over = R"({"conversions": [)";
  for (size_t i = 0; i <= kMaxBatchConversions; ++i) over += (i ? "," : "") + item;
  over += "]}";
  ApiResponse r = Post(over);
  EXPECT_EQ(r.status, 400) << r.body.substr(0, 200);
  EXPECT_NE(ErrorMessage(r).find("at most 1000"), std::string::npos);
  EXPECT_EQ(Post(R"({"conversions": []})").status, 400);
  EXPECT_EQ(Post(R"({"conversions": {}})").status, 400);
  EXPECT_EQ(Post(R"({"conversions": [], "goal": 1})").status, 400);
  EXPECT_TRUE(sink_.appends.empty());
  // Exactly 1000 is fine, in one append.
  std::string full = R"({"conversions": [)";
  for (size_t i = 0; i < kMaxBatchConversions; ++i) full += (i ? "," : "") + item;
  full += "]}";
  ASSERT_EQ(Post(full).status, 202);
  EXPECT_EQ(sink_.appends.size(), 1u);
  EXPECT_EQ(sink_.Events().size(), kMaxBatchConversions);
}

TEST_F(ConversionsTest, JournalProblemsAre503) {
  const std::string body = R"({"goal": )" + std::to_string(GoalId()) + "}";
  sink_.append_status = Status::IoError("disk full");
  EXPECT_EQ(Post(body).status, 503);
  sink_.append_status = Status::Ok();
  // Strict durability: the answer waits for the fsync, and a failed fsync is a 503.
  options_.strict_durability = true;
  BuildRouter();
  ASSERT_EQ(Post(body).status, 202);
  EXPECT_EQ(sink_.durable_waits, 1);
  sink_.durable_status = Status::IoError("fsync failed");
  EXPECT_EQ(Post(body).status, 503);
  // No sink at all: this process does not take conversions.
  BuildRouter(/*with_events=*/false);
  ApiResponse r = Post(body);
  EXPECT_EQ(r.status, 503) << r.body;
}

TEST_F(ConversionsTest, WrongContentTypeAndBadJson) {
  const std::string body = R"({"goal": )" + std::to_string(GoalId()) + "}";
  EXPECT_EQ(Call("POST", "/api/v1/conversions", key_a_, body, "text/plain").status, 415);
  EXPECT_EQ(Post(R"({"goal": 1, "goal": 2})").status, 400);  // duplicate keys
  EXPECT_EQ(Post(R"({"goal": 1} x)").status, 400);
  EXPECT_EQ(Call("PUT", "/api/v1/conversions", key_a_, body).status, 405);
  EXPECT_EQ(Call("POST", "/api/v1/conversions", "", body).status, 401);
  EXPECT_TRUE(sink_.appends.empty());
}

TEST_F(ConversionsTest, ListParametersAreChecked) {
  for (const char* q :
       {"?goal_id=abc", "?link_id=0", "?limit=0", "?cursor=zz", "?from=yesterday", "?colour=red",
        "?limit=5&limit=6", "?from=2024-01-02T00:00:00Z&to=2024-01-01T00:00:00Z"}) {
    ApiResponse r = Call("GET", std::string("/api/v1/conversions") + q, key_a_);
    EXPECT_EQ(r.status, 400) << q << " " << r.body;
  }
}

}  // namespace
}  // namespace ct::api
