#include "api/api_key.h"

#include "common/crc32c.h"
#include "common/hash.h"
#include "common/random.h"

namespace ct::api {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

std::string Checksum(std::string_view body) {
  uint32_t crc = crc32c::Value(body);
  std::string out(kApiKeyChecksumChars, '0');
  for (size_t i = kApiKeyChecksumChars; i-- > 0;) {
    out[i] = kAlphabet[crc % 62];
    crc /= 62;
  }
  return out;
}

}  // namespace

NewApiKey GenerateApiKey() {
  std::string body = std::string(kApiKeyPrefix) + RandomBase62(kApiKeyRandomChars);
  NewApiKey k;
  k.key = body + Checksum(body);
  k.hash = HashApiKey(k.key);
  k.prefix = k.key.substr(0, kApiKeyShownPrefix);
  return k;
}

bool ApiKeyWellFormed(std::string_view key) {
  if (key.size() != kApiKeyLength || key.substr(0, kApiKeyPrefix.size()) != kApiKeyPrefix) {
    return false;
  }
  for (char c : key.substr(kApiKeyPrefix.size())) {
    bool alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (!alnum) return false;
  }
  std::string_view body = key.substr(0, kApiKeyLength - kApiKeyChecksumChars);
  return ConstantTimeEquals(Checksum(body), key.substr(body.size()));
}

std::string HashApiKey(std::string_view key) { return Sha256Hex(key); }

}  // namespace ct::api
