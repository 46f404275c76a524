#include "postback/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <optional>
#include <vector>

namespace ct::postback {
namespace {

// The spec's key sizes: at least 24 bytes (192 bits), at most 64.
constexpr size_t kMinKeyBytes = 24;
constexpr size_t kMaxKeyBytes = 64;
constexpr size_t kNewKeyBytes = 32;

// Standard alphabet with padding, as the spec and its reference libraries use.
std::string Base64(const unsigned char* data, size_t n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  int len =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
  out.resize(static_cast<size_t>(len));
  return out;
}

// Strict decoding: standard alphabet, padded to a multiple of 4; nullopt otherwise.
std::optional<std::vector<unsigned char>> Unbase64(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0 || in.size() > 1024) return std::nullopt;
  size_t pad = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '+' || c == '/';
    if (c == '=') {
      if (i + 2 < in.size()) return std::nullopt;  // '=' only in the last two places
      ++pad;
    } else if (!alpha || pad > 0) {
      return std::nullopt;
    }
  }
  std::vector<unsigned char> out(in.size() / 4 * 3);
  int len = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(in.data()),
                            static_cast<int>(in.size()));
  if (len < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  out.resize(static_cast<size_t>(len) - pad);
  return out;
}

std::optional<std::vector<unsigned char>> KeyOf(std::string_view secret) {
  if (!secret.starts_with(kSecretPrefix)) return std::nullopt;
  auto key = Unbase64(secret.substr(kSecretPrefix.size()));
  if (!key || key->size() < kMinKeyBytes || key->size() > kMaxKeyBytes) return std::nullopt;
  return key;
}

// The raw 32-byte HMAC-SHA256 of "id.timestamp.payload".
std::string RawSignature(const std::vector<unsigned char>& key, std::string_view id,
                         int64_t timestamp_s, std::string_view payload) {
  std::string content;
  content.reserve(id.size() + payload.size() + 24);
  content.append(id).append(".").append(std::to_string(timestamp_s)).append(".").append(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac,
           &mac_len) == nullptr) {
    return "";
  }
  return Base64(mac, mac_len);
}

std::string QueryEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

}  // namespace

std::string NewSecret() {
  unsigned char key[kNewKeyBytes];
  // Without entropy there is no safe secret to hand out; the process cannot go on signing.
  if (RAND_bytes(key, sizeof key) != 1) std::abort();
  return std::string(kSecretPrefix) + Base64(key, sizeof key);
}

bool IsValidSecret(std::string_view secret) { return KeyOf(secret).has_value(); }

std::string Sign(std::string_view secret, std::string_view id, int64_t timestamp_s,
                 std::string_view payload) {
  auto key = KeyOf(secret);
  if (!key) return "";
  std::string sig = RawSignature(*key, id, timestamp_s, payload);
  return sig.empty() ? "" : "v1," + sig;
}

std::string SignedGetUrl(std::string_view url, std::string_view secret, std::string_view id,
                         int64_t timestamp_s) {
  std::string signature = Sign(secret, id, timestamp_s, url);
  // The parameters go at the end of the query, before any fragment.
  size_t hash = url.find('#');
  std::string_view head = url.substr(0, hash);
  std::string_view fragment = hash == std::string_view::npos ? "" : url.substr(hash);
  std::string out(head);
  size_t q = head.find('?');
  if (q == std::string_view::npos) {
    out.push_back('?');
  } else if (q + 1 < head.size() && head.back() != '&') {
    out.push_back('&');
  }
  out.append("webhook-id=").append(QueryEscape(id));
  out.append("&webhook-timestamp=").append(std::to_string(timestamp_s));
  out.append("&webhook-signature=").append(QueryEscape(signature));
  out.append(fragment);
  return out;
}

bool Verify(std::string_view secret, std::string_view id, int64_t timestamp_s,
            std::string_view payload, std::string_view signature_header) {
  auto key = KeyOf(secret);
  if (!key) return false;
  std::string expected = RawSignature(*key, id, timestamp_s, payload);
  if (expected.empty()) return false;
  bool ok = false;
  size_t pos = 0;
  while (pos < signature_header.size()) {
    size_t space = signature_header.find(' ', pos);
    std::string_view entry = signature_header.substr(
        pos, space == std::string_view::npos ? std::string_view::npos : space - pos);
    pos = space == std::string_view::npos ? signature_header.size() : space + 1;
    if (!entry.starts_with("v1,")) continue;  // other schemes (v1a, ...) are not ours
    std::string_view sig = entry.substr(3);
    // Constant time, so a receiver using this cannot be probed byte by byte.
    if (sig.size() == expected.size() &&
        CRYPTO_memcmp(sig.data(), expected.data(), expected.size()) == 0) {
      ok = true;
    }
  }
  return ok;
}

}  // namespace ct::postback
