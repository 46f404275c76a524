#include "api/api_key.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/hash.h"

namespace ct::api {
namespace {

constexpr char kAlnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

bool IsBase62(std::string_view s) {
  for (char c : s) {
    if (std::string_view(kAlnum).find(c) == std::string_view::npos) return false;
  }
  return true;
}

TEST(ApiKeyTest, Shape) {
  EXPECT_EQ(kApiKeyLength, 3u + 43u + 6u);
  NewApiKey k = GenerateApiKey();
  ASSERT_EQ(k.key.size(), kApiKeyLength);
  EXPECT_EQ(k.key.substr(0, 3), "ct_");
  EXPECT_TRUE(IsBase62(k.key.substr(3))) << k.key;
  EXPECT_EQ(k.prefix, k.key.substr(0, kApiKeyShownPrefix));
  EXPECT_EQ(k.hash, HashApiKey(k.key));
}

TEST(ApiKeyTest, GeneratedKeysAreWellFormed) {
  for (int i = 0; i < 200; ++i) {
    NewApiKey k = GenerateApiKey();
    ASSERT_TRUE(ApiKeyWellFormed(k.key)) << k.key;
  }
}

TEST(ApiKeyTest, AnySingleCharacterChangeIsRefused) {
  for (int round = 0; round < 3; ++round) {
    const std::string key = GenerateApiKey().key;
    for (size_t i = 0; i < key.size(); ++i) {
      for (char c : std::string(kAlnum) + "_-+/=. \x00\xff") {
        if (c == key[i]) continue;
        std::string bad = key;
        bad[i] = c;
        ASSERT_FALSE(ApiKeyWellFormed(bad)) << "position " << i << " -> '" << c << "'";
      }
    }
  }
}

TEST(ApiKeyTest, WrongLengthRefused) {
  const std::string key = GenerateApiKey().key;
  EXPECT_FALSE(ApiKeyWellFormed(""));
  EXPECT_FALSE(ApiKeyWellFormed("ct_"));
  EXPECT_FALSE(ApiKeyWellFormed(key.substr(0, key.size() - 1)));
  EXPECT_FALSE(ApiKeyWellFormed(key + "0"));
  EXPECT_FALSE(ApiKeyWellFormed(key + key));
  EXPECT_FALSE(ApiKeyWellFormed(" " + key));
  EXPECT_FALSE(ApiKeyWellFormed(key + "\n"));
}

TEST(ApiKeyTest, WrongPrefixRefused) {
  const std::string key = GenerateApiKey().key;
  EXPECT_FALSE(ApiKeyWellFormed("CT_" + key.substr(3)));
  EXPECT_FALSE(ApiKeyWellFormed("gh_" + key.substr(3)));
  EXPECT_FALSE(ApiKeyWellFormed("ctx" + key.substr(3)));
}

TEST(ApiKeyTest, ThousandKeysUnique) {
  std::set<std::string> keys, hashes;
  for (int i = 0; i < 1000; ++i) {
    NewApiKey k = GenerateApiKey();
    keys.insert(k.key);
    hashes.insert(k.hash);
  }
  EXPECT_EQ(keys.size(), 1000u);
  EXPECT_EQ(hashes.size(), 1000u);
}

TEST(ApiKeyTest, HashIsSha256Hex) {
  // FIPS 180-2 test vector.
  EXPECT_EQ(HashApiKey("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HashApiKey(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  NewApiKey k = GenerateApiKey();
  EXPECT_EQ(k.hash.size(), 64u);
  EXPECT_EQ(k.hash.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(k.hash, Sha256Hex(k.key));
  EXPECT_EQ(k.hash.find(k.key), std::string::npos);
}

}  // namespace
}  // namespace ct::api
