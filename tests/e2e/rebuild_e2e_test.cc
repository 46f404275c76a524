// `clicktrail rebuild` end to end: the real binary rebuilds the rollups of the database that a
// running `clicktrail serve` keeps writing (clicks keep arriving during the rebuild), with a
// crawler list that catches a User-Agent the server's list missed: the past is reclassified,
// nothing committed during the rebuild is lost, and a second rebuild changes nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <ctime>
#include <fstream>
#include <thread>

#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/process.h"
#include "testutil/server.h"
#include "testutil/temp_dir.h"

namespace ct::test {
namespace {

namespace json = boost::json;

constexpr const char* kBrowser =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36";
constexpr const char* kSneaky = "SneakyCrawler/3.1 (+https://sneaky.example/bot)";
constexpr const char* kGooglebot =
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

std::string WriteCrawlers(const TempDir& dir, const std::string& name,
                          const std::string& patterns_json) {
  const std::string path = dir.path() + "/" + name;
  std::ofstream(path) << patterns_json;
  return path;
}

// "YYYY-MM-DD" of now + `days`, UTC.
std::string Date(int days) {
  std::time_t t = std::time(nullptr) + days * 86400;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

class RebuildE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    missing_ = WriteCrawlers(dir_, "old.json", R"([{"pattern": "Googlebot"}])");
    catching_ = WriteCrawlers(dir_, "new.json",
                              R"([{"pattern": "Googlebot"}, {"pattern": "SneakyCrawler"}])");
    server_ = std::make_unique<ServerHarness>(
        std::vector<std::string>{"--set", "enrich.crawlers=" + missing_});
    key_ = server_->CreateAccount("acme");
    ASSERT_FALSE(key_.empty());
    ASSERT_TRUE(server_->Start()) << server_->Log();
    auto r = ApiCall(server_->port(), "POST", "/api/v1/links", key_,
                     R"({"destination": "https://example.com/x", "slug": "rb"})");
    ASSERT_EQ(r.status, 201) << r.body;
    link_ = JsonInt(ParseJson(r.body), "id");
  }
  void TearDown() override {
    if (server_) server_->Terminate();
  }

  bool Click(const char* ua) {
    HttpClient c(server_->port());
    return c.Request("GET", "/rb", {{"User-Agent", ua}}).status == 302;
  }
  json::value Stats() {
    auto r = ApiCall(server_->port(), "GET",
                     "/api/v1/links/" + std::to_string(link_) + "/stats?interval=day", key_);
    EXPECT_EQ(r.status, 200) << r.body;
    return ParseJson(r.body);
  }
  static std::string Counts(const json::value& v) {
    return std::to_string(JsonInt(v, "total")) + "/" + std::to_string(JsonInt(v, "unique")) + "/" +
           std::to_string(JsonInt(v, "bots")) + "/" + std::to_string(JsonInt(v, "head"));
  }
  // Waits (bounded) until the stats count `want` clicks and bots.
  json::value WaitForCount(int64_t want) {
    json::value v;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      v = Stats();
      if (JsonInt(v, "total") + JsonInt(v, "bots") >= want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return v;
  }
  CommandResult Rebuild(const std::string& crawlers, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {ClicktrailBin(), "rebuild",
                                     "--from",        Date(-1),
                                     "--to",          Date(1),
                                     "--data",        server_->data_dir(),
                                     "--set",         "enrich.crawlers=" + crawlers};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunCommand(argv, std::chrono::seconds(180));
  }

  TempDir dir_;
  std::string missing_, catching_;
  std::unique_ptr<ServerHarness> server_;
  std::string key_;
  int64_t link_ = 0;
};

TEST_F(RebuildE2eTest, RebuildWhileServingReclassifiesThePastAndLosesNothing) {
  constexpr int kHumans = 40, kSneakies = 25, kBots = 10;
  int sent = 0;
  for (int i = 0; i < kHumans; ++i) sent += Click(kBrowser);
  for (int i = 0; i < kSneakies; ++i) sent += Click(kSneaky);
  for (int i = 0; i < kBots; ++i) sent += Click(kGooglebot);
  ASSERT_EQ(sent, kHumans + kSneakies + kBots);
  json::value before = WaitForCount(sent);
  ASSERT_EQ(JsonInt(before, "total"), kHumans + kSneakies) << json::serialize(before);
  ASSERT_EQ(JsonInt(before, "bots"), kBots);

  // Clicks keep coming while the rebuild runs: a bounded loop on another thread.
  std::atomic<bool> stop{false};
  std::atomic<int> during{0};
  std::thread clicker([&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!stop.load() && during.load() < 400 && std::chrono::steady_clock::now() < deadline) {
      if (Click(kBrowser)) ++during;
    }
  });
  while (during.load() < 5) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CommandResult r = Rebuild(catching_);
  stop = true;
  clicker.join();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("rebuilt "), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("events/s"), std::string::npos) << r.err;  // the progress line

  const int64_t all = sent + during.load();
  json::value after = WaitForCount(all);
  EXPECT_EQ(JsonInt(after, "bots"), kBots + kSneakies) << json::serialize(after);
  EXPECT_EQ(JsonInt(after, "total"), kHumans + during.load()) << json::serialize(after);
  // Each click here comes without the visitor cookie the edge sets, so each is a new visitor's
  // first: the sneaky crawler's are no longer uniques once they are bots.
  EXPECT_EQ(JsonInt(before, "unique"), kHumans + kSneakies);
  EXPECT_EQ(JsonInt(after, "unique"), kHumans + during.load());

  // Nothing arrives any more: rebuilding again with the same rules changes no count (the
  // clicks the server committed during the first run get the new classifier version stamped),
  // and a third run then has not one hit left to rewrite.
  CommandResult again = Rebuild(catching_);
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(Counts(Stats()), Counts(after));
  CommandResult third = Rebuild(catching_);
  ASSERT_EQ(third.exit_code, 0) << third.out << third.err;
  EXPECT_NE(third.out.find("; 0 hits rewritten"), std::string::npos) << third.out;
  EXPECT_EQ(Counts(Stats()), Counts(after));
}

TEST_F(RebuildE2eTest, BadUsageExitsTwo) {
  CommandResult r =
      RunCommand({ClicktrailBin(), "rebuild", "--from", Date(0), "--data", server_->data_dir()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--from and --to are required"), std::string::npos) << r.err;
  r = RunCommand({ClicktrailBin(), "rebuild", "--from", Date(1), "--to", Date(0), "--data",
                  server_->data_dir()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

}  // namespace
}  // namespace ct::test
