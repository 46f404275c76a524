#include "config/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

namespace ct {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ct-config-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  std::filesystem::path dir_;
};

bool Contains(const std::string& s, const std::string& sub) {
  return s.find(sub) != std::string::npos;
}

TEST_F(ConfigTest, Defaults) {
  Config c = Config::Defaults();
  EXPECT_EQ(c.Str("listen"), "127.0.0.1:8080");
  EXPECT_EQ(c.HostPort("listen"), std::make_pair(std::string("127.0.0.1"), uint16_t{8080}));
  EXPECT_EQ(c.Str("data_dir"), "./data");
  EXPECT_EQ(c.Str("public_url"), "");
  EXPECT_EQ(c.Int("edge.threads"), 2);
  EXPECT_EQ(c.Int("journal.commit_delay_us"), 2000);
  EXPECT_EQ(c.Str("journal.durability"), "group");
  EXPECT_EQ(c.Int("tracker.batch_max"), 20000);
  // Every default is valid for its own key.
  for (const auto& k : ConfigKeys()) {
    EXPECT_TRUE(ValidateConfigValue(k, k.default_value).ok()) << k.name;
  }
  // Load with nothing is the defaults.
  auto loaded = Config::Load(std::nullopt, {});
  ASSERT_TRUE(loaded.ok());
  for (const auto& k : ConfigKeys()) EXPECT_EQ(loaded->Str(k.name), c.Str(k.name)) << k.name;
}

TEST_F(ConfigTest, FileWithSectionsCommentsAndQuotes) {
  std::string path = Write("a.conf",
                           "# a comment\n"
                           "\n"
                           "listen = 0.0.0.0:9090\n"
                           "data_dir = \"/var/lib/click trail\"\n"
                           "   # indented comment\n"
                           "[edge]\n"
                           "threads = 8\r\n"
                           "\theader_timeout_s=30\n"
                           "[ journal ]\n"
                           "durability = \"strict\"\n"
                           "segment_mb = 128\n");
  auto c = Config::Load(path, {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->HostPort("listen"), std::make_pair(std::string("0.0.0.0"), uint16_t{9090}));
  EXPECT_EQ(c->Str("data_dir"), "/var/lib/click trail");
  EXPECT_EQ(c->Int("edge.threads"), 8);
  EXPECT_EQ(c->Int("edge.header_timeout_s"), 30);
  EXPECT_EQ(c->Str("journal.durability"), "strict");
  EXPECT_EQ(c->Int("journal.segment_mb"), 128);
  EXPECT_EQ(c->Int("api.threads"), 2);  // untouched keys keep their defaults
}

TEST_F(ConfigTest, OverridesWinOverFile) {
  std::string path = Write("b.conf", "[edge]\nthreads = 8\n");
  auto c = Config::Load(path, {{"edge.threads", "16"}, {"journal.durability", "none"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->Int("edge.threads"), 16);
  EXPECT_EQ(c->Str("journal.durability"), "none");
  // Later overrides win over earlier ones.
  auto d = Config::Load(std::nullopt, {{"edge.threads", "3"}, {"edge.threads", "4"}});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->Int("edge.threads"), 4);
}

TEST_F(ConfigTest, UnknownKeyInFileNamesKeyAndLine) {
  std::string path = Write("c.conf", "listen = 127.0.0.1:1\n[edge]\nthreadz = 4\n");
  auto c = Config::Load(path, {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(c.status().message(), "edge.threadz")) << c.status().message();
  EXPECT_TRUE(Contains(c.status().message(), ":3:")) << c.status().message();
}

TEST_F(ConfigTest, UnknownOverrideKey) {
  auto c = Config::Load(std::nullopt, {{"no.such_key", "1"}});
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Contains(c.status().message(), "no.such_key")) << c.status().message();
}

TEST_F(ConfigTest, OutOfRangeIntNamesKeyAndRange) {
  for (const char* v : {"0", "65", "-1", "99999999999999999999"}) {
    auto c = Config::Load(std::nullopt, {{"edge.threads", v}});
    ASSERT_FALSE(c.ok()) << v;
    const std::string& m = c.status().message();
    EXPECT_TRUE(Contains(m, "edge.threads")) << m;
    EXPECT_TRUE(Contains(m, "1 to 64")) << m;
  }
  EXPECT_TRUE(Config::Load(std::nullopt, {{"edge.threads", "1"}}).ok());
  EXPECT_TRUE(Config::Load(std::nullopt, {{"edge.threads", "64"}}).ok());
}

TEST_F(ConfigTest, NonIntegerRefused) {
  for (const char* v : {"", "abc", "4x", " 4", "4.0", "0x10"}) {
    auto c = Config::Load(std::nullopt, {{"api.threads", v}});
    EXPECT_FALSE(c.ok()) << "'" << v << "'";
  }
}

TEST_F(ConfigTest, BadEnum) {
  auto c = Config::Load(std::nullopt, {{"journal.durability", "sometimes"}});
  ASSERT_FALSE(c.ok());
  const std::string& m = c.status().message();
  EXPECT_TRUE(Contains(m, "journal.durability")) << m;
  EXPECT_TRUE(Contains(m, "group|strict|none")) << m;
  EXPECT_FALSE(Config::Load(std::nullopt, {{"journal.durability", "GROUP"}}).ok());
}

TEST_F(ConfigTest, HostPort) {
  auto ok = [](std::string_view v) { return ParseHostPort(v); };
  ASSERT_TRUE(ok("[::1]:8080").ok());
  EXPECT_EQ(ok("[::1]:8080")->first, "::1");
  EXPECT_EQ(ok("[::1]:8080")->second, 8080);
  EXPECT_EQ(ok("localhost:1")->first, "localhost");
  for (const char* v : {"", "8080", ":8080", "host:", "host:abc", "host:65536", "host:-1",
                        "host:80x", "host: 80"}) {
    EXPECT_FALSE(ParseHostPort(v).ok()) << "'" << v << "'";
  }
  auto c = Config::Load(std::nullopt, {{"listen", "localhost"}});
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Contains(c.status().message(), "listen")) << c.status().message();
  EXPECT_TRUE(Config::Load(std::nullopt, {{"listen", "0.0.0.0:0"}}).ok());
}

TEST_F(ConfigTest, BoolAndStringValidation) {
  ConfigKey b{"flag", ConfigType::kBool, "false", 0, 0, {}, "a flag"};
  EXPECT_TRUE(ValidateConfigValue(b, "true").ok());
  EXPECT_TRUE(ValidateConfigValue(b, "false").ok());
  EXPECT_FALSE(ValidateConfigValue(b, "yes").ok());
  EXPECT_FALSE(ValidateConfigValue(b, "1").ok());
  // Strings may not carry control characters.
  auto c = Config::Load(std::nullopt, {{"data_dir", std::string("a\nb")}});
  EXPECT_FALSE(c.ok());
}

TEST_F(ConfigTest, MissingFile) {
  std::string path = (dir_ / "does-not-exist.conf").string();
  auto c = Config::Load(path, {});
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Contains(c.status().message(), path)) << c.status().message();
}

TEST_F(ConfigTest, MalformedLines) {
  auto c = Config::Load(Write("d.conf", "listen 127.0.0.1:80\n"), {});
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Contains(c.status().message(), ":1:")) << c.status().message();
  EXPECT_FALSE(Config::Load(Write("e.conf", "[edge\nthreads = 2\n"), {}).ok());
  EXPECT_FALSE(Config::Load(Write("f.conf", "[]\n"), {}).ok());
  // A bad value in the file names file and line.
  auto g = Config::Load(Write("g.conf", "\n\nedge.threads = 0\n"), {});
  ASSERT_FALSE(g.ok());
  EXPECT_TRUE(Contains(g.status().message(), "g.conf:3:")) << g.status().message();
  EXPECT_TRUE(Contains(g.status().message(), "edge.threads")) << g.status().message();
}

TEST_F(ConfigTest, HelpTextMentionsEveryKey) {
  std::string help = Config::HelpText();
  for (const auto& k : ConfigKeys()) {
    EXPECT_TRUE(Contains(help, std::string(k.name) + " (")) << k.name;
    EXPECT_TRUE(Contains(help, std::string(k.help))) << k.name;
  }
  EXPECT_TRUE(Contains(help, "group|strict|none"));
  EXPECT_TRUE(Contains(help, "from 1 to 64"));
}

TEST_F(ConfigTest, SampleFileMentionsEveryKeyAndParsesBackToDefaults) {
  std::string sample = Config::SampleFile();
  for (const auto& k : ConfigKeys()) {
    EXPECT_TRUE(Contains(sample, "\n" + std::string(k.name) + " = ")) << k.name;
  }
  auto c = Config::Load(Write("sample.conf", sample), {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Config d = Config::Defaults();
  for (const auto& k : ConfigKeys()) EXPECT_EQ(c->Str(k.name), d.Str(k.name)) << k.name;
}

TEST_F(ConfigTest, KeyTableIsConsistent) {
  std::set<std::string_view> names;
  for (const auto& k : ConfigKeys()) {
    EXPECT_TRUE(names.insert(k.name).second) << "duplicate key " << k.name;
    EXPECT_FALSE(k.help.empty()) << k.name;
    if (k.type == ConfigType::kInt) {
      EXPECT_LE(k.min, k.max) << k.name;
    }
    if (k.type == ConfigType::kEnum) {
      EXPECT_FALSE(k.choices.empty()) << k.name;
    }
  }
}

}  // namespace
}  // namespace ct
