// The notifier against a real HTTP receiver on 127.0.0.1 (testutil HttpReceiver) and an
// in-memory outbox: signing, retries, the outcome rules, the SSRF check at connect time, the
// body cap, fairness between endpoints and a stop mid-flight (RELIABILITY.md F12).
#include "notify/notifier.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "postback/signature.h"
#include "store/forwarding_store.h"
#include "testutil/http_receiver.h"

namespace ct::notify {
namespace {

using namespace std::chrono_literals;
using test::HttpReceiver;
using test::ReceiverReply;

// The outbox methods of Store, in memory, with the semantics of store.h; every other method is
// out of scope here (Target() is null).
class MemoryOutbox : public ForwardingStore {
 public:
  void AddPostback(int64_t id, std::string secret) {
    std::lock_guard lock(mu_);
    secrets_[id] = std::move(secret);
  }
  void Add(DeliveryRow row) {
    std::lock_guard lock(mu_);
    rows_[row.id] = std::move(row);
  }
  std::optional<DeliveryRow> Get(const std::string& id) const {
    std::lock_guard lock(mu_);
    auto it = rows_.find(id);
    if (it == rows_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<DeliveryAttemptRow> Attempts(const std::string& id) const {
    std::lock_guard lock(mu_);
    std::vector<DeliveryAttemptRow> out;
    for (const auto& a : attempts_) {
      if (a.delivery_id == id) out.push_back(a);
    }
    return out;
  }
  bool Disabled(int64_t postback_id) const {
    std::lock_guard lock(mu_);
    return disabled_.count(postback_id) > 0;
  }
  void FailNextRecords(int n) {
    std::lock_guard lock(mu_);
    fail_records_ = n;
  }
  int failed_records() const {
    std::lock_guard lock(mu_);
    return failed_records_;
  }

  Result<std::vector<ClaimedDelivery>> ClaimDeliveries(int64_t now_us, int64_t lease_until_us,
                                                       int limit) override {
    std::lock_guard lock(mu_);
    std::vector<DeliveryRow*> due;
    for (auto& [id, row] : rows_) {
      if (row.state == DeliveryState::kPending && row.next_attempt_us <= now_us &&
          disabled_.count(row.postback_id) == 0) {
        due.push_back(&row);
      }
    }
    std::stable_sort(due.begin(), due.end(),
                     [](auto* a, auto* b) { return a->next_attempt_us < b->next_attempt_us; });
    std::vector<ClaimedDelivery> out;
    for (DeliveryRow* row : due) {
      if (static_cast<int>(out.size()) >= limit) break;
      row->next_attempt_us = lease_until_us;
      out.push_back({*row, row->postback_id == 0 ? "" : secrets_[row->postback_id]});
    }
    return out;
  }
  Status RecordDeliveryOutcome(const DeliveryOutcome& o) override {
    std::lock_guard lock(mu_);
    if (fail_records_ > 0) {
      --fail_records_;
      ++failed_records_;
      return Status::Unavailable("store down (test)");
    }
    attempts_.push_back(o.attempt);
    DeliveryRow& row = rows_.at(o.attempt.delivery_id);
    row.attempts = std::max(row.attempts, o.attempt.attempt);
    row.last_status = o.attempt.http_status;
    row.last_error = o.attempt.error;
    if (row.state != DeliveryState::kPending && o.state != DeliveryState::kDelivered) {
      return Status::Ok();
    }
    row.state = o.state;
    if (o.state == DeliveryState::kPending) row.next_attempt_us = o.next_attempt_us;
    if (o.state == DeliveryState::kDelivered) row.delivered_at_us = o.attempt.started_at_us;
    if (o.disable_postback) disabled_.insert(row.postback_id);
    return Status::Ok();
  }
  Result<OutboxStats> GetOutboxStats() override {
    std::lock_guard lock(mu_);
    OutboxStats s;
    for (const auto& [id, row] : rows_) {
      if (row.state == DeliveryState::kPending) {
        ++s.pending;
        if (s.oldest_pending_created_us == 0 || row.created_at_us < s.oldest_pending_created_us) {
          s.oldest_pending_created_us = row.created_at_us;
        }
      }
      if (row.state == DeliveryState::kDead) ++s.dead;
    }
    s.disabled_postbacks = static_cast<int64_t>(disabled_.size());
    return s;
  }

 protected:
  std::shared_ptr<Store> Target() const override { return nullptr; }

 private:
  mutable std::mutex mu_;
  std::map<std::string, DeliveryRow> rows_;
  std::vector<DeliveryAttemptRow> attempts_;
  std::map<int64_t, std::string> secrets_;
  std::set<int64_t> disabled_;
  int fail_records_ = 0;
  int failed_records_ = 0;
};

constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

NotifierOptions TestOptions(bool allow_loopback = true) {
  NotifierOptions o;
  o.connect_timeout = 1000ms;
  o.total_timeout = 2000ms;
  o.lease = 5s;
  o.poll_interval = 50ms;
  o.retry_schedule = {1s, 1s};
  o.jitter = 0;
  if (allow_loopback) o.ssrf.allow = *postback::CidrList::Parse("127.0.0.1/32");
  return o;
}

DeliveryRow Row(const std::string& id, int64_t postback_id, const std::string& url,
                const std::string& method = "POST", int64_t account_id = 1) {
  DeliveryRow r;
  r.id = id;
  r.account_id = account_id;
  r.postback_id = postback_id;
  r.method = method;
  r.url = url;
  if (method == "POST") r.body = R"({"click_id":"c1","value":"12.5"})";
  r.created_at_us = Clock::System()->NowMicros();
  r.next_attempt_us = 0;
  return r;
}

// Polls `pred` every 10 ms for at most `timeout`.
template <typename Pred>
bool WaitUntil(Pred pred, std::chrono::milliseconds timeout = 10s) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

bool InState(const MemoryOutbox& store, const std::string& id, DeliveryState s) {
  auto row = store.Get(id);
  return row && row->state == s;
}

class NotifierTest : public ::testing::Test {
 protected:
  NotifierTest() { store_.AddPostback(1, kSecret); }
  std::unique_ptr<Notifier> StartNotifier(NotifierOptions o = TestOptions()) {
    auto n = std::make_unique<Notifier>(std::move(o), &store_, &metrics_, Clock::System());
    EXPECT_TRUE(n->Start().ok());
    return n;
  }
  MemoryOutbox store_;
  MetricsRegistry metrics_;
  HttpReceiver rx_;
};

TEST_F(NotifierTest, DeliversSignedPostWithTheSameIdOnEveryRetry) {
  rx_.QueueReply({.status = 500});
  store_.Add(Row("msg_a_1", 1, rx_.Url("/hook")));
  auto n = StartNotifier();
  ASSERT_TRUE(WaitUntil([&] { return InState(store_, "msg_a_1", DeliveryState::kDelivered); }));
  auto requests = rx_.Requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const auto& r : requests) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/hook");
    EXPECT_EQ(r.Header("content-type"), "application/json");
    EXPECT_EQ(r.Header("webhook-id"), "msg_a_1");
    int64_t ts = std::stoll(r.Header("webhook-timestamp"));
    EXPECT_NEAR(static_cast<double>(ts), Clock::System()->NowMicros() / 1e6, 30);
    EXPECT_TRUE(postback::Verify(kSecret, "msg_a_1", ts, r.body, r.Header("webhook-signature")))
        << r.Header("webhook-signature");
    EXPECT_EQ(r.body, R"({"click_id":"c1","value":"12.5"})");
  }
  auto attempts = store_.Attempts("msg_a_1");
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].http_status, 500);
  EXPECT_EQ(attempts[1].http_status, 200);
  EXPECT_EQ(metrics_.Value("clicktrail_postback_attempts_total"), 2);
  EXPECT_EQ(metrics_.Value("clicktrail_postback_delivered_total"), 1);
  EXPECT_EQ(metrics_.Value("clicktrail_postback_failures_total"), 1);
  EXPECT_NE(metrics_.RenderPrometheus().find("clicktrail_postback_delivery_seconds_count 1"),
            std::string::npos);
}

TEST_F(NotifierTest, GetCarriesTheSignatureInTheQueryAndPiggybacksGoUnsigned) {
  store_.Add(Row("msg_g_1", 1, rx_.Url("/pb?cid=c1"), "GET"));
  store_.Add(Row("msg_g_pg0", 0, rx_.Url("/pixel?o=1"), "GET"));
  auto n = StartNotifier();
  ASSERT_TRUE(WaitUntil([&] {
    return InState(store_, "msg_g_1", DeliveryState::kDelivered) &&
           InState(store_, "msg_g_pg0", DeliveryState::kDelivered);
  }));
  for (const auto& r : rx_.Requests()) {
    EXPECT_EQ(r.method, "GET");
    if (r.target.starts_with("/pixel")) {
      EXPECT_EQ(r.target, "/pixel?o=1");
      EXPECT_EQ(r.Header("webhook-signature"), "");
      continue;
    }
    int64_t ts = std::stoll(r.Header("webhook-timestamp"));
    EXPECT_EQ(rx_.Url(r.target),
              postback::SignedGetUrl(rx_.Url("/pb?cid=c1"), kSecret, "msg_g_1", ts));
    EXPECT_TRUE(postback::Verify(kSecret, "msg_g_1", ts, rx_.Url("/pb?cid=c1"),
                                 r.Header("webhook-signature")));
  }
}

TEST_F(NotifierTest, ServerErrorsAreRetriedOnScheduleThenDead) {
  rx_.SetReply({.status = 500});
  store_.Add(Row("msg_e_1", 1, rx_.Url("/hook")));
  auto n = StartNotifier();
  ASSERT_TRUE(WaitUntil([&] { return InState(store_, "msg_e_1", DeliveryState::kDead); }));
  auto attempts = store_.Attempts("msg_e_1");
  ASSERT_EQ(attempts.size(), 3u);  // the first, then one per step of "1s,1s"
  for (size_t i = 1; i < attempts.size(); ++i) {
    EXPECT_GE(attempts[i].started_at_us - attempts[i - 1].started_at_us, 1'000'000);
  }
  EXPECT_EQ(rx_.Count(), 3u);
  EXPECT_EQ(metrics_.Value("clicktrail_postback_dead_total"), 1);
  EXPECT_EQ(metrics_.Value("clicktrail_postback_failures_total"), 3);
  EXPECT_TRUE(WaitUntil([&] { return n->DeadDeliveries() == 1; }));
  EXPECT_GE(n->MaxConsecutiveEndpointFailures(), 3);
}

TEST_F(NotifierTest, RedirectsAreNotFollowedAndCountAsFailures) {
  rx_.SetReply({.status = 302, .headers = {{"Location", "http://169.254.169.254/latest/"}}});
  store_.Add(Row("msg_r_1", 1, rx_.Url("/hook")));
  auto n = StartNotifier();
  ASSERT_TRUE(WaitUntil([&] { return store_.Attempts("msg_r_1").size() == 1; }));
  auto row = store_.Get("msg_r_1");
  EXPECT_EQ(row->state, DeliveryState::kPending);
  EXPECT_EQ(row->last_status, 302);
  EXPECT_NE(row->last_error.find("not followed"), std::string::npos);
  EXPECT_EQ(rx_.Count(), 1u);
  EXPECT_EQ(metrics_.Value("clicktrail_postback_delivered_total"), 0);
}

TEST_F(NotifierTest, RetryAfterIsHonoured) {
  rx_.QueueReply({.status = 429, .headers = {{"Retry-After", "2"}}});
  store_.Add(Row("msg_t_1", 1, rx_.Url("/hook")));
  auto n = StartNotifier();
  ASSERT_TRUE(WaitUntil([&] { return InState(store_, "msg_t_1", DeliveryState::kDelivered); }));
  auto attempts = store_.Attempts("msg_t_1");
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].http_status, 429);
  // The schedule says 1 s; the receiver asked for 2 s.
  EXPECT_GE(attempts[1].started_at_us - attempts[0].started_at_us, 2'000'000);
}

TEST_F(NotifierTest, GoneDisablesThePostback) {
  rx_.SetReply({.status = 410});
  store_.Add(Row("msg_d_1", 1, rx_.Url("/hook")));
  auto n = StartNotifier();
  ASSERT_TRUE(WaitUntil([&] { return store_.Disabled(1); }));
  EXPECT_TRUE(WaitUntil([&] { return n->DisabledPostbacks() == 1; }));
  std::this_thread::sleep_for(1200ms);  // longer than a retry step: nothing more is sent
  EXPECT_EQ(rx_.Count(), 1u);
  auto row = store_.Get("msg_d_1");
  EXPECT_EQ(row->state, DeliveryState::kPending);
  EXPECT_EQ(row->last_status, 410);
}

TEST_F(NotifierTest, ASlowReceiverTimesOutAndIsRetried) {
  rx_.QueueReply({.status = 200, .delay = 4000ms});
  store_.Add(Row("msg_s_1", 1, rx_.Url("/hook")));
  NotifierOptions o = TestOptions();
  o.total_timeout = 700ms;
  auto n = StartNotifier(o);
  ASSERT_TRUE(WaitUntil([&] { return InState(store_, "msg_s_1", DeliveryState::kDelivered); }));
  auto attempts = store_.Attempts("msg_s_1");
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].http_status, 0);
  EXPECT_NE(attempts[0].error.find("timeout"), std::string::npos) << attempts[0].error;
  EXPECT_LT(attempts[0].latency_us, 1'500'000);
  EXPECT_EQ(attempts[1].http_status, 200);
}

TEST_F(NotifierTest, AHugeBodyIsCutAndTheStatusCounts) {
  rx_.SetReply({.status = 200, .body = std::string(10 << 20, 'x')});
  store_.Add(Row("msg_b_1", 1, rx_.Url("/hook")));
  auto n = StartNotifier();
  ASSERT_TRUE(WaitUntil([&] { return InState(store_, "msg_b_1", DeliveryState::kDelivered); }));
  auto attempts = store_.Attempts("msg_b_1");
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].http_status, 200);
  EXPECT_LT(attempts[0].latency_us, 1'000'000);
}

TEST_F(NotifierTest, LoopbackIsRefusedAtConnectTimeUnlessAllowListed) {
  store_.Add(Row("msg_l_1", 1, rx_.Url("/hook")));
  {
    auto n = StartNotifier(TestOptions(/*allow_loopback=*/false));
    ASSERT_TRUE(WaitUntil([&] { return store_.Attempts("msg_l_1").size() == 1; }));
    n->Stop();
  }
  auto row = store_.Get("msg_l_1");
  EXPECT_EQ(row->state, DeliveryState::kPending);
  EXPECT_EQ(row->last_status, 0);
  EXPECT_EQ(row->last_error, "refused address 127.0.0.1: private or loopback range");
  EXPECT_EQ(rx_.Count(), 0u);  // no connection, so no request

  auto n = StartNotifier(TestOptions(/*allow_loopback=*/true));
  ASSERT_TRUE(WaitUntil([&] { return InState(store_, "msg_l_1", DeliveryState::kDelivered); }));
  EXPECT_EQ(rx_.Count(), 1u);
}

TEST_F(NotifierTest, ASlowEndpointDoesNotDelayAnother) {
  HttpReceiver fast;
  store_.AddPostback(2, kSecret);
  rx_.SetReply({.status = 200, .delay = 3000ms});
  store_.Add(Row("msg_slow_1", 1, rx_.Url("/slow")));
  store_.Add(Row("msg_slow_2", 1, rx_.Url("/slow")));
  store_.Add(Row("msg_fast_1", 2, fast.Url("/fast")));
  NotifierOptions o = TestOptions();
  o.per_endpoint = 1;
  o.total_timeout = 5000ms;
  o.lease = 10s;
  auto n = StartNotifier(o);
  ASSERT_TRUE(
      WaitUntil([&] { return InState(store_, "msg_fast_1", DeliveryState::kDelivered); }, 2000ms));
  // The fast postback is done while the slow one is still on its first request (per_endpoint=1:
  // the second slow delivery waits in memory for the slot).
  EXPECT_TRUE(store_.Attempts("msg_slow_1").empty());
  EXPECT_TRUE(store_.Attempts("msg_slow_2").empty());
  // The slow request may still be on its way to the receiver on a loaded machine (the fast one
  // can finish before it arrives): wait for it, bounded, well inside its 3 s reply delay.
  (void)WaitUntil([&] { return rx_.Count() >= 1u; }, 1000ms);
  EXPECT_EQ(rx_.Count(), 1u);
  EXPECT_EQ(n->InFlight(), 1);
  n->Stop(0ms);
}

TEST_F(NotifierTest, StopMidFlightLeavesTheDeliveryToBeClaimedAgain) {
  rx_.QueueReply({.status = 200, .delay = 5000ms});
  store_.Add(Row("msg_m_1", 1, rx_.Url("/hook")));
  NotifierOptions o = TestOptions();
  o.lease = 3s;
  {
    auto n = StartNotifier(o);
    ASSERT_TRUE(rx_.WaitFor(1, 5s));
    auto before = std::chrono::steady_clock::now();
    n->Stop(100ms);
    EXPECT_LT(std::chrono::steady_clock::now() - before, 1s);
    EXPECT_EQ(n->InFlight(), 0);
  }
  auto row = store_.Get("msg_m_1");
  EXPECT_EQ(row->state, DeliveryState::kPending);
  EXPECT_TRUE(store_.Attempts("msg_m_1").empty());                // abandoned, not recorded
  EXPECT_GT(row->next_attempt_us, Clock::System()->NowMicros());  // still leased

  auto n = StartNotifier(o);
  ASSERT_TRUE(WaitUntil([&] { return InState(store_, "msg_m_1", DeliveryState::kDelivered); }));
  auto requests = rx_.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].Header("webhook-id"), requests[1].Header("webhook-id"));
}

TEST_F(NotifierTest, AnOutcomeTheStoreRefusedIsKeptAndNotResent) {
  store_.FailNextRecords(3);
  store_.Add(Row("msg_k_1", 1, rx_.Url("/hook")));
  auto n = StartNotifier();
  ASSERT_TRUE(WaitUntil([&] { return InState(store_, "msg_k_1", DeliveryState::kDelivered); }));
  EXPECT_EQ(store_.failed_records(), 3);
  EXPECT_EQ(rx_.Count(), 1u);
  EXPECT_EQ(store_.Attempts("msg_k_1").size(), 1u);
}

TEST_F(NotifierTest, FiguresComeFromTheOutbox) {
  rx_.SetReply({.status = 500});
  DeliveryRow later = Row("msg_f_1", 1, rx_.Url("/hook"));
  later.next_attempt_us = Clock::System()->NowMicros() + 3'600'000'000LL;  // not due
  later.created_at_us -= 10'000'000;
  store_.Add(later);
  auto n = StartNotifier();
  ASSERT_TRUE(WaitUntil([&] { return n->PendingDeliveries() == 1; }));
  EXPECT_GE(n->OldestPendingAgeSeconds(), 9.0);
  EXPECT_EQ(rx_.Count(), 0u);
  n->Wake();  // harmless when nothing is due
  EXPECT_EQ(n->DeadDeliveries(), 0);
}

}  // namespace
}  // namespace ct::notify
