#include "api/qr_code.h"

#include <gtest/gtest.h>

namespace ct::api {
namespace {

uint32_t BigEndian32(const std::string& s, size_t at) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(s[at])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(s[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(s[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(s[at + 3]));
}

TEST(QrCodeTest, PngIsAPngOfAboutTheAskedSize) {
  auto png = RenderQr("http://127.0.0.1:8080/promo", QrFormat::kPng, 256);
  ASSERT_TRUE(png.ok()) << png.status().ToString();
  ASSERT_GT(png->size(), 33u);
  EXPECT_EQ(png->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png->substr(12, 4), "IHDR");
  uint32_t w = BigEndian32(*png, 16), h = BigEndian32(*png, 20);
  EXPECT_EQ(w, h);
  EXPECT_LE(w, 256u);
  // Whole pixels per module: short of the asked size by less than one pixel per module (this
  // URL needs a version-3 symbol, 29 modules + 2 x 4 of quiet zone = 37).
  EXPECT_GT(w, 256u - 37u);
}

TEST(QrCodeTest, SvgHasTheSizeAndModules) {
  auto svg = RenderQr("http://127.0.0.1:8080/promo", QrFormat::kSvg, 300);
  ASSERT_TRUE(svg.ok());
  EXPECT_NE(svg->find("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"300\""),
            std::string::npos);
  EXPECT_NE(svg->find("<path d=\"M"), std::string::npos);
}

TEST(QrCodeTest, SizeBoundsAndOverlongTextAreRefused) {
  EXPECT_FALSE(RenderQr("x", QrFormat::kPng, kMinQrSize - 1).ok());
  EXPECT_FALSE(RenderQr("x", QrFormat::kPng, kMaxQrSize + 1).ok());
  auto big = RenderQr(std::string(5000, 'a'), QrFormat::kPng, 256);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ct::api
