// QR codes of links, read back by a real QR decoder (zbarimg, Debian's zbar-tools): what the
// API draws is what a phone camera will open.
#include <gtest/gtest.h>

#include <fstream>

#include "testutil/api_helpers.h"
#include "testutil/http_client.h"
#include "testutil/json.h"
#include "testutil/server.h"

namespace ct::test {
namespace {

TEST(QrE2eTest, PngDecodesToTheShortUrlAndSvgIsServed) {
  ServerHarness s;
  std::string key = s.CreateAccount("a"), other = s.CreateAccount("b");
  ASSERT_TRUE(s.Start()) << s.Log();
  std::string path = CreateLinkPath(s.port(), key, "scan-me");
  ASSERT_FALSE(path.empty());

  auto png = ApiCall(s.port(), "GET", path + "/qr?format=png&size=300", key);
  ASSERT_EQ(png.status, 200) << png.body;
  EXPECT_EQ(png.Header("content-type"), "image/png");
  TempDir dir;
  std::ofstream(dir.Join("qr.png"), std::ios::binary) << png.body;
  auto decoded = RunCommand({"/usr/bin/zbarimg", "--raw", "-q", dir.Join("qr.png")});
  ASSERT_EQ(decoded.exit_code, 0) << decoded.err;
  EXPECT_EQ(decoded.out, "http://127.0.0.1:" + std::to_string(s.port()) + "/scan-me\n");

  auto svg = ApiCall(s.port(), "GET", path + "/qr?format=svg", key);
  ASSERT_EQ(svg.status, 200);
  EXPECT_EQ(svg.Header("content-type"), "image/svg+xml");
  EXPECT_EQ(svg.body.rfind("<svg", 0), 0u);

  EXPECT_EQ(ApiCall(s.port(), "GET", path + "/qr?format=gif", key).status, 400);
  EXPECT_EQ(ApiCall(s.port(), "GET", path + "/qr?size=9999", key).status, 400);
  EXPECT_EQ(ApiCall(s.port(), "GET", path + "/qr", other).status, 404) << "not yours";
}

}  // namespace
}  // namespace ct::test
