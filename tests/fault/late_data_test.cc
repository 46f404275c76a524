// Honest reports while data is late (README "Complete until"): the store stalls (another
// connection holds SQLite's write lock, as in store_stall_alarm_test.cc) while clicks arrive.
//  - During the stall every stats response says complete_until is no later than the first
//    stalled click, marks the buckets ending after it "complete": false, sets "incomplete" and
//    names the lagging stage ("store"); so does /api/v1/status.
//  - The stall is held past a minute boundary, so the clicks are committed in a later minute
//    than they were stamped in. After the heal, the same minute buckets (by event time) hold
//    exactly the clicks stamped in them, the commit's minute holds none, and the buckets are
//    complete.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "common/time_format.h"
#include "testutil/api_helpers.h"
#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/server.h"
#include "testutil/sqlite_write_lock.h"

namespace ct::test {
namespace {

namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;

constexpr int64_t kMinuteUs = 60'000'000;

int64_t WallNowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t FloorMinute(int64_t t) { return t / kMinuteUs * kMinuteUs; }

// Sends `n` clicks; returns the minute (by the answer's wall time) of each, having checked
// that each was sent and answered in the same minute (so its stamp's minute is known).
std::map<int64_t, int64_t> Click(uint16_t port, const std::string& slug, int n) {
  std::map<int64_t, int64_t> per_minute;
  HttpClient c(port, std::chrono::seconds(5));
  for (int i = 0; i < n; ++i) {
    const int64_t sent = WallNowUs();
    EXPECT_EQ(c.Request("GET", "/" + slug).status, 302);
    const int64_t answered = WallNowUs();
    EXPECT_EQ(FloorMinute(sent), FloorMinute(answered)) << "a click straddled a minute";
    ++per_minute[FloorMinute(answered)];
  }
  return per_minute;
}

// Sleeps until the wall clock reads at least `t`.
void SleepUntilWall(int64_t t) {
  while (WallNowUs() < t) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

json::object Stats(uint16_t port, const std::string& key, const std::string& link_path,
                   int64_t from, int64_t to) {
  auto r = ApiCall(
      port, "GET",
      link_path + "/stats?interval=minute&from=" + FormatIso8601(from) + "&to=" + FormatIso8601(to),
      key);
  EXPECT_EQ(r.status, 200) << r.body;
  json::value v = ParseJson(r.body);
  return v.is_object() ? v.as_object() : json::object();
}

int64_t CompleteUntil(const json::object& o) {
  auto* p = o.if_contains("complete_until");
  if (p == nullptr || !p->is_string()) return -1;
  auto t = ParseIso8601(std::string(p->as_string()));
  return t.ok() ? *t : -1;
}

// Every bucket is marked, and exactly those ending after complete_until are incomplete.
void ExpectMarksAgree(const json::object& o, int64_t to) {
  const int64_t until = CompleteUntil(o);
  const json::array& series = o.at("series").as_array();
  for (size_t i = 0; i < series.size(); ++i) {
    const int64_t end =
        i + 1 < series.size()
            ? *ParseIso8601(std::string(series[i + 1].as_object().at("t").as_string()))
            : to;
    ASSERT_TRUE(series[i].as_object().contains("complete")) << i;
    EXPECT_EQ(series[i].as_object().at("complete").as_bool(), end <= until) << "bucket " << i;
  }
  EXPECT_EQ(o.at("incomplete").as_bool(), to > until);
}

// The series as minute -> total.
std::map<int64_t, int64_t> Totals(const json::object& o) {
  std::map<int64_t, int64_t> out;
  for (const auto& b : o.at("series").as_array()) {
    out[*ParseIso8601(std::string(b.as_object().at("t").as_string()))] =
        b.as_object().at("total").as_int64();
  }
  return out;
}

TEST(LateDataTest, ReportsSayHowFarTheyAreCompleteAndLateClicksLandInTheirOwnBuckets) {
  ServerHarness s;
  const std::string key = s.CreateAccount("acme");
  ASSERT_TRUE(s.Start()) << s.Log();
  const std::string link = CreateLinkPath(s.port(), key, "late");
  ASSERT_FALSE(link.empty());

  // Leave at least 20 s of the current minute for the clicks before and during the stall.
  if (WallNowUs() % kMinuteUs > 40 * 1'000'000)
    SleepUntilWall(FloorMinute(WallNowUs()) + kMinuteUs);
  std::map<int64_t, int64_t> expected = Click(s.port(), "late", 3);
  const auto committed_deadline = SteadyClock::now() + std::chrono::seconds(60);
  while (LinkTotal(s.port(), key, link) != 3 && SteadyClock::now() < committed_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(LinkTotal(s.port(), key, link), 3);

  // Stall the store, then click.
  SqliteWriteLock lock(s.data_dir() + "/clicktrail.db");
  const int64_t first_sent = WallNowUs();
  std::map<int64_t, int64_t> late = Click(s.port(), "late", 5);
  const int64_t last_answered = WallNowUs();
  for (auto [minute, n] : late) expected[minute] += n;
  const int64_t click_minute = FloorMinute(last_answered);
  const int64_t from = click_minute - 2 * kMinuteUs;
  const int64_t to = click_minute + 3 * kMinuteUs;

  // Wait until the reports name the store (its probe fails within ~5 s; generous deadline).
  json::object during;
  const auto lag_deadline = SteadyClock::now() + std::chrono::seconds(90);
  while (SteadyClock::now() < lag_deadline) {
    during = Stats(s.port(), key, link, from, to);
    auto* stage = during.if_contains("lagging_stage");
    if (stage != nullptr && stage->is_string() && stage->as_string() == "store") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_TRUE(during.contains("lagging_stage")) << s.Log();
  EXPECT_EQ(during.at("lagging_stage").as_string(), "store");
  EXPECT_FALSE(during.at("lagging_reason").as_string().empty());
  // The watermark stops at the first stalled click: after the earlier ones, before it.
  const int64_t until = CompleteUntil(during);
  EXPECT_GE(until, first_sent) << "the clicks before the stall are committed";
  EXPECT_LE(until, last_answered) << "the stalled clicks are not";
  EXPECT_EQ(during.at("incomplete").as_bool(), true);
  ExpectMarksAgree(during, to);
  EXPECT_EQ(during.at("total").as_int64(), 3) << "the stalled clicks are not counted yet";
  // The account report and /status say the same.
  auto account = ParseJson(ApiCall(s.port(), "GET", "/api/v1/stats?interval=hour", key).body);
  EXPECT_EQ(JsonStr(account, "lagging_stage"), "store");
  EXPECT_LE(*ParseIso8601(JsonStr(account, "complete_until")), last_answered);
  auto status = ParseJson(ApiCall(s.port(), "GET", "/api/v1/status", key).body);
  EXPECT_EQ(JsonStr(status, "lagging_stage"), "store");
  EXPECT_TRUE(status.as_object().at("incomplete").as_bool());

  // Hold the stall into the next minute, so the commit happens in a later minute than the
  // clicks were stamped in; then heal.
  SleepUntilWall(click_minute + kMinuteUs + 1'000'000);
  lock.Release();
  const int64_t healed = WallNowUs();

  json::object after;
  const auto heal_deadline = SteadyClock::now() + std::chrono::seconds(90);
  while (SteadyClock::now() < heal_deadline) {
    after = Stats(s.port(), key, link, from, to);
    if (after.contains("total") && after.at("total").as_int64() == 8 &&
        !after.contains("lagging_stage") && CompleteUntil(after) >= click_minute + kMinuteUs) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_TRUE(after.contains("total")) << s.Log();
  ASSERT_EQ(after.at("total").as_int64(), 8) << s.Log();
  EXPECT_FALSE(after.contains("lagging_stage"));
  EXPECT_GE(CompleteUntil(after), healed - 5'000'000) << "caught up: close to now again";
  ExpectMarksAgree(after, to);
  // Event time decides the bucket: each minute holds the clicks stamped in it, the commit's
  // minute (after the heal) none of them.
  std::map<int64_t, int64_t> totals = Totals(after);
  for (auto [minute, n] : totals) {
    EXPECT_EQ(n, expected.count(minute) ? expected[minute] : 0)
        << "minute " << FormatIso8601(minute);
  }
  EXPECT_EQ(totals[FloorMinute(healed)], 0) << "nothing counted at commit time";
  // The stalled clicks' minute ended before complete_until: it is exact and complete now.
  for (const auto& b : after.at("series").as_array()) {
    if (*ParseIso8601(std::string(b.as_object().at("t").as_string())) == click_minute) {
      EXPECT_TRUE(b.as_object().at("complete").as_bool());
    }
  }
  EXPECT_EQ(s.Terminate(), 0);
}

}  // namespace
}  // namespace ct::test
