// Shared fixture for the SQLite store tests: a fresh database file in its own temp directory
// (removed after the test), a fake clock, and helpers to build accounts, links and hits.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "common/clock.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace ct::testing_store {

// 2024-01-01T00:00:00Z: the start of a UTC day (and hour and minute).
inline constexpr int64_t kDay0 = 1'704'067'200'000'000;
inline constexpr int64_t kMinuteUs = 60'000'000;
inline constexpr int64_t kHourUs = 3'600'000'000;
inline constexpr int64_t kDayUs = 86'400'000'000;

inline HitRecord MakeHit(uint64_t n, int64_t link_id, int64_t account_id, int64_t time_us,
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
  h.visitor_key = visitor;
  return h;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ct-store-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "clicktrail.db").string();
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<Store> Open() {
    SqliteStoreOptions options;
    options.path = path_;
    options.clock = &clock_;
    options.read_connections = 2;
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
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

  LinkStats Stats(int64_t account_id, int64_t link_id, Interval interval,
                  int64_t from_us = kDay0 - 10 * kDayUs, int64_t to_us = kDay0 + 10 * kDayUs) {
    Result<std::optional<LinkStats>> s = store_->GetLinkStats({.account_id = account_id,
                                                               .link_id = link_id,
                                                               .from_us = from_us,
                                                               .to_us = to_us,
                                                               .interval = interval});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_TRUE(s.ok() && s->has_value());
    return s.ok() && s->has_value() ? **s : LinkStats{};
  }

  // The embedded tracker's next batch: the stored position's compare-and-set expects each batch
  // to start where the last one ended, so every call moves the position by one.
  CommitBatch NextBatch(std::vector<HitRecord> hits = {}) {
    CommitBatch b;
    b.consumer = "journal";
    b.from_position = position_;
    b.to_position = ++position_;
    b.hits = std::move(hits);
    return b;
  }
  // Commits `hits` as the next batch; a refused commit fails the test.
  CommitResult CommitHits(std::vector<HitRecord> hits) {
    Result<CommitResult> r = store_->Commit(NextBatch(std::move(hits)));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : CommitResult{};
  }

  FakeClock clock_;
  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
  uint64_t position_ = 0;
};

}  // namespace ct::testing_store
