// QR codes of short URLs, as PNG or SVG: libqrencode builds the symbol (error correction M,
// which survives ~15 % damage: print smudges, a logo overlay), libpng writes the raster.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace ct::api {

enum class QrFormat { kPng, kSvg };

inline constexpr int kMinQrSize = 64;    // pixels; smaller scans poorly from a screen
inline constexpr int kMaxQrSize = 2048;  // pixels; bigger is print-resolution waste
inline constexpr int kDefaultQrSize = 256;
inline constexpr int kQrQuietZone = 4;  // modules of margin the QR standard requires

// The image of `text` as a QR code about `size` pixels wide (whole pixels per module, so the
// PNG is at most `size` wide and never blurred). kInvalidArgument if the text cannot be encoded.
Result<std::string> RenderQr(std::string_view text, QrFormat format, int size);

}  // namespace ct::api
