// GET /api/v1/live over real sockets against the real binary: a click shows up as an event,
// the link filter and account isolation hold, Last-Event-ID / after= resume without gaps or
// repeats, the stream survives the idle timeout (with pings) and ends when the server stops or
// the client leaves, and api.max_streams is enforced. Waits are bounded by generous deadlines;
// no assertion depends on how fast anything is.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "testutil/api_helpers.h"
#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/server.h"
#include "testutil/sse_client.h"

namespace ct::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr seconds kEventDeadline{20};

std::vector<std::pair<std::string, std::string>> Bearer(const std::string& key) {
  return {{"Authorization", "Bearer " + key}};
}

int64_t IdOf(const std::string& link_path) {
  return std::stoll(link_path.substr(link_path.rfind('/') + 1));
}

// Waits until the link's stats count `n` clicks (committed), within a generous deadline.
bool WaitCommitted(uint16_t port, const std::string& key, const std::string& path, int64_t n) {
  auto deadline = std::chrono::steady_clock::now() + seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (LinkTotal(port, key, path) >= n) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return false;
}

class LiveE2eTest : public ::testing::Test {
 protected:
  void StartServer(std::vector<std::string> args = {}) {
    server_ = std::make_unique<ServerHarness>(std::move(args));
    key_ = server_->CreateAccount("a");
    ASSERT_FALSE(key_.empty());
    ASSERT_TRUE(server_->Start()) << server_->Log();
  }
  uint16_t port() const { return server_->port(); }
  void Click(const std::string& slug) {
    HttpClient c(port());
    ASSERT_EQ(c.Request("GET", "/" + slug).status, 302);
  }

  std::unique_ptr<ServerHarness> server_;
  std::string key_;
};

TEST_F(LiveE2eTest, ClickArrivesAsAnEvent) {
  StartServer();
  std::string path = CreateLinkPath(port(), key_, "lv", "https://example.com/landing");
  SseClient sse(port());
  ASSERT_EQ(sse.Open("/api/v1/live", Bearer(key_)), 200);
  EXPECT_EQ(sse.Header("content-type"), "text/event-stream");
  EXPECT_EQ(sse.Header("cache-control"), "no-store");
  EXPECT_EQ(sse.Header("content-length"), "");
  Click("lv");
  auto ev = sse.Next(kEventDeadline);
  ASSERT_TRUE(ev.has_value()) << server_->Log();
  // The stream opens with the reconnect delay for EventSource, once.
  EXPECT_EQ(sse.retries(), 1);
  EXPECT_EQ(sse.retry(), "2000");
  EXPECT_EQ(ev->event, "hit");
  EXPECT_GT(std::stoll(ev->id), 0);
  auto data = ParseJson(ev->data);
  EXPECT_EQ(JsonInt(data, "link_id"), IdOf(path));
  EXPECT_EQ(JsonStr(data, "slug"), "lv");
  EXPECT_EQ(JsonStr(data, "short_url"),
            JsonStr(ParseJson(ApiCall(port(), "GET", path, key_).body), "short_url"));
  EXPECT_TRUE(JsonStr(data, "short_url").ends_with("/lv"));
  EXPECT_EQ(JsonStr(data, "kind"), "click");
  EXPECT_EQ(JsonStr(data, "destination"), "https://example.com/landing");
  EXPECT_EQ(JsonStr(data, "ip"), "127.0.0.1");
  EXPECT_FALSE(JsonStr(data, "click_id").empty());
  EXPECT_FALSE(JsonStr(data, "time").empty());
  // The same hit as the hits list shows it.
  auto hits = ParseJson(ApiCall(port(), "GET", path + "/hits", key_).body);
  EXPECT_EQ(JsonStr(hits.at("hits").at(0), "click_id"), JsonStr(data, "click_id"));
}

TEST_F(LiveE2eTest, StartsAfterWhatWasCommittedBefore) {
  StartServer();
  std::string path = CreateLinkPath(port(), key_, "old");
  CreateLinkPath(port(), key_, "new");
  Click("old");
  ASSERT_TRUE(WaitCommitted(port(), key_, path, 1));
  SseClient sse(port());
  ASSERT_EQ(sse.Open("/api/v1/live", Bearer(key_)), 200);
  Click("new");
  auto ev = sse.Next(kEventDeadline);
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(JsonStr(ParseJson(ev->data), "slug"), "new");
}

TEST_F(LiveE2eTest, LinkFilterShowsOnlyThatLink) {
  StartServer();
  std::string a = CreateLinkPath(port(), key_, "fa");
  std::string b = CreateLinkPath(port(), key_, "fb");
  SseClient sse(port());
  ASSERT_EQ(sse.Open("/api/v1/live?link_id=" + std::to_string(IdOf(a)), Bearer(key_)), 200);
  // b's clicks are committed before a's: had they leaked, they would come first.
  for (int i = 0; i < 3; ++i) Click("fb");
  ASSERT_TRUE(WaitCommitted(port(), key_, b, 3));
  Click("fa");
  auto ev = sse.Next(kEventDeadline);
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(JsonInt(ParseJson(ev->data), "link_id"), IdOf(a));

  // A link id that is not the account's is a 404, as everywhere.
  SseClient bad(port());
  EXPECT_EQ(bad.Open("/api/v1/live?link_id=999999", Bearer(key_)), 404);
  EXPECT_EQ(bad.Open("/api/v1/live?link_id=x", Bearer(key_)), 404);
  EXPECT_EQ(bad.Open("/api/v1/live?after=-1", Bearer(key_)), 400);
  EXPECT_EQ(bad.Open("/api/v1/live?nope=1", Bearer(key_)), 400);
  EXPECT_EQ(bad.Open("/api/v1/live", {}), 401);
}

TEST_F(LiveE2eTest, AnotherAccountsClicksNeverAppear) {
  StartServer();
  std::string other_key = server_->CreateAccount("b");
  ASSERT_FALSE(other_key.empty());
  std::string mine = CreateLinkPath(port(), key_, "mine");
  std::string theirs = CreateLinkPath(port(), other_key, "theirs");
  SseClient sse(port());
  ASSERT_EQ(sse.Open("/api/v1/live", Bearer(key_)), 200);
  for (int i = 0; i < 5; ++i) Click("theirs");
  ASSERT_TRUE(WaitCommitted(port(), other_key, theirs, 5));
  Click("mine");
  auto ev = sse.Next(kEventDeadline);
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(JsonStr(ParseJson(ev->data), "slug"), "mine");
  // Nor may another account's link be named.
  SseClient probe(port());
  EXPECT_EQ(probe.Open("/api/v1/live?link_id=" + std::to_string(IdOf(theirs)), Bearer(key_)), 404);
}

TEST_F(LiveE2eTest, ResumeWithLastEventIdHasNoGapAndNoRepeat) {
  StartServer();
  std::string path = CreateLinkPath(port(), key_, "rs");
  SseClient sse(port());
  ASSERT_EQ(sse.Open("/api/v1/live", Bearer(key_)), 200);
  constexpr int kClicks = 12;
  for (int i = 0; i < kClicks; ++i) Click("rs");
  ASSERT_TRUE(WaitCommitted(port(), key_, path, kClicks));
  // Read a few, drop the connection, resume from the last id seen.
  std::vector<SseEvent> seen;
  for (int i = 0; i < 4; ++i) {
    auto ev = sse.Next(kEventDeadline);
    ASSERT_TRUE(ev.has_value());
    seen.push_back(*ev);
  }
  sse.Close();
  SseClient again(port());
  auto headers = Bearer(key_);
  headers.emplace_back("Last-Event-ID", seen.back().id);
  ASSERT_EQ(again.Open("/api/v1/live", headers), 200);
  while (seen.size() < kClicks) {
    auto ev = again.Next(kEventDeadline);
    ASSERT_TRUE(ev.has_value()) << "after " << seen.size() << " events";
    seen.push_back(*ev);
  }
  std::set<std::string> click_ids;
  for (size_t i = 0; i < seen.size(); ++i) {
    click_ids.insert(JsonStr(ParseJson(seen[i].data), "click_id"));
    if (i > 0) {
      EXPECT_GT(std::stoll(seen[i].id), std::stoll(seen[i - 1].id));
    }
  }
  EXPECT_EQ(click_ids.size(), static_cast<size_t>(kClicks));  // every click, once
  // The hits list has exactly these clicks.
  auto hits = ParseJson(ApiCall(port(), "GET", path + "/hits", key_).body).at("hits").as_array();
  ASSERT_EQ(hits.size(), static_cast<size_t>(kClicks));
  for (const auto& h : hits) EXPECT_TRUE(click_ids.count(JsonStr(h, "click_id")));

  // ?after= resumes the same way (the header wins when both are given).
  SseClient by_query(port());
  ASSERT_EQ(by_query.Open("/api/v1/live?after=" + seen[kClicks - 2].id, Bearer(key_)), 200);
  auto last = by_query.Next(kEventDeadline);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->id, seen[kClicks - 1].id);
  SseClient both(port());
  headers = Bearer(key_);
  headers.emplace_back("Last-Event-ID", seen[kClicks - 2].id);
  ASSERT_EQ(both.Open("/api/v1/live?after=0", headers), 200);
  last = both.Next(kEventDeadline);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->id, seen[kClicks - 1].id);
}

TEST_F(LiveE2eTest, QuietStreamOutlivesTheIdleTimeoutWithPings) {
  StartServer({"--set", "edge.idle_timeout_s=1"});
  CreateLinkPath(port(), key_, "q");
  SseClient sse(port());
  ASSERT_EQ(sse.Open("/api/v1/live", Bearer(key_)), 200);
  // A ping comes after 15 s of silence; the connection outlives 16 idle timeouts meanwhile.
  auto deadline = std::chrono::steady_clock::now() + seconds(40);
  while (sse.comments() == 0 && std::chrono::steady_clock::now() < deadline) {
    EXPECT_FALSE(sse.Next(seconds(1)).has_value());
    ASSERT_FALSE(sse.closed());
  }
  EXPECT_GE(sse.comments(), 1);
  Click("q");
  auto ev = sse.Next(kEventDeadline);
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(JsonStr(ParseJson(ev->data), "slug"), "q");
}

TEST_F(LiveE2eTest, ServerStopEndsTheStream) {
  StartServer();
  SseClient sse(port());
  ASSERT_EQ(sse.Open("/api/v1/live", Bearer(key_)), 200);
  // Terminate waits for the process: a stream that held the stop up would take the whole
  // stop timeout and more, and the process would then be killed (-1).
  EXPECT_EQ(server_->Terminate(seconds(30)), 0) << server_->Log();
  EXPECT_TRUE(sse.WaitClosed(seconds(10)));
  EXPECT_EQ(server_->Log().find("force-closing"), std::string::npos) << server_->Log();
}

TEST_F(LiveE2eTest, OverMaxStreamsIs503AndALeavingClientFreesItsSlot) {
  StartServer({"--set", "api.max_streams=2"});
  SseClient s1(port()), s2(port()), s3(port());
  ASSERT_EQ(s1.Open("/api/v1/live", Bearer(key_)), 200);
  ASSERT_EQ(s2.Open("/api/v1/live", Bearer(key_)), 200);
  EXPECT_EQ(s3.Open("/api/v1/live", Bearer(key_)), 503);
  EXPECT_EQ(JsonStr(ParseJson(s3.body()).at("error"), "code"), "too_many_streams");
  EXPECT_EQ(s3.Header("retry-after"), "5");
  // The server notices the client leaving (EOF on its socket) and frees the slot.
  s1.Close();
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + seconds(20);
  while (status != 200 && std::chrono::steady_clock::now() < deadline) {
    status = s3.Open("/api/v1/live", Bearer(key_));
    if (status != 200) std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(status, 200);
  // Other API calls are not limited by it.
  EXPECT_EQ(ApiCall(port(), "GET", "/api/v1/links", key_).status, 200);
}

}  // namespace
}  // namespace ct::test
