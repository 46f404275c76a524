// Report completeness in distributed mode (api/edge_completeness.h): complete_until is the
// slowest live edge's committed-through time less the in-flight second; stopped and stale edges
// are not waited for, an outage of everything is not "stale"; a silent store keeps the last
// answer, which ages.
#include "api/edge_completeness.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store/forwarding_store.h"

namespace ct::api {
namespace {

using std::chrono::seconds;
constexpr int64_t kS = 1'000'000;
constexpr int64_t kNow = 1'704'067'200'000'000;  // 2024-01-01T00:00:00Z

EdgeProgress Edge(std::string id, int64_t through, int64_t updated, bool stopped = false) {
  return {std::move(id), 100, through, updated, stopped};
}

TEST(CompletenessFromEdgesTest, TheSlowestLiveEdgeLessTheInFlightSecond) {
  Completeness c = CompletenessFromEdges(
      {Edge("a", kNow - 2 * kS, kNow), Edge("b", kNow - 3 * kS, kNow)}, kNow, seconds(600), "");
  EXPECT_EQ(c.complete_until_us, kNow - 4 * kS);
  EXPECT_EQ(c.lagging_stage, "");
  // No edge: only the in-flight second.
  EXPECT_EQ(CompletenessFromEdges({}, kNow, seconds(600), "").complete_until_us, kNow - kS);
  // An edge stamped ahead of our clock does not make the reports claim the future.
  EXPECT_EQ(CompletenessFromEdges({Edge("a", kNow + 60 * kS, kNow)}, kNow, seconds(600), "")
                .complete_until_us,
            kNow - kS);
}

TEST(CompletenessFromEdgesTest, BehindByMoreThanFiveSecondsNamesTheEdge) {
  Completeness c = CompletenessFromEdges(
      {Edge("fast", kNow - kS, kNow), Edge("slow", kNow - 30 * kS, kNow - kS)}, kNow, seconds(600),
      "");
  EXPECT_EQ(c.complete_until_us, kNow - 31 * kS);
  EXPECT_EQ(c.lagging_stage, "pipeline");
  EXPECT_NE(c.lagging_reason.find("edge slow is committed through 2023-12-31T23:59:30"),
            std::string::npos)
      << c.lagging_reason;
  // The store not answering is the stage to blame.
  c = CompletenessFromEdges({Edge("slow", kNow - 30 * kS, kNow - 30 * kS)}, kNow, seconds(600),
                            "unavailable: connection refused");
  EXPECT_EQ(c.lagging_stage, "store");
  EXPECT_EQ(c.lagging_reason, "unavailable: connection refused");
}

TEST(CompletenessFromEdgesTest, StoppedAndStaleEdgesAreNotWaitedFor) {
  std::vector<std::string> stale;
  Completeness c = CompletenessFromEdges(
      {Edge("live", kNow - 2 * kS, kNow), Edge("stopped", kNow - 3600 * kS, kNow - 3600 * kS, true),
       Edge("gone", kNow - 700 * kS, kNow - 700 * kS),
       Edge("young", kNow - 500 * kS, kNow - 500 * kS)},
      kNow, seconds(600), "", &stale);
  // "gone" stopped moving 700 s before "live" did; "young" only 500 s: still waited for.
  EXPECT_EQ(c.complete_until_us, kNow - 501 * kS);
  EXPECT_EQ(stale, std::vector<std::string>{"gone"});
}

TEST(CompletenessFromEdgesTest, AnOutageOfEverythingIsNotStaleness) {
  // Every watermark stopped an hour ago (the store or the bus down): all are waited for.
  std::vector<std::string> stale;
  Completeness c = CompletenessFromEdges({Edge("a", kNow - 3600 * kS, kNow - 3600 * kS),
                                          Edge("b", kNow - 3602 * kS, kNow - 3601 * kS)},
                                         kNow, seconds(600), "", &stale);
  EXPECT_EQ(c.complete_until_us, kNow - 3603 * kS);
  EXPECT_TRUE(stale.empty());
}

// A store whose edge progress the test sets, or fails.
class ProgressStore : public StoreWrapper {
 public:
  ProgressStore() : StoreWrapper(nullptr) {}
  Result<std::vector<EdgeProgress>> ListEdgeProgress() override {
    std::lock_guard lock(mu_);
    if (!error_.ok()) return error_;
    return edges_;
  }
  void Set(std::vector<EdgeProgress> edges, Status error = Status::Ok()) {
    std::lock_guard lock(mu_);
    edges_ = std::move(edges);
    error_ = std::move(error);
  }

 private:
  std::mutex mu_;
  std::vector<EdgeProgress> edges_;
  Status error_ = Status::Ok();
};

TEST(EdgeCompletenessTest, PollsTheStoreAndKeepsTheLastAnswerWhileItIsSilent) {
  FakeClock clock(kNow);
  MetricsRegistry metrics;
  ProgressStore store;
  store.Set({}, Status::Unavailable("connection refused"));
  EdgeCompleteness source(&store, {.poll = std::chrono::milliseconds(10)}, &clock, &metrics);
  source.Start();
  // Never answered: nothing is known to be complete.
  EXPECT_EQ(source.Now().complete_until_us, 0);
  EXPECT_EQ(source.Now().lagging_stage, "store");

  store.Set({Edge("a", kNow - kS, kNow)});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (source.Now().complete_until_us != kNow - 2 * kS &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(source.Now().complete_until_us, kNow - 2 * kS);

  // The store goes silent: the last answer stands while time passes, and the store is blamed.
  store.Set({}, Status::Unavailable("timeout"));
  while (source.Now().lagging_stage != "store" && std::chrono::steady_clock::now() < deadline) {
    clock.Advance(std::chrono::seconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const Completeness c = source.Now();
  EXPECT_EQ(c.complete_until_us, kNow - 2 * kS);
  EXPECT_EQ(c.lagging_stage, "store");
  EXPECT_NE(c.lagging_reason.find("timeout"), std::string::npos) << c.lagging_reason;
  source.Stop();
}

}  // namespace
}  // namespace ct::api
