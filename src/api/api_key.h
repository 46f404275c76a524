// API keys (RELIABILITY §5, GitHub's token design): "ct_" + 43 base62 characters of CSPRNG
// output (>= 256 bits) + 6 base62 characters of CRC-32 checksum, so secret scanners can find
// leaked keys and typos are refused without a store lookup. Only SHA-256 of a key is stored; a
// slow hash adds nothing for a key of this entropy.
#pragma once

#include <string>
#include <string_view>

namespace ct::api {

inline constexpr std::string_view kApiKeyPrefix = "ct_";
inline constexpr size_t kApiKeyRandomChars = 43;   // 62^43 > 2^256
inline constexpr size_t kApiKeyChecksumChars = 6;  // 62^6 > 2^32: a CRC-32 fits
inline constexpr size_t kApiKeyLength =
    kApiKeyPrefix.size() + kApiKeyRandomChars + kApiKeyChecksumChars;
inline constexpr size_t kApiKeyShownPrefix = 10;  // what listings show of a key

struct NewApiKey {
  std::string key;     // shown once, to the user; never stored or logged
  std::string hash;    // SHA-256 hex: what the store keeps
  std::string prefix;  // first kApiKeyShownPrefix characters, to tell keys apart
};

NewApiKey GenerateApiKey();
// True if `key` has the shape and a valid checksum (says nothing about whether it exists).
bool ApiKeyWellFormed(std::string_view key);
std::string HashApiKey(std::string_view key);

}  // namespace ct::api
