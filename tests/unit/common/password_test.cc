#include "common/password.h"

#include <gtest/gtest.h>

namespace ct {
namespace {

TEST(PasswordTest, VerifiesOnlyTheRightPassword) {
  std::string h = HashPassword("open sesame", 1000);
  EXPECT_EQ(h.rfind("pbkdf2-sha256$1000$", 0), 0u) << h;
  EXPECT_TRUE(VerifyPassword("open sesame", h));
  EXPECT_FALSE(VerifyPassword("open sesame ", h));
  EXPECT_FALSE(VerifyPassword("", h));
}

TEST(PasswordTest, SaltedSoEqualPasswordsHashApart) {
  EXPECT_NE(HashPassword("x", 1000), HashPassword("x", 1000));
}

TEST(PasswordTest, MalformedStoredHashesNeverVerify) {
  for (const char* bad : {"", "pbkdf2-sha256", "pbkdf2-sha256$1000$$", "md5$1$AAAA$AAAA",
                          "pbkdf2-sha256$0$AAAA$AAAA", "pbkdf2-sha256$99999999999$AAAA$AAAA",
                          "pbkdf2-sha256$10$!!$AAAA", "pbkdf2-sha256$10$AAAA$AAAA"}) {
    EXPECT_FALSE(VerifyPassword("x", bad)) << bad;
  }
}

TEST(Base64UrlTest, RoundTripsAndRejectsOtherAlphabets) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (size_t n = 0; n < 20; ++n) {
    std::string in = bytes.substr(250 - n, n), out;
    ASSERT_TRUE(Base64UrlDecode(Base64UrlEncode(in), &out));
    EXPECT_EQ(out, in);
  }
  EXPECT_EQ(Base64UrlEncode(std::string(16, '\xff')).size(), 22u);
  std::string out;
  EXPECT_FALSE(Base64UrlDecode("ab+/", &out));
  EXPECT_FALSE(Base64UrlDecode("abc=", &out));
  EXPECT_FALSE(Base64UrlDecode("a", &out));
}

}  // namespace
}  // namespace ct
