// The api role's live click stream (GET /api/v1/live) in distributed mode: a click answered by
// an edge travels the journal, JetStream and a tracker into PostgreSQL, and the api process,
// which shares nothing with them but the database, streams it (PostgresStore::ListLiveHits);
// a stream resumed after that event's id gets only what followed. Waits are bounded.
#include <chrono>
#include <optional>
#include <string>

#include "distributed_fixture.h"
#include "testutil/json.h"
#include "testutil/sse_client.h"

namespace ct::test {
namespace {

using std::chrono::seconds;

class DistributedLiveTest : public DistributedFixture {
 protected:
  void SetUp() override { SetUpCluster("", 1); }
  std::vector<std::pair<std::string, std::string>> Bearer() {
    return {{"Authorization", "Bearer " + key_}};
  }
  // The next click event: the fixture's readiness probes are HEAD requests to the edge, whose
  // hits may be committed after the stream opened.
  static std::optional<SseEvent> NextClick(SseClient* sse) {
    const auto deadline = std::chrono::steady_clock::now() + seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      auto ev = sse->Next(seconds(60));
      if (!ev) return std::nullopt;
      if (JsonStr(ParseJson(ev->data), "kind") == "click") return ev;
    }
    return std::nullopt;
  }
};

TEST_F(DistributedLiveTest, ClickThroughAnEdgeArrivesOnTheApisLiveStream) {
  SseClient sse(api_->port());
  ASSERT_EQ(sse.Open("/api/v1/live", Bearer()), 200) << sse.body() << Logs();
  HttpClient edge(edge_->port());
  ASSERT_EQ(edge.Request("GET", "/sale").status, 302);
  auto ev = NextClick(&sse);
  ASSERT_TRUE(ev.has_value()) << Logs();
  EXPECT_EQ(ev->event, "hit");
  const int64_t first = std::stoll(ev->id);
  EXPECT_GT(first, 0);
  auto data = ParseJson(ev->data);
  EXPECT_EQ(JsonStr(data, "slug"), "sale");
  EXPECT_EQ(JsonStr(data, "kind"), "click");
  EXPECT_EQ(JsonInt(data, "link_id"), std::stoll(link_.substr(link_.rfind('/') + 1)));
  EXPECT_FALSE(JsonStr(data, "click_id").empty());
  // The same hit as the api's hits list (PostgresStore::ListHits) shows it.
  auto hits = ParseJson(ApiCall(api_->port(), "GET", link_ + "/hits", key_).body);
  EXPECT_EQ(JsonStr(hits.at("hits").at(0), "click_id"), JsonStr(data, "click_id"));

  // A second click; a stream resumed after the first event gets the second only.
  ASSERT_EQ(edge.Request("GET", "/sale").status, 302);
  auto second = NextClick(&sse);
  ASSERT_TRUE(second.has_value()) << Logs();
  EXPECT_GT(std::stoll(second->id), first);
  SseClient resumed(api_->port());
  ASSERT_EQ(resumed.Open("/api/v1/live?after=" + std::to_string(first), Bearer()), 200);
  auto again = NextClick(&resumed);
  ASSERT_TRUE(again.has_value()) << Logs();
  EXPECT_EQ(again->id, second->id);
  EXPECT_EQ(JsonStr(ParseJson(again->data), "click_id"),
            JsonStr(ParseJson(second->data), "click_id"));
}

}  // namespace
}  // namespace ct::test
