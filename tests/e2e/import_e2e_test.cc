// `clicktrail import` through the real binary, while the server runs on the same data: each
// sample export of tests/data/import goes in, its links redirect over HTTP, their stats show
// the imported total apart from the tracked one, a second import creates nothing, and bad
// usage or a damaged file exits 2 without touching the store.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/server.h"

namespace ct::test {
namespace {

namespace json = boost::json;

size_t LinkCount(const std::string& body) {
  json::value v = ParseJson(body);
  const json::value* links = v.is_object() ? v.as_object().if_contains("links") : nullptr;
  return links && links->is_array() ? links->as_array().size() : 0;
}

std::string Sample(const std::string& name) {
  return std::string(CT_TEST_DATA_DIR) + "/import/" + name;
}

class ImportE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = server_.CreateAccount("acme");
    ASSERT_FALSE(key_.empty());
    ASSERT_TRUE(server_.Start()) << server_.Log();
  }

  CommandResult Import(const std::string& format, const std::string& file,
                       std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {ClicktrailBin(),
                                     "import",
                                     "--format",
                                     format,
                                     file,
                                     "--account",
                                     key_,
                                     "--data",
                                     server_.data_dir(),
                                     "--set",
                                     "links.blocked_hosts=blocked.example.net"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunCommand(argv, std::chrono::seconds(60));
  }

  // The Location of GET /{slug} once the edge has picked the link up ("" after the deadline).
  std::string RedirectOf(const std::string& slug) {
    HttpClient c(server_.port());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      HttpResponse r = c.Request("GET", "/" + slug);
      if (r.status == 302) return r.Header("location");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "";
  }

  json::object LinkBySlug(const std::string& slug) {
    auto r = ApiCall(server_.port(), "GET", "/api/v1/links?limit=1000", key_);
    EXPECT_EQ(r.status, 200) << r.body;
    json::value v = ParseJson(r.body);
    for (const auto& l : v.as_object()["links"].as_array()) {
      if (JsonStr(l, "slug") == slug) return l.as_object();
    }
    ADD_FAILURE() << "no link " << slug;
    return {};
  }

  json::object Stats(int64_t link_id) {
    auto r =
        ApiCall(server_.port(), "GET", "/api/v1/links/" + std::to_string(link_id) + "/stats", key_);
    EXPECT_EQ(r.status, 200) << r.body;
    json::value v = ParseJson(r.body);
    return v.is_object() ? v.as_object() : json::object{};
  }

  ServerHarness server_;
  std::string key_;
};

TEST_F(ImportE2eTest, EverySampleImportsRedirectsAndShowsItsImportedTotal) {
  struct Case {
    std::string format, file, slug, destination;
    int64_t clicks;
    std::string created_line;
  };
  const std::vector<Case> cases = {
      {"bitly", "bitly_links.csv", "3xSpring",
       "https://shop.example.com/sale?utm_source=bitly&utm_medium=social", 1520,
       "created:          6"},
      {"yourls", "yourls_backup.sql", "gh", "https://github.com/YOURLS/YOURLS", 311,
       "created:          4"},
      {"shlink", "shlink_short_urls.csv", "docs", "https://shlink.io/documentation/", 120,
       "created:          3"},
      {"kutt", "kutt_links.json", "kutt1", "https://github.com/thedevs-network/kutt", 27,
       "created:          3"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.format);
    CommandResult r = Import(c.format, Sample(c.file));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find(c.created_line), std::string::npos) << r.out;
    // Not a terminal: plain progress lines, one per phase.
    EXPECT_NE(r.err.find("writing: "), std::string::npos) << r.err;

    EXPECT_EQ(RedirectOf(c.slug), c.destination);
    json::object link = LinkBySlug(c.slug);
    EXPECT_EQ(JsonStr(link, "imported_from"), c.format);
    EXPECT_EQ(JsonInt(link, "imported_clicks"), c.clicks);
    // The redirect above was a tracked click; the imported total stays apart from it.
    const int64_t id = JsonInt(link, "id");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    json::object stats = Stats(id);
    while (JsonInt(stats, "total") < 1 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      stats = Stats(id);
    }
    EXPECT_EQ(JsonInt(stats, "total"), 1);
    EXPECT_EQ(JsonInt(stats, "imported_total"), c.clicks);
  }
  // The summary lists what was skipped and where.
  CommandResult again = Import("bitly", Sample("bitly_links.csv"));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("created:          0"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("already existed:  6"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("invalid destination:  1 (line 6)"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("destination blocked:  1 (line 9)"), std::string::npos) << again.out;
  // A link made here has no imported total.
  auto made = ApiCall(server_.port(), "POST", "/api/v1/links", key_,
                      R"({"slug": "native", "destination": "https://example.com/n"})");
  ASSERT_EQ(made.status, 201) << made.body;
  json::value native = ParseJson(made.body);
  EXPECT_TRUE(native.as_object()["imported_from"].is_null());
  EXPECT_TRUE(Stats(JsonInt(native, "id"))["imported_total"].is_null());
}

TEST_F(ImportE2eTest, BadUsageAndDamagedFilesExitTwoAndChangeNothing) {
  EXPECT_EQ(Import("bitly", "/nonexistent/file.csv").exit_code, 2);
  EXPECT_EQ(Import("tinyurl", Sample("bitly_links.csv")).exit_code, 2);
  CommandResult wrong_key =
      RunCommand({ClicktrailBin(), "import", "--format", "bitly", Sample("bitly_links.csv"),
                  "--account", "424242", "--data", server_.data_dir()});
  EXPECT_EQ(wrong_key.exit_code, 2) << wrong_key.err;
  EXPECT_NE(wrong_key.err.find("no account 424242"), std::string::npos) << wrong_key.err;
  // A file of another format: Kutt's JSON read as a YOURLS dump is not SQL, nor a CSV with
  // the columns YOURLS needs.
  CommandResult mismatched = Import("yourls", Sample("kutt_links.json"));
  EXPECT_EQ(mismatched.exit_code, 2);
  EXPECT_NE(mismatched.err.find("line"), std::string::npos) << mismatched.err;
  EXPECT_EQ(Import("kutt", Sample("bitly_links.csv")).exit_code, 2);
  EXPECT_EQ(Import("bitly", Sample("bitly_links.csv"), {"--domain", "not-mine.example"}).exit_code,
            2);
  // Nothing was written by any of them.
  auto r = ApiCall(server_.port(), "GET", "/api/v1/links", key_);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(LinkCount(r.body), 0u) << r.body;

  // --dry-run reads everything and writes nothing; its summary says what would happen.
  CommandResult dry = Import("bitly", Sample("bitly_links.csv"), {"--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("would create:     6"), std::string::npos) << dry.out;
  r = ApiCall(server_.port(), "GET", "/api/v1/links", key_);
  EXPECT_EQ(LinkCount(r.body), 0u) << r.body;
}

}  // namespace
}  // namespace ct::test
