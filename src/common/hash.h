// SHA-256 (OpenSSL) for API keys at rest and visitor keys, and a constant-time compare.
#pragma once

#include <string>
#include <string_view>

namespace ct {

// The 32-byte digest as 64 lowercase hex characters.
std::string Sha256Hex(std::string_view data);
// The raw 32-byte digest.
std::string Sha256Raw(std::string_view data);
// True if a == b, in time that depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);
std::string HexEncode(std::string_view bytes);

}  // namespace ct
