// PgChangeListener against a real PostgreSQL: a link created through the store notifies the
// listener at commit (the trigger of migration 2), a rolled-back change does not, and the
// listener reconnects after the server restarts.
#include "store/postgres/pg_change_listener.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "pg_fixture.h"

namespace ct::testing_pg {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class PgChangeListenerTest : public PgStoreTest {
 protected:
  // Polls until `pred` holds or `timeout` passes.
  template <typename Pred>
  static bool WaitUntil(Pred pred, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) return true;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return pred();
  }
};

TEST_F(PgChangeListenerTest, ALinkChangeNotifiesAtCommit) {
  const int64_t account = Account("acme");
  MetricsRegistry metrics;
  std::atomic<int> calls{0};
  PgChangeListener listener(
      Options(), [&] { ++calls; }, &metrics);
  listener.Start();
  // The first call comes on connecting (whatever changed before it listened).
  ASSERT_TRUE(WaitUntil([&] { return calls.load() >= 1; }, seconds(10)));
  const int before = calls.load();
  Link(account, "fresh");
  EXPECT_TRUE(WaitUntil([&] { return calls.load() > before; }, seconds(10)));
  Counter* notes = metrics.AddCounter("clicktrail_edge_link_notifications_total", "");
  EXPECT_GE(notes->Value(), 1u);
  listener.Stop();
}

TEST_F(PgChangeListenerTest, ARolledBackChangeDoesNotNotify) {
  MetricsRegistry metrics;
  std::atomic<int> calls{0};
  PgChangeListener listener(
      Options(), [&] { ++calls; }, &metrics);
  listener.Start();
  ASSERT_TRUE(WaitUntil([&] { return calls.load() >= 1; }, seconds(10)));
  Sql("BEGIN; UPDATE change_version SET v = v + 1 WHERE id = 1; ROLLBACK;");
  std::this_thread::sleep_for(milliseconds(500));
  Counter* notes = metrics.AddCounter("clicktrail_edge_link_notifications_total", "");
  EXPECT_EQ(notes->Value(), 0u);
  Sql("UPDATE change_version SET v = v + 1 WHERE id = 1");
  EXPECT_TRUE(WaitUntil([&] { return notes->Value() == 1; }, seconds(10)));
}

TEST_F(PgChangeListenerTest, ReconnectsAfterTheServerRestarts) {
  MetricsRegistry metrics;
  std::atomic<int> calls{0};
  PgChangeListener listener(
      Options(), [&] { ++calls; }, &metrics);
  listener.Start();
  ASSERT_TRUE(WaitUntil([&] { return calls.load() >= 1; }, seconds(10)));
  ASSERT_TRUE(cluster_->Stop());
  ASSERT_TRUE(cluster_->Start());
  // A second connection: the call made on connecting.
  ASSERT_TRUE(WaitUntil([&] { return calls.load() >= 2; }, seconds(30)));
  Counter* notes = metrics.AddCounter("clicktrail_edge_link_notifications_total", "");
  Sql("UPDATE change_version SET v = v + 1 WHERE id = 1");
  EXPECT_TRUE(WaitUntil([&] { return notes->Value() >= 1; }, seconds(10)));
}

}  // namespace
}  // namespace ct::testing_pg
