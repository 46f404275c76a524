// PostgreSQL store tests that hold this engine to the SQLite store's answers: a PgStoreTest
// with a SQLite store beside it (the reference, store/sqlite/), the same accounts and links in
// both (ids agree: both count from 1), and batches committed into one or both.
#pragma once

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "pg_fixture.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/temp_dir.h"

namespace ct::testing_pg {

inline HitRecord TwinHit(uint64_t n, int64_t link_id, int64_t account_id, int64_t time_us,
                         const std::string& visitor, EventKind kind = EventKind::kClick) {
  HitRecord h;
  h.event.kind = kind;
  std::memcpy(h.event.id.data(), "test-id-", 8);
  std::memcpy(h.event.id.data() + 8, &n, 8);
  h.event.time_us = time_us;
  h.event.link_id = link_id;
  h.event.account_id = account_id;
  h.event.ip = "192.0.2.1";
  h.event.user_agent = "Mozilla/5.0 test";
  h.event.referrer = "https://example.org/";
  h.event.accept_language = "en";
  h.event.destination = "https://example.com/d";
  h.visitor_key = visitor;
  return h;
}

class PgTwinTest : public PgStoreTest {
 protected:
  void SetUp() override {
    PgStoreTest::SetUp();
    SqliteStoreOptions o;
    o.path = dir_.Join("ct.db");
    o.clock = &clock_;
    Result<std::unique_ptr<Store>> s = OpenSqliteStore(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    lite_ = std::move(s).value();
  }
  void TearDown() override {
    lite_.reset();
    PgStoreTest::TearDown();
  }

  // Both engines, PostgreSQL first.
  std::vector<Store*> Engines() { return {store_.get(), lite_.get()}; }

  int64_t BothAccount(const std::string& name) {
    const int64_t id = Account(name, store_.get());
    EXPECT_EQ(Account(name, lite_.get()), id);
    return id;
  }
  int64_t BothLink(int64_t account, const std::string& slug) {
    const int64_t id = Link(account, slug, store_.get()).id;
    EXPECT_EQ(Link(account, slug, lite_.get()).id, id);
    return id;
  }

  // The next batch of consumer "j" into `stores` (default: PostgreSQL only).
  void Commit(std::vector<HitRecord> hits, std::vector<Store*> stores = {}) {
    if (stores.empty()) stores = {store_.get()};
    for (Store* s : stores) {
      CommitBatch b;
      b.consumer = "j";
      b.from_position = position_;
      b.to_position = position_ + 1;
      b.hits = hits;
      Result<CommitResult> r = s->Commit(b);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
    ++position_;
  }
  void CommitBoth(std::vector<HitRecord> hits) { Commit(std::move(hits), Engines()); }

  test::TempDir dir_;
  std::unique_ptr<Store> lite_;
  uint64_t position_ = 0;
};

}  // namespace ct::testing_pg
