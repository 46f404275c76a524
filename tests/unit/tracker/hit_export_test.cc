// HitExporter and the retention's export: every hit of a day lands in hits-YYYY-MM-DD.ndjson.gz
// (read back here with zlib, row by row), the file is committed before any hit is deleted,
// exactly the exported hits are deleted, a re-run adds nothing twice, a late hit of an exported
// day becomes a second gzip member, and rollups stay exact.
#include "tracker/hit_export.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "common/event.h"
#include "common/time_format.h"
#include "store/forwarding_store.h"
#include "tracker/hit_retention.h"
#include "unit/store/store_fixture.h"

namespace ct::testing_store {
namespace {

namespace json = boost::json;

// Every line of a (possibly multi-member) gzip file, parsed.
std::vector<json::object> ReadGzLines(const std::string& path) {
  std::vector<json::object> out;
  gzFile gz = gzopen(path.c_str(), "rb");
  EXPECT_NE(gz, nullptr) << path;
  if (gz == nullptr) return out;
  std::string all;
  char buf[4096];
  int n = 0;
  while ((n = gzread(gz, buf, sizeof buf)) > 0) all.append(buf, static_cast<size_t>(n));
  EXPECT_EQ(n, 0) << "gzread error";
  gzclose(gz);
  size_t at = 0;
  while (at < all.size()) {
    size_t nl = all.find('\n', at);
    EXPECT_NE(nl, std::string::npos) << "unterminated last line";
    if (nl == std::string::npos) break;
    out.push_back(json::parse(all.substr(at, nl - at)).as_object());
    at = nl + 1;
  }
  return out;
}

class HitExportTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    account_ = Account("acme");
    link_ = Link(account_, "promo").id;
    export_dir_ = (dir_ / "export").string();
  }
  HitRecord Hit(int64_t time_us, const std::string& visitor) {
    HitRecord h = MakeHit(++seq_, link_, account_, time_us, visitor);
    h.event.destination = "https://example.com/promo";
    h.event.visitor_id = "vid-" + visitor;
    h.event.flags = kFlagNewVisitor;
    h.enrichment = {"DE", "mobile", "android", "chrome", "example.org", "de", false};
    return h;
  }
  void Commit(std::vector<HitRecord> hits) {
    CommitBatch b;
    b.consumer = "journal";
    b.from_position = position_;
    b.to_position = ++position_;
    for (const HitRecord& h : hits) committed_[ClickId(h.event.id)] = h;
    b.hits = std::move(hits);
    Result<CommitResult> r = store_->Commit(b);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  int64_t HitsInStore() {
    auto rows = store_->ScanHits(INT64_MIN, INT64_MAX, std::nullopt, 100000);
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? static_cast<int64_t>(rows->size()) : -1;
  }
  // Checks every field of every exported row against what was committed.
  void ExpectRowsMatch(const std::vector<json::object>& rows) {
    for (const json::object& o : rows) {
      const std::string id(o.at("click_id").as_string());
      ASSERT_TRUE(committed_.count(id)) << id;
      const HitRecord& h = committed_[id];
      EXPECT_EQ(o.at("event_id").as_string(), EventIdHex(h.event.id));
      EXPECT_EQ(o.at("kind").as_string(), "click");
      EXPECT_EQ(o.at("time").as_string(), FormatIso8601(h.event.time_us));
      EXPECT_EQ(o.at("time_us").as_int64(), h.event.time_us);
      EXPECT_EQ(o.at("link_id").as_int64(), link_);
      EXPECT_EQ(o.at("account_id").as_int64(), account_);
      EXPECT_EQ(o.at("ip").as_string(), h.event.ip);
      EXPECT_EQ(o.at("user_agent").as_string(), h.event.user_agent);
      EXPECT_EQ(o.at("referrer").as_string(), h.event.referrer);
      EXPECT_EQ(o.at("accept_language").as_string(), h.event.accept_language);
      EXPECT_EQ(o.at("country").as_string(), "DE");
      EXPECT_EQ(o.at("device").as_string(), "mobile");
      EXPECT_EQ(o.at("os").as_string(), "android");
      EXPECT_EQ(o.at("browser").as_string(), "chrome");
      EXPECT_EQ(o.at("referrer_domain").as_string(), "example.org");
      EXPECT_EQ(o.at("language").as_string(), "de");
      EXPECT_EQ(o.at("bot").as_bool(), false);
      EXPECT_TRUE(o.at("unique").is_bool());
      EXPECT_EQ(o.at("destination").as_string(), "https://example.com/promo");
      EXPECT_EQ(o.at("visitor_id").as_string(), h.event.visitor_id);
      EXPECT_EQ(o.at("flags").as_int64(), kFlagNewVisitor);
      EXPECT_EQ(o.at("visitor_key").as_string().size(), 2 * h.visitor_key.size());
    }
  }

  int64_t account_ = 0, link_ = 0;
  uint64_t seq_ = 0, position_ = 0;
  std::string export_dir_;
  std::map<std::string, HitRecord> committed_;
};

TEST_F(HitExportTest, ExportDayWritesEveryHitOfTheDayOnce) {
  std::vector<HitRecord> hits;
  for (int i = 0; i < 23; ++i) hits.push_back(Hit(kDay0 + i * kHourUs, "v" + std::to_string(i)));
  hits.push_back(Hit(kDay0 + kDayUs, "next-day"));  // not this day's
  Commit(std::move(hits));
  HitExporter exporter({export_dir_, /*batch_rows=*/5}, store_.get());  // pages of 5
  auto ids = exporter.ExportDay(kDay0);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(ids->size(), 23u);
  const std::string path = export_dir_ + "/hits-2024-01-01.ndjson.gz";
  EXPECT_EQ(exporter.DayPath(kDay0), path);
  auto rows = ReadGzLines(path);
  ASSERT_EQ(rows.size(), 23u);
  ExpectRowsMatch(rows);
  std::set<std::string> distinct;
  for (const auto& o : rows) distinct.insert(std::string(o.at("click_id").as_string()));
  EXPECT_EQ(distinct.size(), 23u);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_EQ(HitsInStore(), 24) << "exporting deletes nothing";

  // A re-run (a crash before the delete) writes nothing twice.
  ids = exporter.ExportDay(kDay0);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->size(), 23u);
  EXPECT_EQ(ReadGzLines(path).size(), 23u);
}

TEST_F(HitExportTest, RerunAfterAPartialDeleteKeepsTheDeletedHitsAndAddsTheLateOne) {
  Commit({Hit(kDay0 + 1, "a"), Hit(kDay0 + 2, "b"), Hit(kDay0 + 3, "c")});
  HitExporter exporter({export_dir_, 100}, store_.get());
  auto ids = exporter.ExportDay(kDay0);
  ASSERT_TRUE(ids.ok());
  // A crash after deleting only some of them, then a late hit of the same day.
  ASSERT_TRUE(store_->DeleteHits({(*ids)[0]}).ok());
  Commit({Hit(kDay0 + 4, "late")});
  ids = exporter.ExportDay(kDay0);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->size(), 3u);  // b, c and the late one are what the store still holds
  auto rows = ReadGzLines(exporter.DayPath(kDay0));
  ASSERT_EQ(rows.size(), 4u) << "a (deleted) stays, b and c once, late appended";
  ExpectRowsMatch(rows);
  EXPECT_EQ(rows.back().at("time_us").as_int64(), kDay0 + 4);
}

TEST_F(HitExportTest, AnUnreadableDayFileIsNeverOverwritten) {
  Commit({Hit(kDay0 + 1, "a")});
  std::filesystem::create_directories(export_dir_);
  HitExporter exporter({export_dir_, 100}, store_.get());
  {
    std::ofstream f(exporter.DayPath(kDay0));
    f << "not gzip, not json\n";
  }
  auto ids = exporter.ExportDay(kDay0);
  EXPECT_FALSE(ids.ok());
  std::ifstream f(exporter.DayPath(kDay0));
  std::string first;
  std::getline(f, first);
  EXPECT_EQ(first, "not gzip, not json");
}

TEST_F(HitExportTest, RetentionExportsWholeDaysThenDeletesExactlyThem) {
  clock_.SetWallMicros(kDay0 + 10 * kDayUs + 12 * kHourUs);  // day 10, noon
  std::vector<HitRecord> hits;
  for (int d = 0; d < 3; ++d) {  // days 0..2: 4 hits each, expire (older than 7 days)
    for (int i = 0; i < 4; ++i) {
      hits.push_back(Hit(kDay0 + d * kDayUs + i * kMinuteUs, "d" + std::to_string(d * 10 + i)));
    }
  }
  // Day 3: now - 7 days is day 3 at noon; only whole days expire, so all of day 3 is kept,
  // before noon as after.
  hits.push_back(Hit(kDay0 + 3 * kDayUs + 1, "kept-1"));
  hits.push_back(Hit(kDay0 + 3 * kDayUs + 13 * kHourUs, "kept-2"));
  Commit(std::move(hits));
  const LinkStats before = Stats(account_, link_, Interval::kDay);

  HitRetentionOptions o;
  o.retention_days = 7;
  o.batch_rows = 3;
  o.pause = std::chrono::milliseconds(0);
  o.export_dir = export_dir_;
  HitRetention retention(o, store_.get(), &clock_);
  Result<int64_t> n = retention.RunOnce();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 12);
  EXPECT_EQ(HitsInStore(), 2);
  for (const char* day : {"2024-01-01", "2024-01-02", "2024-01-03"}) {
    auto rows = ReadGzLines(export_dir_ + "/hits-" + day + ".ndjson.gz");
    EXPECT_EQ(rows.size(), 4u) << day;
    ExpectRowsMatch(rows);
  }
  EXPECT_FALSE(std::filesystem::exists(export_dir_ + "/hits-2024-01-04.ndjson.gz"));
  const LinkStats after = Stats(account_, link_, Interval::kDay);
  EXPECT_EQ(after.total, before.total) << "rollups are never touched";
  EXPECT_EQ(after.unique, before.unique);

  // Nothing left to expire: a second sweep is a no-op.
  n = retention.RunOnce();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
}

// A store whose deletes fail: the export is on disk, the hits stay in the store.
class NoDeleteStore : public ForwardingStore {
 public:
  explicit NoDeleteStore(Store* target) : target_(target, [](Store*) {}) {}
  Result<int64_t> DeleteHits(const std::vector<EventId>&) override {
    return Status::Unavailable("injected");
  }

 protected:
  std::shared_ptr<Store> Target() const override { return target_; }

 private:
  std::shared_ptr<Store> target_;
};

TEST_F(HitExportTest, AFailedDeleteLeavesTheHitsAndTheFile) {
  clock_.SetWallMicros(kDay0 + 10 * kDayUs);
  Commit({Hit(kDay0 + 1, "a"), Hit(kDay0 + 2, "b")});
  NoDeleteStore failing(store_.get());
  HitRetentionOptions o;
  o.retention_days = 1;
  o.export_dir = export_dir_;
  HitRetention retention(o, &failing, &clock_);
  EXPECT_FALSE(retention.RunOnce().ok());
  EXPECT_EQ(HitsInStore(), 2);
  EXPECT_EQ(ReadGzLines(export_dir_ + "/hits-2024-01-01.ndjson.gz").size(), 2u);
  // The next sweep (store healed) deletes them without writing them twice.
  HitRetention healed(o, store_.get(), &clock_);
  ASSERT_TRUE(healed.RunOnce().ok());
  EXPECT_EQ(HitsInStore(), 0);
  EXPECT_EQ(ReadGzLines(export_dir_ + "/hits-2024-01-01.ndjson.gz").size(), 2u);
}

}  // namespace
}  // namespace ct::testing_store
