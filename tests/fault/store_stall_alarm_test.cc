// F8 on the embedded store, the ClickMeter lesson end to end: another connection takes SQLite's
// write lock and keeps it (the store is "up" but every write waits and fails), while clicks
// keep arriving. With the DEFAULT alarm settings:
//  - redirects keep answering (every one a 302, none slowed to the store's timeouts);
//  - a real webhook receiver gets a signed alarm within 30 s, and a real SMTP sink the email;
//  - once the lock is released the backlog drains, the counts are exact, and a "resolved"
//    message arrives for every alarm that fired.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "testutil/api_helpers.h"
#include "testutil/http_client.h"
#include "testutil/http_receiver.h"
#include "testutil/json.h"
#include "testutil/reconcile.h"
#include "testutil/server.h"
#include "testutil/smtp_sink.h"
#include "testutil/sqlite_write_lock.h"

namespace ct::test {
namespace {

using Clock = std::chrono::steady_clock;

// Paced clicks on one keep-alive connection, with each one's latency.
struct Clicker {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> ok{0}, failed{0};
  std::mutex mu;
  std::vector<std::pair<Clock::time_point, double>> latencies;  // (when, seconds)
  std::thread thread;

  void Start(uint16_t port, const std::string& slug) {
    thread = std::thread([this, port, slug] {
      HttpClient c(port, std::chrono::seconds(5));
      auto deadline = Clock::now() + std::chrono::seconds(150);  // bounded whatever happens
      while (!stop && Clock::now() < deadline) {
        auto t0 = Clock::now();
        int status = c.Request("GET", "/" + slug).status;
        double secs = std::chrono::duration<double>(Clock::now() - t0).count();
        (status == 302 ? ok : failed)++;
        {
          std::lock_guard lock(mu);
          latencies.emplace_back(t0, secs);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  void Finish() {
    stop = true;
    thread.join();
  }
  // p50 / p99 / max of the latencies of clicks started in [from, to).
  std::array<double, 3> Percentiles(Clock::time_point from, Clock::time_point to) {
    std::vector<double> v;
    std::lock_guard lock(mu);
    for (auto& [t, s] : latencies) {
      if (t >= from && t < to) v.push_back(s);
    }
    if (v.empty()) return {0, 0, 0};
    std::sort(v.begin(), v.end());
    return {v[v.size() / 2], v[v.size() * 99 / 100], v.back()};
  }
};

// The webhook alarms received so far, as (rule, state) with their arrival time.
struct Alarm {
  std::string rule, state;
  Clock::time_point at;
};

std::vector<Alarm> AlarmsSeen(const HttpReceiver& hook, std::vector<Alarm>* seen) {
  auto reqs = hook.Requests();
  for (size_t i = seen->size(); i < reqs.size(); ++i) {
    auto v = ParseJson(reqs[i].body);
    seen->push_back({JsonStr(v, "rule"), JsonStr(v, "state"), Clock::now()});
    EXPECT_FALSE(reqs[i].Header("webhook-signature").empty()) << "alarms are signed";
  }
  return *seen;
}

TEST(StoreStallAlarmTest, StallAlarmsWithin30sRedirectsGoOnAndDrainResolves) {
  HttpReceiver hook;
  SmtpSink smtp;
  ServerHarness s({"--set", "alarm.webhook.url=" + hook.Url("/alarms"), "--set",
                   "alarm.webhook.secret=test-secret-of-at-least-24-bytes", "--set",
                   "alarm.email.url=" + smtp.Url(), "--set", "alarm.email.starttls=none", "--set",
                   "alarm.email.from=clicktrail@test.invalid", "--set",
                   "alarm.email.to=ops@test.invalid", "--set", "alarm.instance=stall-test"});
  std::string key = s.CreateAccount("acme");
  ASSERT_TRUE(s.Start()) << s.Log();
  std::string link = CreateLinkPath(s.port(), key, "stall");
  ASSERT_FALSE(link.empty());

  Clicker clicker;
  clicker.Start(s.port(), "stall");
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto baseline = clicker.Percentiles(Clock::now() - std::chrono::seconds(2), Clock::now());

  // Stall the store.
  auto stall_start = Clock::now();
  auto lock = std::make_unique<SqliteWriteLock>(s.data_dir() + "/clicktrail.db");
  std::vector<Alarm> seen;
  std::map<std::string, Clock::time_point> firing;  // rule -> when its "firing" arrived
  while (Clock::now() - stall_start < std::chrono::seconds(45)) {
    for (const auto& a : AlarmsSeen(hook, &seen)) {
      if (a.state == "firing") firing.emplace(a.rule, a.at);
    }
    if (firing.count("store_unreachable") && firing.count("pipeline_lag") &&
        smtp.Messages().size() >= 2) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (const char* rule : {"store_unreachable", "pipeline_lag"}) {
    ASSERT_TRUE(firing.count(rule)) << rule << " did not fire within 45 s\n" << s.Log();
    EXPECT_LE(std::chrono::duration<double>(firing[rule] - stall_start).count(), 30.0)
        << rule << " must arrive within 30 s";
  }
  std::optional<Clock::time_point> first_alarm =
      std::min(firing["store_unreachable"], firing["pipeline_lag"]);
  double to_alarm = std::chrono::duration<double>(*first_alarm - stall_start).count();
  double to_lag_alarm = std::chrono::duration<double>(firing["pipeline_lag"] - stall_start).count();
  ASSERT_GE(smtp.Messages().size(), 1u) << "no alarm email";
  EXPECT_NE(smtp.Messages()[0].data.find("FIRING"), std::string::npos);
  auto during = clicker.Percentiles(stall_start, Clock::now());
  // The status page works during the outage and names the store as the failing stage.
  {
    auto r = ApiCall(s.port(), "GET", "/api/v1/status", key);
    ASSERT_EQ(r.status, 200) << r.body;
    auto v = ParseJson(r.body);
    std::string store_state;
    for (const auto& st : v.as_object().at("stages").as_array()) {
      if (JsonStr(st, "name") == "store") store_state = JsonStr(st, "state");
    }
    EXPECT_EQ(store_state, "red") << r.body;
    EXPECT_FALSE(v.as_object().at("alarms").as_array().empty()) << r.body;
  }
  // Self-healing: the failing store client is torn down and rebuilt (or tried to be: while the
  // lock is held the new client cannot open either; the attempt takes the store's busy
  // timeout), and /metrics says so.
  {
    HttpClient m(s.port());
    double rebuilds = 0, probe_failures = 0;
    auto until = Clock::now() + std::chrono::seconds(15);
    while (Clock::now() < until && rebuilds < 1) {
      std::string body = m.Request("GET", "/metrics").body;
      auto value = [&](const std::string& name) {
        size_t at = body.find("\n" + name + " ");
        return at == std::string::npos ? 0.0 : std::atof(body.c_str() + at + name.size() + 2);
      };
      rebuilds = value("clicktrail_store_rebuilds_total") +
                 value("clicktrail_store_rebuild_failures_total");
      probe_failures = value("clicktrail_store_probe_consecutive_failures");
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    EXPECT_GE(rebuilds, 1.0) << "no store client rebuild was attempted";
    EXPECT_GE(probe_failures, 3.0);
  }

  // Heal, and wait for the backlog to drain and every fired alarm to resolve.
  lock->Release();
  auto heal = Clock::now();
  std::set<std::string> fired;
  for (const auto& a : seen) {
    if (a.state == "firing") fired.insert(a.rule);
  }
  std::optional<Clock::time_point> all_resolved;
  while (Clock::now() - heal < std::chrono::seconds(60) && !all_resolved) {
    std::set<std::string> resolved;
    for (const auto& a : AlarmsSeen(hook, &seen)) {
      if (a.state == "resolved") resolved.insert(a.rule);
    }
    if (std::includes(resolved.begin(), resolved.end(), fired.begin(), fired.end())) {
      all_resolved = Clock::now();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  clicker.Finish();
  ASSERT_TRUE(all_resolved) << "not every fired alarm resolved within 60 s\n" << s.Log();

  // Counts are exact: every 302 is counted, once.
  int64_t want = clicker.ok;
  int64_t total = -1;
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline && (total = LinkTotal(s.port(), key, link)) < want) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  double drain_s = std::chrono::duration<double>(Clock::now() - heal).count();
  EXPECT_EQ(total, want);
  EXPECT_EQ(clicker.failed.load(), 0) << "a redirect failed during the stall";
  // "At normal speed": no redirect waited on the store (its lock timeout is seconds).
  EXPECT_LT(during[2], 1.0) << "slowest redirect during the stall, seconds";

  std::string rules;
  for (const auto& r : fired) rules += r + " ";
  std::printf(
      "stall->first alarm %.1f s, pipeline_lag %.1f s (rules fired: %s); heal->all resolved %.1f "
      "s; clicks %lld; "
      "counted after %.1f s; redirect p50/p99/max before %.2f/%.2f/%.2f ms, during stall "
      "%.2f/%.2f/%.2f ms\n",
      to_alarm, to_lag_alarm, rules.c_str(),
      std::chrono::duration<double>(*all_resolved - heal).count(), static_cast<long long>(want),
      drain_s, baseline[0] * 1e3, baseline[1] * 1e3, baseline[2] * 1e3, during[0] * 1e3,
      during[1] * 1e3, during[2] * 1e3);
  ASSERT_EQ(s.Terminate(), 0) << s.Log();
  // The outage cost nothing: every hour reconciles (answered = journaled = committed).
  ReconcileRun r = RunReconcile(s.data_dir(), {"--strict"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.ok, r.hours) << r.out;
}

// The journal's disk alarm, through the same channel: a threshold of 1 % is crossed on any
// real filesystem, so it fires after its 10 s hold and is visible on /api/v1/status.
TEST(DiskAlarmTest, DiskFreeLowFiresThroughTheWebhook) {
  HttpReceiver hook;
  ServerHarness s({"--set", "alarm.webhook.url=" + hook.Url("/alarms"), "--set",
                   "alarm.disk_used_percent=1", "--set", "alarm.disk_free_low.channels=webhook"});
  std::string key = s.CreateAccount("acme");
  ASSERT_TRUE(s.Start()) << s.Log();
  ASSERT_TRUE(hook.WaitFor(1, std::chrono::seconds(30))) << s.Log();
  auto v = ParseJson(hook.Requests()[0].body);
  EXPECT_EQ(JsonStr(v, "rule"), "disk_free_low");
  EXPECT_EQ(JsonStr(v, "state"), "firing");
  auto status = ParseJson(ApiCall(s.port(), "GET", "/api/v1/status", key).body);
  ASSERT_TRUE(status.is_object()) << "status";
  bool listed = false;
  for (const auto& a : status.as_object().at("alarms").as_array()) {
    listed |= JsonStr(a, "name") == "disk_free_low";
  }
  EXPECT_TRUE(listed) << boost::json::serialize(status);
  ASSERT_EQ(s.Terminate(), 0);
}

}  // namespace
}  // namespace ct::test
