// The command-line contract of ../shared/API.md: --help everywhere, exit 2 with a one-line
// reason for a bad flag or config value, `journal check` on a real journal, and strict
// durability counting exactly like the default.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "testutil/api_helpers.h"
#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/server.h"

namespace ct::test {
namespace {

TEST(CliE2eTest, HelpOnEveryCommand) {
  for (auto cmd : {std::vector<std::string>{"--help"},
                   {"serve", "--help"},
                   {"account", "--help"},
                   {"journal", "--help"}}) {
    std::vector<std::string> argv = {ClicktrailBin()};
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    auto r = RunCommand(argv);
    EXPECT_EQ(r.exit_code, 0) << cmd[0];
    EXPECT_NE(r.out.find("usage"), std::string::npos) << cmd[0];
  }
  auto serve_help = RunCommand({ClicktrailBin(), "serve", "--help"});
  EXPECT_NE(serve_help.out.find("journal.durability"), std::string::npos);
}

TEST(CliE2eTest, BadFlagsAndConfigValuesExit2WithOneLineReason) {
  TempDir dir;
  const std::vector<std::vector<std::string>> bad = {
      {"serve", "--bogus", "1"},
      {"serve", "--data", dir.path(), "--set", "journal.durability=sometimes"},
      {"serve", "--data", dir.path(), "--set", "edge.threads=0"},
      {"serve", "--data", dir.path(), "--set", "no.such.key=1"},
      {"serve", "--data", dir.path(), "--listen", "localhost"},
      {"serve", "--data", dir.path(), "--config", dir.Join("missing.conf")},
      {"serve", "--data", dir.path(), "--set", "alarm.pipeline_lag.channels=pager"},
      {"serve", "--data", dir.path(), "--set", "alarm.store_unreachable.channels=email"},
      {"serve", "--data", dir.path(), "--set", "alarm.webhook.url=ftp://example.com/x"},
      {"serve", "--data", dir.path(), "--set", "alarm.webhook.url=not a url"},
      {"serve", "--data", dir.path(), "--set", "alarm.email.url=smtp://127.0.0.1:25"},
      {"serve", "--data", dir.path(), "--set", "alarm.pipeline_lag_s=-5"},
      {"serve", "--data", dir.path(), "--set", "alarm.disk_used_percent=101"},
      {"account", "delete", "x"},
      {"nosuchcommand"},
  };
  for (const auto& args : bad) {
    std::vector<std::string> argv = {ClicktrailBin()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = RunCommand(argv, std::chrono::seconds(10));
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << args[1] << "\n" << r.err;
    EXPECT_FALSE(r.err.empty());
  }
  auto r = RunCommand({ClicktrailBin(), "serve", "--data", dir.path(), "--set", "edge.threads=0"});
  EXPECT_NE(r.err.find("edge.threads"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1 to 64"), std::string::npos) << r.err;
}

TEST(CliE2eTest, ConfigFileWithSectionsIsRead) {
  TempDir dir;
  std::string conf = dir.Join("c.conf");
  std::ofstream(conf) << "# test\n[journal]\ndurability = \"strict\"\n[edge]\nthreads = 1\n";
  ServerHarness s({"--config", conf});
  ASSERT_FALSE(s.CreateAccount("a").empty());
  ASSERT_TRUE(s.Start()) << s.Log();
  EXPECT_NE(s.Log().find("journal durability strict"), std::string::npos);
  EXPECT_EQ(s.Terminate(), 0);
}

TEST(CliE2eTest, StrictDurabilityCountsExactlyAndJournalCheckIsClean) {
  ServerHarness s({"--set", "journal.durability=strict"});
  std::string key = s.CreateAccount("a");
  ASSERT_TRUE(s.Start()) << s.Log();
  std::string path = CreateLinkPath(s.port(), key, "strict");
  ASSERT_FALSE(path.empty());
  HttpClient c(s.port());
  constexpr int kClicks = 300;
  for (int i = 0; i < kClicks; ++i) ASSERT_EQ(c.Request("GET", "/strict").status, 302);
  int64_t total = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (total < kClicks && std::chrono::steady_clock::now() < deadline) {
    total = LinkTotal(s.port(), key, path);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(total, kClicks);
  ASSERT_EQ(s.Terminate(), 0);
  auto check = RunCommand({ClicktrailBin(), "journal", "check", "--data", s.data_dir()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("CLEAN"), std::string::npos) << check.out;
}

TEST(CliE2eTest, JournalCheckReportsCorruptionAndExits1) {
  // Stop the server with clicks still in the journal (the tracker is behind), then flip a byte
  // in the middle of a segment.
  ServerHarness s;
  std::string key = s.CreateAccount("a");
  ASSERT_TRUE(s.Start()) << s.Log();
  ASSERT_FALSE(CreateLinkPath(s.port(), key, "cc").empty());
  HttpClient c(s.port());
  for (int i = 0; i < 50; ++i) ASSERT_EQ(c.Request("GET", "/cc").status, 302);
  s.Kill9();  // the journal keeps the clicks whatever the tracker had done
  std::string dir = s.data_dir() + "/journal";
  auto list = RunCommand({"/bin/sh", "-c", "ls " + dir + "/*.seg | tail -1"});
  std::string seg = list.out.substr(0, list.out.find('\n'));
  ASSERT_FALSE(seg.empty());
  auto before = RunCommand({ClicktrailBin(), "journal", "check", "--data", s.data_dir()});
  ASSERT_EQ(before.exit_code, 0) << before.out << before.err;
  // Inside the first record's payload (24-byte segment header, 12-byte record header, then
  // the event: version, kind, 16-byte id, time...): one byte of the time, inverted.
  std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
  constexpr std::streamoff kAt = 24 + 12 + 2 + 16 + 3;
  f.seekg(kAt);
  char byte = 0;
  f.get(byte);
  f.seekp(kAt);
  f.put(static_cast<char>(byte ^ 0xff));
  f.close();
  auto after = RunCommand({ClicktrailBin(), "journal", "check", "--data", s.data_dir()});
  EXPECT_EQ(after.exit_code, 1) << after.out;
  EXPECT_NE(after.out.find("corrupt"), std::string::npos) << after.out;
}

}  // namespace
}  // namespace ct::test
