#include "api/slug.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ct::api {
namespace {

TEST(SlugTest, AcceptsCharsetAndLengths) {
  for (const char* s : {"a", "Z", "0", "-", "_", "abc", "My-Link_2024", "x1-_y",
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"}) {
    EXPECT_TRUE(ValidateSlug(s).ok()) << s;
  }
  EXPECT_TRUE(ValidateSlug(std::string(kMaxSlugBytes, 'a')).ok());
  // Reserved words are reserved only as whole slugs.
  EXPECT_TRUE(ValidateSlug("api2").ok());
  EXPECT_TRUE(ValidateSlug("metrics-page").ok());
  EXPECT_TRUE(ValidateSlug("pp").ok());
}

TEST(SlugTest, RefusesReservedCaseInsensitively) {
  for (const char* s :
       {"api", "API", "Api", "ui", "metrics", "METRICS", "healthz", "readyz", "ReadyZ", "p", "P",
        "c", "static", "admin", "Admin", "login", "logout", "favicon"}) {
    auto st = ValidateSlug(s);
    EXPECT_FALSE(st.ok()) << s;
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  }
}

TEST(SlugTest, RefusesBadCharacters) {
  for (const char* s : {"a/b", "/", "a%20b", "%2e", "a.b", ".", "..", "a b", " a", "a\n",
                        "caf\xc3\xa9", "\xe2\x80\x8b", "a?b", "a#b", "a\\b", "a+b", "a:b"}) {
    EXPECT_FALSE(ValidateSlug(s).ok()) << s;
  }
  EXPECT_FALSE(ValidateSlug(std::string("a\0b", 3)).ok());
}

TEST(SlugTest, RefusesEmptyAndTooLong) {
  EXPECT_FALSE(ValidateSlug("").ok());
  EXPECT_FALSE(ValidateSlug(std::string(kMaxSlugBytes + 1, 'a')).ok());
  EXPECT_EQ(kMaxSlugBytes, 64u);
}

TEST(SlugTest, GeneratedSlugs) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    std::string s = GenerateSlug();
    ASSERT_EQ(s.size(), kGeneratedSlugChars);
    ASSERT_EQ(s.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
              std::string::npos)
        << s;
    ASSERT_TRUE(ValidateSlug(s).ok()) << s;
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 10000u);
}

}  // namespace
}  // namespace ct::api
