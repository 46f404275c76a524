// Shared fixture for the PostgreSQL store tests: one throwaway cluster per test binary (initdb
// costs seconds), a fresh database per test, a fake clock, and the SQLite fixture's helpers.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "common/clock.h"
#include "store/postgres/postgres_store.h"
#include "store/store.h"
#include "testutil/pg_cluster.h"

namespace ct::testing_pg {

inline constexpr int64_t kDay0 = 1'704'067'200'000'000;  // 2024-01-01T00:00:00Z
inline constexpr int64_t kMinuteUs = 60'000'000;
inline constexpr int64_t kHourUs = 3'600'000'000;
inline constexpr int64_t kDayUs = 86'400'000'000;

class PgStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = new test::PgCluster(); }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(cluster_, nullptr);
    ASSERT_TRUE(cluster_->running());
    static std::atomic<int> n{0};
    db_ = "t" + std::to_string(getpid()) + "_" + std::to_string(++n);
    cluster_->Psql("CREATE DATABASE " + db_);
    clock_.SetWallMicros(kDay0 + 12 * kHourUs);
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override { store_.reset(); }

  std::string Url() const { return cluster_->conninfo() + " dbname=" + db_; }

  PostgresOptions Options() {
    PostgresOptions o;
    o.url = Url();
    o.clock = &clock_;
    o.pool_size = 4;
    o.statement_timeout_ms = 5000;
    o.connect_timeout_s = 3;
    return o;
  }

  std::unique_ptr<Store> Open() {
    Result<std::unique_ptr<Store>> s = OpenPostgresStore(Options());
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  // One SQL query's result through psql (unaligned, tuples only, "|" between columns).
  std::string Sql(const std::string& sql) { return cluster_->Psql(sql, db_); }

  int64_t Int(const std::string& sql) {
    const std::string out = Sql(sql);
    return out.empty() ? -1 : std::stoll(out);
  }

  int64_t Account(const std::string& name, Store* store = nullptr) {
    Result<int64_t> id =
        (store ? store : store_.get())->CreateAccount({name, "hash-" + name, name.substr(0, 4)});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  LinkRow Link(int64_t account_id, const std::string& slug, Store* store = nullptr) {
    Result<LinkRow> row = (store ? store : store_.get())
                              ->CreateLink({.account_id = account_id,
                                            .slug = slug,
                                            .destination = "https://example.com/" + slug});
    EXPECT_TRUE(row.ok()) << row.status().ToString();
    return row.ok() ? *row : LinkRow{};
  }

  static test::PgCluster* cluster_;
  FakeClock clock_;
  std::string db_;
  std::unique_ptr<Store> store_;
};

inline test::PgCluster* PgStoreTest::cluster_ = nullptr;

}  // namespace ct::testing_pg
