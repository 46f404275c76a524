// The outcome rules of notifier.h, one status class at a time.
#include "notify/attempt_outcome.h"

#include <gtest/gtest.h>

namespace ct::notify {
namespace {

constexpr int64_t kNow = 1'700'000'000'000'000;

class AttemptOutcomeTest : public ::testing::Test {
 protected:
  AttemptOutcomeTest() {
    opt_.retry_schedule = {std::chrono::seconds(10), std::chrono::seconds(60)};
    opt_.jitter = 0;
    row_.id = "msg_x_7";
    row_.postback_id = 7;
  }
  DeliveryOutcome Decide(int status, int attempts_before = 0,
                         std::optional<std::string> retry_after = std::nullopt) {
    row_.attempts = attempts_before;
    AttemptResult r{status, status == 0 ? "timeout after 15000 ms" : "", retry_after, kNow, 1234};
    return DecideOutcome(row_, r, kNow, opt_, rng_);
  }
  NotifierOptions opt_;
  DeliveryRow row_;
  std::mt19937_64 rng_{1};
};

TEST_F(AttemptOutcomeTest, TwoHundredsAreDelivered) {
  for (int s : {200, 201, 204, 299}) {
    auto o = Decide(s);
    EXPECT_EQ(o.state, DeliveryState::kDelivered) << s;
    EXPECT_EQ(o.attempt.error, "");
    EXPECT_EQ(o.attempt.attempt, 1);
    EXPECT_EQ(o.attempt.delivery_id, "msg_x_7");
    EXPECT_EQ(o.attempt.latency_us, 1234);
  }
}

TEST_F(AttemptOutcomeTest, FailuresFollowTheScheduleThenDie) {
  for (int s : {0, 301, 302, 400, 404, 500, 502}) {
    auto first = Decide(s, 0);
    EXPECT_EQ(first.state, DeliveryState::kPending) << s;
    EXPECT_EQ(first.next_attempt_us, kNow + 10'000'000) << s;
    EXPECT_FALSE(first.attempt.error.empty());
    auto second = Decide(s, 1);
    EXPECT_EQ(second.next_attempt_us, kNow + 60'000'000) << s;
    EXPECT_EQ(second.attempt.attempt, 2);
    EXPECT_EQ(Decide(s, 2).state, DeliveryState::kDead) << s;
  }
  EXPECT_NE(Decide(302).attempt.error.find("not followed"), std::string::npos);
  EXPECT_EQ(Decide(0).attempt.error, "timeout after 15000 ms");
  EXPECT_EQ(Decide(500).attempt.error, "HTTP 500");
}

TEST_F(AttemptOutcomeTest, RetryAfterReplacesTheStep) {
  for (int s : {429, 503}) {
    EXPECT_EQ(Decide(s, 0, "120").next_attempt_us, kNow + 120'000'000) << s;
    EXPECT_EQ(Decide(s, 0).next_attempt_us, kNow + 10'000'000) << s;  // no header: the step
    EXPECT_EQ(Decide(s, 0, "garbage").next_attempt_us, kNow + 10'000'000) << s;
    EXPECT_EQ(Decide(s, 2, "5").state, DeliveryState::kDead) << s;  // still bounded
  }
  EXPECT_EQ(Decide(500, 0, "120").next_attempt_us, kNow + 10'000'000);  // only 429/503
}

TEST_F(AttemptOutcomeTest, GoneDisablesThePostback) {
  auto o = Decide(410, 1);
  EXPECT_EQ(o.state, DeliveryState::kPending);
  EXPECT_TRUE(o.disable_postback);
  EXPECT_NE(o.disable_reason.find("410"), std::string::npos);
  EXPECT_EQ(o.next_attempt_us, kNow);
  row_.postback_id = 0;  // a piggyback has no postback to disable
  auto p = Decide(410);
  EXPECT_EQ(p.state, DeliveryState::kDead);
  EXPECT_FALSE(p.disable_postback);
}

}  // namespace
}  // namespace ct::notify
