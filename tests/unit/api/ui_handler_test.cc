// The embedded web UI: the table matches the files on disk (so the build re-embeds on change),
// and ServeUi answers with the contract's headers, ETag revalidation and errors.
#include "api/ui_handler.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "api/ui_assets.h"

namespace ct::api {
namespace {

namespace fs = std::filesystem;

const fs::path kRepo = fs::path(CT_TEST_DATA_DIR).parent_path().parent_path();

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string HeaderOf(const ApiResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

ApiResponse Get(std::string path, std::vector<std::pair<std::string, std::string>> headers = {}) {
  ApiRequest req{"GET", path, std::move(headers), "", "127.0.0.1"};
  return ServeUi(req, path);
}

void ExpectSecurityHeaders(const ApiResponse& r) {
  EXPECT_EQ(HeaderOf(r, "Content-Security-Policy"), kUiContentSecurityPolicy);
  EXPECT_EQ(HeaderOf(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(HeaderOf(r, "Referrer-Policy"), "same-origin");
}

TEST(UiAssetsTest, EveryFileUnderUiIsEmbeddedWithItsCurrentBytes) {
  std::set<std::string> on_disk;
  fs::path ui = kRepo / "ui";
  if (fs::exists(ui)) {
    for (const auto& e : fs::recursive_directory_iterator(ui)) {
      if (!e.is_regular_file()) continue;
      std::string rel = fs::relative(e.path(), ui).generic_string();
      if (rel.starts_with(".") || rel.find("/.") != rel.npos || rel.ends_with("~")) continue;
      on_disk.insert(rel);
      const EmbeddedFile* f = FindUiFile(rel);
      ASSERT_NE(f, nullptr) << rel;
      EXPECT_EQ(f->data, ReadAll(e.path())) << rel << " is stale in the binary";
    }
  }
  for (const EmbeddedFile& f : EmbeddedUiFiles()) {
    if (!f.path.starts_with("vendor/")) {
      EXPECT_TRUE(on_disk.count(std::string(f.path))) << f.path << " is not under ui/";
    }
  }
}

TEST(UiAssetsTest, UplotFromNpmIsEmbeddedUnderVendor) {
  fs::path dist = kRepo / "third_party/npm/node_modules/uplot/dist";
  for (std::string name : {"uPlot.iife.min.js", "uPlot.min.css"}) {
    const EmbeddedFile* f = FindUiFile("vendor/" + name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->data, ReadAll(dist / name)) << name;
    EXPECT_EQ(f->sha256.size(), 64u);
  }
}

TEST(UiAssetsTest, ContentTypesByExtension) {
  EXPECT_EQ(UiContentType("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(UiContentType("js/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(UiContentType("css/site.css"), "text/css; charset=utf-8");
  EXPECT_EQ(UiContentType("img/logo.svg"), "image/svg+xml");
  EXPECT_EQ(UiContentType("a.b/noext"), "application/octet-stream");
}

TEST(UiHandlerTest, ServesVendorScriptWithHeadersAndRevalidates) {
  ApiResponse r = Get("/ui/vendor/uPlot.iife.min.js");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(r.body, FindUiFile("vendor/uPlot.iife.min.js")->data);
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "max-age=3600");
  ExpectSecurityHeaders(r);
  std::string etag = HeaderOf(r, "ETag");
  ASSERT_GE(etag.size(), 3u);
  EXPECT_EQ(etag.front(), '"');

  ApiResponse same = Get("/ui/vendor/uPlot.iife.min.js", {{"if-none-match", etag}});
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  EXPECT_EQ(HeaderOf(same, "ETag"), etag);
  ExpectSecurityHeaders(same);
  EXPECT_EQ(Get("/ui/vendor/uPlot.iife.min.js", {{"if-none-match", "\"x\", W/" + etag}}).status,
            304);
  EXPECT_EQ(Get("/ui/vendor/uPlot.iife.min.js", {{"if-none-match", "\"other\""}}).status, 200);
  // Another file has another tag.
  EXPECT_NE(HeaderOf(Get("/ui/vendor/uPlot.min.css"), "ETag"), etag);
}

TEST(UiHandlerTest, RootIsIndexHtmlAndRevalidatedEveryTime) {
  if (FindUiFile("index.html") == nullptr) GTEST_SKIP() << "no ui/index.html in this tree";
  for (std::string path : {"/ui", "/ui/", "/ui/index.html"}) {
    ApiResponse r = Get(path);
    ASSERT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-cache");
    ExpectSecurityHeaders(r);
  }
}

TEST(UiHandlerTest, UnknownPathsAndWritesAreRefusedWithTheSameHeaders) {
  for (std::string path : {"/ui/nope.js", "/ui/../CMakeLists.txt", "/ui/vendor/", "/ui//index"}) {
    ApiResponse r = Get(path);
    EXPECT_EQ(r.status, 404) << path;
    ExpectSecurityHeaders(r);
  }
  ApiRequest post{"POST", "/ui/vendor/uPlot.min.css", {}, "", "127.0.0.1"};
  ApiResponse r = ServeUi(post, post.target);
  EXPECT_EQ(r.status, 405);
  ExpectSecurityHeaders(r);
}

}  // namespace
}  // namespace ct::api
