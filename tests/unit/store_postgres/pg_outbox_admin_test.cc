// The outbox on the PostgreSQL store: the SQLite store's cases (tests/unit/store/
// sqlite_outbox_test.cc: claiming, outcomes, listing with pagination and tenancy, replay and
// the monitor's figures), plus what several processes on one database add: replays racing
// claims, outcomes and other replays (no deadlock, no row handed out twice after), and ids that
// a non-C database collation would order differently. Rows are seeded with plain SQL, as
// Commit writes them.
#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "pg_fixture.h"

namespace ct::testing_pg {
namespace {

class PgOutboxTest : public PgStoreTest {
 protected:
  void SetUp() override {
    PgStoreTest::SetUp();
    acme_ = Account("acme");
    other_ = Account("other");
  }

  int64_t Postback(int64_t account, const std::string& secret, bool disabled = false,
                   bool deleted = false) {
    return Int(
        "INSERT INTO postbacks (account_id, name, url_template, method, events, attributed_only,"
        " secret, disabled_at, created_at, updated_at, deleted_at) VALUES (" +
        std::to_string(account) + ", 'pb', 'https://r.test/{click_id}', 'GET', 1, true, '" +
        secret + "', " + (disabled ? "5" : "NULL") + ", 1, 1, " + (deleted ? "6" : "NULL") +
        ") RETURNING id");
  }

  void Delivery(const std::string& id, int64_t account, int64_t postback, int64_t created_us,
                int64_t next_us, DeliveryState state = DeliveryState::kPending) {
    Sql("INSERT INTO outbox (id, account_id, postback_id, event_id, event_kind, event_time_us,"
        " method, url, body, state, created_at, next_attempt_us) VALUES ('" +
        id + "', " + std::to_string(account) + ", " + std::to_string(postback) +
        ", '\\x00112233445566778899aabbccddeeff', 4, 42, 'GET', 'https://r.test/" + id + "', '', " +
        std::to_string(static_cast<int>(state)) + ", " + std::to_string(created_us) + ", " +
        std::to_string(next_us) + ")");
  }

  // `n` rows d0001.. (i = 1..n) of `account`/`postback` in one statement, created at
  // `created` (SQL of i), due at `next`.
  void Deliveries(int n, int64_t account, int64_t postback, DeliveryState state, int64_t next,
                  int digits = 4, const std::string& created = "i") {
    Sql("INSERT INTO outbox (id, account_id, postback_id, event_id, event_kind, event_time_us,"
        " method, url, body, state, created_at, next_attempt_us)"
        " SELECT 'd' || lpad(i::text, " +
        std::to_string(digits) + ", '0'), " + std::to_string(account) + ", " +
        std::to_string(postback) +
        ", decode(md5(i::text), 'hex'), 4, 1, 'GET', 'https://r.test/'," + " '', " +
        std::to_string(static_cast<int>(state)) + ", " + created + ", " + std::to_string(next) +
        " FROM generate_series(1, " + std::to_string(n) + ") AS i");
  }

  std::vector<std::string> ClaimIds(int64_t now, int64_t lease, int limit = 100,
                                    Store* store = nullptr) {
    auto r = (store ? store : store_.get())->ClaimDeliveries(now, lease, limit);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> ids;
    if (r.ok()) {
      for (const auto& c : *r) ids.push_back(c.row.id);
    }
    return ids;
  }

  DeliveryRow Get(const std::string& id, int64_t account = 0) {
    auto r = store_->GetDelivery(account ? account : acme_, id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r.ok() && r->has_value()) << id;
    return r.ok() && r->has_value() ? **r : DeliveryRow{};
  }

  static DeliveryOutcome Outcome(const std::string& id, DeliveryState state, int http_status,
                                 int64_t started_us, int64_t next_us = 0) {
    DeliveryOutcome o;
    o.attempt.delivery_id = id;
    o.attempt.started_at_us = started_us;
    o.attempt.http_status = http_status;
    o.attempt.latency_us = 7;
    o.attempt.error =
        state == DeliveryState::kDelivered ? "" : "HTTP " + std::to_string(http_status);
    o.state = state;
    o.next_attempt_us = next_us;
    return o;
  }

  int64_t acme_ = 0;
  int64_t other_ = 0;
};

using V = std::vector<std::string>;

TEST_F(PgOutboxTest, ClaimTakesDueRowsOldestDueFirstAndLeasesThem) {
  const int64_t pb = Postback(acme_, "whsec_acme");
  Delivery("d3", acme_, pb, 1, 300);
  Delivery("d1", acme_, pb, 1, 100);
  Delivery("d2", acme_, pb, 1, 200);

  auto claimed = store_->ClaimDeliveries(250, 1000, 10);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  ASSERT_EQ(claimed->size(), 2u);
  EXPECT_EQ((*claimed)[0].row.id, "d1");
  EXPECT_EQ((*claimed)[1].row.id, "d2");
  EXPECT_EQ((*claimed)[0].secret, "whsec_acme");
  EXPECT_EQ((*claimed)[0].row.next_attempt_us, 1000);
  EXPECT_EQ((*claimed)[0].row.url, "https://r.test/d1");
  EXPECT_EQ((*claimed)[0].row.event_kind, EventKind::kConversion);
  EXPECT_EQ((*claimed)[0].row.event_id[1], 0x11);
  EXPECT_EQ(Get("d1").next_attempt_us, 1000);

  // Leased rows are not handed out again before the lease ends; d3 is due at 300.
  EXPECT_EQ(ClaimIds(250, 2000), V{});
  EXPECT_EQ(ClaimIds(999, 2000, 1), V{"d3"});
  EXPECT_EQ(ClaimIds(999, 2000), V{});
  // A notifier that died mid-attempt: after the lease the rows are claimed again.
  EXPECT_EQ(ClaimIds(1000, 3000), (V{"d1", "d2"}));
  EXPECT_EQ(ClaimIds(0, 3000, 0), V{});
}

TEST_F(PgOutboxTest, ClaimSkipsDisabledAndDeletedPostbacksButAlwaysTakesPiggybacks) {
  const int64_t live = Postback(acme_, "whsec_live");
  const int64_t disabled = Postback(acme_, "whsec_off", /*disabled=*/true);
  const int64_t deleted = Postback(acme_, "whsec_gone", false, /*deleted=*/true);
  Delivery("live", acme_, live, 1, 10);
  Delivery("off", acme_, disabled, 1, 11);
  Delivery("gone", acme_, deleted, 1, 12);
  Delivery("msg_x_pg0", acme_, 0, 1, 13);
  Delivery("foreign", other_, live, 1, 14);  // names another account's postback: never sent

  auto claimed = store_->ClaimDeliveries(100, 1000, 10);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  ASSERT_EQ(claimed->size(), 2u);
  EXPECT_EQ((*claimed)[0].row.id, "live");
  EXPECT_EQ((*claimed)[1].row.id, "msg_x_pg0");
  EXPECT_EQ((*claimed)[1].secret, "");  // piggyback pixels go out unsigned

  // The disabled postback's rows waited, pending, and go once it is re-enabled.
  EXPECT_EQ(Get("off").state, DeliveryState::kPending);
  PostbackUpdate on;
  on.disabled = false;
  ASSERT_TRUE(store_->UpdatePostback(acme_, disabled, on).ok());
  EXPECT_EQ(ClaimIds(100, 1000), V{"off"});
}

TEST_F(PgOutboxTest, ConcurrentClaimersOnTwoStoresNeverGetTheSameRow) {
  const int64_t pb = Postback(acme_, "whsec_x");
  constexpr int kRows = 300;
  Deliveries(kRows, acme_, pb, DeliveryState::kPending, 1);
  std::unique_ptr<Store> other = Open();  // like a second process: its own connections
  ASSERT_NE(other, nullptr);

  std::mutex mu;
  std::vector<std::string> all;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    Store* s = t % 2 == 0 ? store_.get() : other.get();
    threads.emplace_back([&, s] {
      // Bounded: each turn leases at least one row until none is left.
      for (int turn = 0; turn < kRows; ++turn) {
        auto r = s->ClaimDeliveries(kRows, 1'000'000, 7);
        if (!r.ok()) {
          ++errors;
          return;
        }
        if (r->empty()) return;
        std::lock_guard lock(mu);
        for (const auto& c : *r) all.push_back(c.row.id);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(all.size(), static_cast<size_t>(kRows));
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), static_cast<size_t>(kRows));
}

TEST_F(PgOutboxTest, OutcomesMoveTheRowAndRecordEveryAttempt) {
  const int64_t pb = Postback(acme_, "whsec_x");
  Delivery("d1", acme_, pb, 1, 10);
  Delivery("d2", acme_, pb, 2, 10);
  ASSERT_EQ(ClaimIds(10, 10'000'000).size(), 2u);  // d2's lease outlasts the test

  // Not attempted yet: an empty log, not "no such delivery".
  auto none = store_->ListDeliveryAttempts(acme_, "d1");
  ASSERT_TRUE(none.ok() && none->has_value()) << none.status().ToString();
  EXPECT_TRUE((*none)->empty());

  // A 500: retry later.
  ASSERT_TRUE(
      store_->RecordDeliveryOutcome(Outcome("d1", DeliveryState::kPending, 500, 100, /*next=*/5000))
          .ok());
  DeliveryRow d1 = Get("d1");
  EXPECT_EQ(d1.state, DeliveryState::kPending);
  EXPECT_EQ(d1.attempts, 1);
  EXPECT_EQ(d1.next_attempt_us, 5000);
  EXPECT_EQ(d1.last_status, 500);
  EXPECT_EQ(d1.last_error, "HTTP 500");
  EXPECT_EQ(ClaimIds(4999, 9000), V{});
  EXPECT_EQ(ClaimIds(5000, 9000), V{"d1"});

  // Then a 2xx: delivered, the error cleared, never claimed again.
  ASSERT_TRUE(
      store_->RecordDeliveryOutcome(Outcome("d1", DeliveryState::kDelivered, 204, 5100)).ok());
  d1 = Get("d1");
  EXPECT_EQ(d1.state, DeliveryState::kDelivered);
  EXPECT_EQ(d1.attempts, 2);
  EXPECT_EQ(d1.last_status, 204);
  EXPECT_EQ(d1.last_error, "");
  EXPECT_EQ(d1.delivered_at_us, 5107);  // when the answer came: start + latency
  EXPECT_EQ(ClaimIds(1'000'000, 2'000'000), V{});

  // Out of retries: dead-lettered.
  ASSERT_TRUE(store_->RecordDeliveryOutcome(Outcome("d2", DeliveryState::kDead, 0, 200)).ok());
  EXPECT_EQ(Get("d2").state, DeliveryState::kDead);

  auto attempts = store_->ListDeliveryAttempts(acme_, "d1");
  ASSERT_TRUE(attempts.ok() && attempts->has_value());
  ASSERT_EQ((*attempts)->size(), 2u);
  EXPECT_EQ((**attempts)[0].attempt, 1);
  EXPECT_EQ((**attempts)[0].http_status, 500);
  EXPECT_EQ((**attempts)[0].started_at_us, 100);
  EXPECT_EQ((**attempts)[0].latency_us, 7);
  EXPECT_EQ((**attempts)[0].error, "HTTP 500");
  EXPECT_EQ((**attempts)[1].attempt, 2);
  EXPECT_EQ((**attempts)[1].http_status, 204);
  EXPECT_EQ((**attempts)[1].delivery_id, "d1");

  EXPECT_EQ(store_->RecordDeliveryOutcome(Outcome("nope", DeliveryState::kDead, 0, 1)).code(),
            StatusCode::kNotFound);
}

TEST_F(PgOutboxTest, A410DisablesThePostbackAndItsDeliveriesWait) {
  const int64_t pb = Postback(acme_, "whsec_x");
  Delivery("d1", acme_, pb, 1, 10);
  Delivery("d2", acme_, pb, 2, 10);
  ASSERT_EQ(ClaimIds(10, 500, 1), V{"d1"});
  DeliveryOutcome gone = Outcome("d1", DeliveryState::kPending, 410, 300, /*next=*/20);
  gone.disable_postback = true;
  gone.disable_reason = "receiver answered 410 Gone";
  ASSERT_TRUE(store_->RecordDeliveryOutcome(gone).ok());

  EXPECT_EQ(Int("SELECT disabled_at FROM postbacks WHERE id = " + std::to_string(pb)), 300);
  EXPECT_EQ(Int("SELECT (disabled_reason = 'receiver answered 410 Gone')::int FROM postbacks"), 1);
  EXPECT_EQ(Get("d1").state, DeliveryState::kPending);
  EXPECT_EQ(ClaimIds(1000, 2000), V{});  // neither d1 nor d2 while disabled
  auto stats = store_->GetOutboxStats();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->disabled_postbacks, 1);
  EXPECT_EQ(stats->pending, 0);  // waiting on a person, not on the notifier

  // A second 410 (another attempt in flight) keeps the first disable's time.
  gone.attempt.started_at_us = 900;
  ASSERT_TRUE(store_->RecordDeliveryOutcome(gone).ok());
  EXPECT_EQ(Int("SELECT disabled_at FROM postbacks"), 300);
}

TEST_F(PgOutboxTest, LateOutcomesDoNotUndoAReplayOrADelivery) {
  const int64_t pb = Postback(acme_, "whsec_x");
  Delivery("d1", acme_, pb, 1, 10);
  Delivery("d2", acme_, pb, 2, 10);
  ASSERT_EQ(ClaimIds(10, 500).size(), 2u);

  // d1's attempt started at 150; the user replays it at 200, before the outcome lands.
  auto replayed = store_->ReplayDeliveries(acme_, {.ids = {"d1"}}, 200);
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_EQ(*replayed, 1);
  ASSERT_TRUE(store_->RecordDeliveryOutcome(Outcome("d1", DeliveryState::kDead, 0, 150)).ok());
  DeliveryRow d1 = Get("d1");
  EXPECT_EQ(d1.state, DeliveryState::kPending);  // the replay stands
  EXPECT_EQ(d1.next_attempt_us, 200);
  EXPECT_EQ(d1.attempts, 1);  // the attempt happened and is recorded
  EXPECT_EQ(d1.last_status, 0);
  EXPECT_EQ(ClaimIds(200, 900), V{"d1"});
  // The replayed send's own outcome (started after the replay) applies normally.
  ASSERT_TRUE(
      store_->RecordDeliveryOutcome(Outcome("d1", DeliveryState::kPending, 503, 250, 7000)).ok());
  EXPECT_EQ(Get("d1").next_attempt_us, 7000);
  // A late success on a replayed row: the receiver got it, so it is delivered.
  ASSERT_TRUE(store_->ReplayDeliveries(acme_, {.ids = {"d1"}}, 300).ok());
  ASSERT_TRUE(
      store_->RecordDeliveryOutcome(Outcome("d1", DeliveryState::kDelivered, 200, 260)).ok());
  EXPECT_EQ(Get("d1").state, DeliveryState::kDelivered);
  // A replay restarts the retry schedule (attempts back to 0), while the attempt log keeps
  // counting: three attempts numbered 1, 2, 3.
  ASSERT_TRUE(store_->ReplayDeliveries(acme_, {.ids = {"d1"}}, 400).ok());
  EXPECT_EQ(Get("d1").attempts, 0);
  auto log = store_->ListDeliveryAttempts(acme_, "d1");
  ASSERT_TRUE(log.ok() && log->has_value());
  ASSERT_EQ((*log)->size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ((**log)[i].attempt, i + 1);

  // d2 was delivered by another notifier after our lease ran out; our late failure is
  // recorded but leaves it delivered.
  ASSERT_TRUE(
      store_->RecordDeliveryOutcome(Outcome("d2", DeliveryState::kDelivered, 200, 600)).ok());
  ASSERT_TRUE(
      store_->RecordDeliveryOutcome(Outcome("d2", DeliveryState::kPending, 500, 100, 9000)).ok());
  DeliveryRow d2 = Get("d2");
  EXPECT_EQ(d2.state, DeliveryState::kDelivered);
  EXPECT_EQ(d2.delivered_at_us, 607);
  EXPECT_EQ(d2.attempts, 2);
  auto attempts = store_->ListDeliveryAttempts(acme_, "d2");
  ASSERT_TRUE(attempts.ok() && attempts->has_value());
  EXPECT_EQ((*attempts)->size(), 2u);
}

TEST_F(PgOutboxTest, ListPagesNewestFirstWithFiltersAndTenancy) {
  const int64_t pb1 = Postback(acme_, "a");
  const int64_t pb2 = Postback(acme_, "b");
  const int64_t foreign = Postback(other_, "c");
  // 30 rows, three per created_at (ties broken by id), alternating postbacks and states.
  std::vector<std::string> expected;
  for (int i = 0; i < 30; ++i) {
    const std::string id =
        "msg_" + std::string(1, static_cast<char>('a' + i % 3)) + "_" + std::to_string(100 + i);
    Delivery(id, acme_, i % 2 ? pb2 : pb1, 1000 + i / 3, 0,
             i % 5 == 0 ? DeliveryState::kDead : DeliveryState::kPending);
    expected.push_back(id);
  }
  Delivery("foreign", other_, foreign, 1005, 0);
  std::sort(expected.begin(), expected.end(), [](const std::string& a, const std::string& b) {
    // created_at = 1000 + index / 3 and index = the id's number - 100.
    const int ia = std::stoi(a.substr(a.size() - 3)) - 100;
    const int ib = std::stoi(b.substr(b.size() - 3)) - 100;
    if (ia / 3 != ib / 3) return ia / 3 > ib / 3;
    return a > b;
  });

  std::vector<std::string> seen;
  std::optional<std::string> after;
  for (int page = 0; page < 10; ++page) {
    auto r = store_->ListDeliveries(acme_, {}, after, 7);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const auto& d : r->deliveries) seen.push_back(d.id);
    after = r->next_after_id;
    if (!after) break;
  }
  EXPECT_EQ(seen, expected);

  auto count = [&](const DeliveryFilter& f) {
    auto r = store_->ListDeliveries(acme_, f, std::nullopt, 100);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->deliveries.size() : 0u;
  };
  EXPECT_EQ(count({.postback_id = pb1}), 15u);
  EXPECT_EQ(count({.state = DeliveryState::kDead}), 6u);
  EXPECT_EQ(count({.postback_id = pb2, .state = DeliveryState::kDead}), 3u);  // 5, 15, 25
  EXPECT_EQ(count({.from_us = 1002, .to_us = 1004}), 6u);
  EXPECT_EQ(count({.from_us = 1008}), 6u);
  EXPECT_EQ(count({.postback_id = foreign}), 0u);
  auto empty = store_->ListDeliveries(acme_, {}, std::nullopt, 0);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->deliveries.empty());

  // Tenancy: another account's delivery looks missing everywhere.
  auto got = store_->GetDelivery(acme_, "foreign");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  auto attempts = store_->ListDeliveryAttempts(acme_, "foreign");
  ASSERT_TRUE(attempts.ok());
  EXPECT_FALSE(attempts->has_value());
  EXPECT_EQ(store_->ListDeliveries(acme_, {}, std::string("foreign"), 5).status().code(),
            StatusCode::kInvalidArgument);
  auto theirs = store_->ListDeliveries(other_, {}, std::nullopt, 5);
  ASSERT_TRUE(theirs.ok());
  ASSERT_EQ(theirs->deliveries.size(), 1u);
  EXPECT_EQ(theirs->deliveries[0].id, "foreign");
  EXPECT_FALSE(theirs->next_after_id.has_value());
}

// Ids order byte-wise, as on SQLite, even where a linguistic collation would not ('_' sorts
// before letters in en_US but after upper case in C), whatever the database's collation.
TEST_F(PgOutboxTest, IdsOrderByteWiseAsOnSqlite) {
  const int64_t pb = Postback(acme_, "a");
  const V ids = {"msg_A_1", "msg_a_1", "msg__1", "msg_Z-1", "msg_z_1", "msg_0_1"};
  for (const std::string& id : ids) Delivery(id, acme_, pb, 1000, 0);
  V expected = ids;
  std::sort(expected.rbegin(), expected.rend());  // newest first = descending bytes
  V seen;
  std::optional<std::string> after;
  for (int page = 0; page < 10; ++page) {
    auto r = store_->ListDeliveries(acme_, {}, after, 2);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const auto& d : r->deliveries) seen.push_back(d.id);
    after = r->next_after_id;
    if (!after) break;
  }
  EXPECT_EQ(seen, expected);
}

TEST_F(PgOutboxTest, ReplayByIdsAndByFilter) {
  const int64_t pb1 = Postback(acme_, "a");
  const int64_t pb2 = Postback(acme_, "b");
  Delivery("dead1", acme_, pb1, 1, 0, DeliveryState::kDead);
  Delivery("dead2", acme_, pb1, 2, 0, DeliveryState::kDead);
  Delivery("dead3", acme_, pb2, 3, 0, DeliveryState::kDead);
  Delivery("done", acme_, pb1, 4, 0, DeliveryState::kDelivered);
  Delivery("theirs", other_, Postback(other_, "c"), 5, 0, DeliveryState::kDead);

  // Ids: another account's and unknown ids are not counted nor touched.
  auto n = store_->ReplayDeliveries(acme_, {.ids = {"dead1", "theirs", "missing"}}, 700);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(Get("dead1").state, DeliveryState::kPending);
  EXPECT_EQ(Get("dead1").next_attempt_us, 700);
  EXPECT_EQ(Get("theirs", other_).state, DeliveryState::kDead);

  // Filter: the dead ones of postback 1.
  n = store_->ReplayDeliveries(
      acme_, {.filter = {.postback_id = pb1, .state = DeliveryState::kDead}}, 800);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(Get("dead2").state, DeliveryState::kPending);
  EXPECT_EQ(Get("dead3").state, DeliveryState::kDead);
  EXPECT_EQ(Get("done").state, DeliveryState::kDelivered);
  EXPECT_EQ(ClaimIds(800, 900), (V{"dead1", "dead2"}));

  // An empty filter: everything of the account (delivered ones too: a replay re-sends).
  n = store_->ReplayDeliveries(acme_, {}, 1000);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 4);
  EXPECT_EQ(Get("done").state, DeliveryState::kPending);
  EXPECT_EQ(Get("theirs", other_).state, DeliveryState::kDead);
  // A time range: created in [2, 4).
  n = store_->ReplayDeliveries(acme_, {.filter = {.from_us = 2, .to_us = 4}}, 1100);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(Get("dead2").next_attempt_us, 1100);
  EXPECT_EQ(Get("done").next_attempt_us, 1000);
}

TEST_F(PgOutboxTest, ReplayIsBoundedPerCall) {
  const int64_t pb = Postback(acme_, "a");
  Deliveries(10'005, acme_, pb, DeliveryState::kDead, 0, /*digits=*/5);
  ReplaySelector dead{.filter = {.state = DeliveryState::kDead}};
  auto n = store_->ReplayDeliveries(acme_, dead, 50);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 10'000);
  EXPECT_EQ(Get("d00001").state, DeliveryState::kPending);  // oldest first
  EXPECT_EQ(Get("d10005").state, DeliveryState::kDead);
  n = store_->ReplayDeliveries(acme_, dead, 50);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5);

  ReplaySelector too_many;
  too_many.ids.assign(10'001, "d00001");
  EXPECT_EQ(store_->ReplayDeliveries(acme_, too_many, 50).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(PgOutboxTest, StatsCountWhatTheNotifierOwes) {
  auto empty = store_->GetOutboxStats();
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->pending, 0);
  EXPECT_EQ(empty->oldest_pending_created_us, 0);
  EXPECT_EQ(empty->dead, 0);
  EXPECT_EQ(empty->disabled_postbacks, 0);

  const int64_t live = Postback(acme_, "a");
  const int64_t off = Postback(other_, "b", /*disabled=*/true);
  Postback(acme_, "c", /*disabled=*/true, /*deleted=*/true);  // deleted: not counted
  Delivery("p1", acme_, live, 300, 0);
  Delivery("p2", other_, 0, 200, 0);  // a piggyback pixel
  Delivery("waits", other_, off, 100, 0);
  Delivery("x1", acme_, live, 50, 0, DeliveryState::kDead);
  Delivery("x2", other_, off, 60, 0, DeliveryState::kDead);
  Delivery("ok", acme_, live, 10, 0, DeliveryState::kDelivered);

  auto stats = store_->GetOutboxStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->pending, 2);
  EXPECT_EQ(stats->oldest_pending_created_us, 200);
  EXPECT_EQ(stats->dead, 2);
  EXPECT_EQ(stats->disabled_postbacks, 1);
}

// Two notifiers (two stores) claim and deliver while two API processes replay the same rows
// over and over, by ids in opposite orders and by filter. Nothing fails (no deadlock: every
// replay locks in one order, and the claim skips locked rows instead of waiting), and once
// all is replayed again, the claimers hand out every row exactly once between them.
TEST_F(PgOutboxTest, ReplaysRacingClaimsOutcomesAndEachOther) {
  const int64_t pb = Postback(acme_, "whsec_x");
  constexpr int kRows = 200;
  // Created in the reverse order of their ids: locking by id and by creation would cross.
  Deliveries(kRows, acme_, pb, DeliveryState::kPending, 1, 4, std::to_string(kRows + 1) + " - i");
  V forward;
  for (int i = 1; i <= kRows; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "d%04d", i);
    forward.push_back(id);
  }
  const V backward(forward.rbegin(), forward.rend());
  std::unique_ptr<Store> notifier2 = Open();
  std::unique_ptr<Store> api2 = Open();
  ASSERT_NE(notifier2, nullptr);
  ASSERT_NE(api2, nullptr);

  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::mutex mu;
  std::string first_error;
  auto fail = [&](const Status& s) {
    ++errors;
    std::lock_guard lock(mu);
    if (first_error.empty()) first_error = s.ToString();
  };
  const int64_t now = clock_.NowMicros();
  auto notifier = [&](Store* s) {
    // Bounded: stops when told, or after this many rounds.
    for (int round = 0; round < 2000 && !stop.load(); ++round) {
      auto c = s->ClaimDeliveries(now + kHourUs, now + 2 * kHourUs, 10);
      if (!c.ok()) return fail(c.status());
      for (const ClaimedDelivery& d : *c) {
        Status st = s->RecordDeliveryOutcome(
            Outcome(d.row.id, DeliveryState::kDelivered, 200, now + round));
        if (!st.ok()) return fail(st);
      }
    }
  };
  auto replayer = [&](Store* s, const V& ids) {
    for (int round = 0; round < 15; ++round) {
      auto n = s->ReplayDeliveries(acme_, {.ids = ids}, now);
      if (!n.ok()) return fail(n.status());
      n = s->ReplayDeliveries(acme_, {.filter = {.postback_id = pb}}, now);
      if (!n.ok()) return fail(n.status());
    }
  };
  std::thread n1(notifier, store_.get());
  std::thread n2(notifier, notifier2.get());
  std::thread r1(replayer, store_.get(), forward);
  std::thread r2(replayer, api2.get(), backward);
  r1.join();
  r2.join();
  stop = true;
  n1.join();
  n2.join();
  EXPECT_EQ(errors.load(), 0) << first_error;

  // Every row is pending or delivered, never lost; replayed once more, each goes out once.
  EXPECT_EQ(Int("SELECT COUNT(*) FROM outbox WHERE state IN (0, 1)"), kRows);
  auto n = api2->ReplayDeliveries(acme_, {.filter = {.postback_id = pb}}, now);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, kRows);
  auto claim_all = [&](Store* s) {
    V ids;
    for (int round = 0; round < kRows; ++round) {
      auto c = s->ClaimDeliveries(now + kHourUs, now + 3 * kHourUs, 7);
      if (!c.ok() || c->empty()) break;
      for (const ClaimedDelivery& d : *c) ids.push_back(d.row.id);
    }
    return ids;
  };
  std::future<V> c1 = std::async(std::launch::async, claim_all, store_.get());
  std::future<V> c2 = std::async(std::launch::async, claim_all, notifier2.get());
  V a1 = c1.get(), a2 = c2.get();
  std::set<std::string> all(a1.begin(), a1.end());
  for (const std::string& id : a2) EXPECT_TRUE(all.insert(id).second) << "claimed twice: " << id;
  EXPECT_EQ(all.size(), static_cast<size_t>(kRows));
  EXPECT_EQ(a1.size() + a2.size(), static_cast<size_t>(kRows));
}

}  // namespace
}  // namespace ct::testing_pg
