// SqliteStore::Probe: a real write-and-read round trip, failing while another connection holds
// the write lock.
#include <sqlite3.h>

#include "store_fixture.h"

namespace ct::testing_store {
namespace {

class ProbeTest : public StoreTest {};

TEST_F(ProbeTest, SucceedsOnAHealthyStore) {
  EXPECT_TRUE(store_->Probe().ok());
  EXPECT_TRUE(store_->Probe().ok());  // the row is rewritten, not inserted twice
}

TEST_F(ProbeTest, FailsWhileAnotherConnectionHoldsTheWriteLockAndRecoversAfter) {
  store_.reset();
  SqliteStoreOptions options;
  options.path = path_;
  options.clock = &clock_;
  options.read_connections = 1;
  options.probe_timeout = std::chrono::milliseconds(100);
  auto opened = OpenSqliteStore(options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  store_ = std::move(opened).value();

  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);

  const auto t0 = std::chrono::steady_clock::now();
  Status s = store_->Probe();
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  // The probe's own short busy timeout, not the store's 5 s one.
  EXPECT_LT(took, std::chrono::seconds(2));

  ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_TRUE(store_->Probe().ok());
  sqlite3_close(other);
}

TEST_F(ProbeTest, ProbeTableExistsAfterMigration) {
  ASSERT_TRUE(store_->Probe().ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT COUNT(*), length(token) FROM probe", -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 1);
  EXPECT_EQ(sqlite3_column_int(stmt, 1), 16);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

}  // namespace
}  // namespace ct::testing_store
