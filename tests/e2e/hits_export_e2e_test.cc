// Raw hits exported before they expire, end to end: clicks through the real server, their hits
// aged (the test rewrites their times in the SQLite file while the server is stopped, as if
// ten days had passed), `clicktrail export-hits` writing them as NDJSON.gz and CSV, then a
// restart with tracker.hits_retention_days=1 and tracker.hits_export_dir: the sweep writes
// hits-YYYY-MM-DD.ndjson.gz holding every hit (read back with zlib), deletes them from the
// store, and the unfiltered stats (rollups) stay exact.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <zlib.h>

#include <filesystem>
#include <set>
#include <thread>

#include "common/time_format.h"
#include "testutil/api_helpers.h"
#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/process.h"
#include "testutil/server.h"

namespace ct::test {
namespace {

namespace json = boost::json;

constexpr int64_t kDayUs = 86'400'000'000;

std::string Gunzip(const std::string& path) {
  std::string all;
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) return all;
  char buf[4096];
  int n = 0;
  while ((n = gzread(gz, buf, sizeof buf)) > 0) all.append(buf, static_cast<size_t>(n));
  EXPECT_EQ(n, 0) << "gzread error in " << path;
  gzclose(gz);
  return all;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  return out;
}

int64_t SqlInt(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  sqlite3_stmt* st = nullptr;
  int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    v = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

void Sql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

TEST(HitsExportE2eTest, ExpiringHitsAreExportedFirstAndTheCliExportsARange) {
  ServerHarness s;
  const std::string key = s.CreateAccount("acme");
  ASSERT_TRUE(s.Start()) << s.Log();
  const std::string link = CreateLinkPath(s.port(), key, "old");
  ASSERT_FALSE(link.empty());
  HttpClient c(s.port());
  for (int i = 0; i < 6; ++i)
    ASSERT_EQ(c.Request("GET", "/old?n=" + std::to_string(i)).status, 302);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (LinkTotal(s.port(), key, link) != 6 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(LinkTotal(s.port(), key, link), 6);
  // The click ids, as the click stream shows them.
  std::set<std::string> ids;
  auto hits = ParseJson(ApiCall(s.port(), "GET", link + "/hits", key).body);
  for (const auto& h : hits.as_object().at("hits").as_array()) {
    ids.insert(std::string(h.as_object().at("click_id").as_string()));
  }
  ASSERT_EQ(ids.size(), 6u);
  ASSERT_EQ(s.Terminate(), 0);

  // Ten days pass for the raw hits (the rollups keep today's buckets: what the stats show).
  const std::string db = s.data_dir() + "/clicktrail.db";
  Sql(db, "UPDATE hits SET time_us = time_us - " + std::to_string(10 * kDayUs));
  const int64_t hit_time = SqlInt(db, "SELECT MIN(time_us) FROM hits");
  const std::string day = FormatIso8601(hit_time / kDayUs * kDayUs).substr(0, 10);

  // The CLI: NDJSON.gz over a range holding them, and CSV.
  const std::string out = s.data_dir() + "/range.ndjson.gz";
  auto r = RunCommand({ClicktrailBin(), "export-hits", "--data", s.data_dir(), "--from",
                       FormatIso8601(hit_time - kDayUs), "--to", FormatIso8601(hit_time + kDayUs),
                       "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> cli_ids;
  for (const std::string& line : Lines(Gunzip(out))) {
    auto v = ParseJson(line);
    cli_ids.insert(JsonStr(v, "click_id"));
    EXPECT_EQ(JsonStr(v, "kind"), "click");
    EXPECT_EQ(JsonStr(v, "destination"), "https://example.com/");
  }
  EXPECT_EQ(cli_ids, ids);
  const std::string csv = s.data_dir() + "/range.csv";
  r = RunCommand(
      {ClicktrailBin(), "export-hits", "--data", s.data_dir(), "--out", csv, "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = Lines(ReadFile(csv));
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[0].rfind("click_id,event_id,kind,time,", 0), 0u) << rows[0];
  r = RunCommand(
      {ClicktrailBin(), "export-hits", "--data", s.data_dir(), "--out", csv, "--format", "xml"});
  EXPECT_EQ(r.exit_code, 2);

  // Restart with a one-day retention and an export directory: the first sweep runs at start.
  const std::string export_dir = s.data_dir() + "/export";
  s.set_extra_args(
      {"--set", "tracker.hits_retention_days=1", "--set", "tracker.hits_export_dir=" + export_dir});
  ASSERT_TRUE(s.Start()) << s.Log();
  const std::string file = export_dir + "/hits-" + day + ".ndjson.gz";
  const auto swept = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (SqlInt(db, "SELECT COUNT(*) FROM hits") != 0 && std::chrono::steady_clock::now() < swept) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(SqlInt(db, "SELECT COUNT(*) FROM hits"), 0) << s.Log();
  ASSERT_TRUE(std::filesystem::exists(file)) << s.Log();
  EXPECT_FALSE(std::filesystem::exists(file + ".tmp"));
  std::set<std::string> exported;
  for (const std::string& line : Lines(Gunzip(file))) {
    auto v = ParseJson(line);
    ASSERT_TRUE(v.is_object()) << line;
    exported.insert(JsonStr(v, "click_id"));
    EXPECT_EQ(JsonInt(v, "time_us") / kDayUs * kDayUs, hit_time / kDayUs * kDayUs);
    EXPECT_EQ("/api/v1/links/" + std::to_string(JsonInt(v, "link_id")), link);
    EXPECT_FALSE(JsonStr(v, "user_agent").empty());
    EXPECT_EQ(JsonStr(v, "ip"), "127.0.0.1");
  }
  EXPECT_EQ(exported, ids) << "every expired hit is in the export, once";
  // The click stream is empty now; the rollups are not.
  auto after = ParseJson(ApiCall(s.port(), "GET", link + "/hits", key).body);
  EXPECT_TRUE(after.as_object().at("hits").as_array().empty());
  EXPECT_EQ(LinkTotal(s.port(), key, link), 6);
  EXPECT_EQ(s.Terminate(), 0);
}

}  // namespace
}  // namespace ct::test
