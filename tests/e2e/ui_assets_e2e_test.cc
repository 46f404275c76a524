// The embedded UI over real HTTP: the handler's Cache-Control replaces the API's no-store, a
// 304 goes out without a body or Content-Length and the connection stays usable, and the older
// /ui/status page keeps its own answer.
#include <gtest/gtest.h>

#include "testutil/http_client.h"
#include "testutil/server.h"

namespace ct::test {
namespace {

TEST(UiAssetsE2eTest, VendorFileIsCachedAndRevalidatedOnOneConnection) {
  ServerHarness s;
  ASSERT_TRUE(s.Start()) << s.Log();
  HttpClient c(s.port());
  HttpResponse r = c.Request("GET", "/ui/vendor/uPlot.iife.min.js");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("cache-control"), "max-age=3600");
  EXPECT_EQ(r.Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_NE(r.Header("content-security-policy").find("script-src 'self'"), std::string::npos);
  EXPECT_NE(r.body.find("uPlot"), std::string::npos);
  std::string etag = r.Header("etag");
  ASSERT_FALSE(etag.empty());

  HttpResponse again = c.Request("GET", "/ui/vendor/uPlot.iife.min.js", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.Header("content-length"), "");
  EXPECT_EQ(again.Header("etag"), etag);
  // The same kept-alive connection answers the next request (no stray body bytes were sent).
  HttpResponse css = c.Request("GET", "/ui/vendor/uPlot.min.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.Header("content-type"), "text/css; charset=utf-8");

  HttpResponse head = c.Request("HEAD", "/ui/vendor/uPlot.min.css");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-length"), css.Header("content-length"));

  HttpResponse missing = c.Request("GET", "/ui/no/such/file.js");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Header("cache-control"), "no-store");
  EXPECT_EQ(missing.Header("x-content-type-options"), "nosniff");

  // API answers keep no-store.
  EXPECT_EQ(c.Request("GET", "/api/v1/links").Header("cache-control"), "no-store");
  // The status page is unchanged: its inline script would not run under the UI's policy.
  HttpResponse status = c.Request("GET", "/ui/status");
  EXPECT_EQ(status.status, 200);
  EXPECT_EQ(status.Header("content-security-policy"), "");
}

}  // namespace
}  // namespace ct::test
