#include "api/qr_code.h"

#include <fmt/format.h>
#include <png.h>
#include <qrencode.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace ct::api {
namespace {

struct QrDeleter {
  void operator()(QRcode* q) const { QRcode_free(q); }
};

void AppendToString(png_structp png, png_bytep data, png_size_t n) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char*>(data), n);
}

Result<std::string> Png(const QRcode& qr, int scale) {
  const int modules = qr.width + 2 * kQrQuietZone;
  const int pixels = modules * scale;
  std::string out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return Status::Internal("png_create_write_struct failed");
  png_infop info = png_create_info_struct(png);
  if (info == nullptr || setjmp(png_jmpbuf(png))) {
    // libpng reports errors by longjmp: nothing with a destructor lives in this frame.
    png_destroy_write_struct(&png, &info);
    return Status::Internal("libpng failed to write the QR image");
  }
  png_set_write_fn(png, &out, AppendToString, nullptr);
  png_set_IHDR(png, info, pixels, pixels, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  std::vector<png_byte> row((pixels + 7) / 8);
  for (int y = 0; y < pixels; ++y) {
    std::fill(row.begin(), row.end(), 0xff);  // 1 bit per pixel, 1 = white
    int my = y / scale - kQrQuietZone;
    if (my >= 0 && my < qr.width) {
      for (int x = 0; x < pixels; ++x) {
        int mx = x / scale - kQrQuietZone;
        if (mx >= 0 && mx < qr.width && (qr.data[my * qr.width + mx] & 1)) {
          row[x / 8] &= static_cast<png_byte>(~(0x80 >> (x % 8)));
        }
      }
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

std::string Svg(const QRcode& qr, int size) {
  const int modules = qr.width + 2 * kQrQuietZone;
  std::string path;
  for (int y = 0; y < qr.width; ++y) {
    for (int x = 0; x < qr.width; ++x) {
      if (qr.data[y * qr.width + x] & 1) {
        path += fmt::format("M{},{}h1v1h-1z", x + kQrQuietZone, y + kQrQuietZone);
      }
    }
  }
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{0}\" "
      "viewBox=\"0 0 {1} {1}\" shape-rendering=\"crispEdges\">"
      "<rect width=\"{1}\" height=\"{1}\" fill=\"#fff\"/>"
      "<path d=\"{2}\" fill=\"#000\"/></svg>\n",
      size, modules, path);
}

}  // namespace

Result<std::string> RenderQr(std::string_view text, QrFormat format, int size) {
  if (size < kMinQrSize || size > kMaxQrSize) {
    return Status::InvalidArgument(
        fmt::format("size must be from {} to {} pixels", kMinQrSize, kMaxQrSize));
  }
  std::string s(text);
  std::unique_ptr<QRcode, QrDeleter> qr(
      QRcode_encodeString8bit(s.c_str(), /*version=*/0, QR_ECLEVEL_M));
  if (!qr) return Status::InvalidArgument("the URL is too long for a QR code");
  const int modules = qr->width + 2 * kQrQuietZone;
  if (format == QrFormat::kSvg) return Svg(*qr, size);
  // Whole pixels per module keep every module crisp; a symbol wider than `size` gets 1.
  return Png(*qr, std::max(1, size / modules));
}

}  // namespace ct::api
