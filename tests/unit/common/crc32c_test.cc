#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace ct::crc32c {
namespace {

TEST(Crc32cTest, StandardCheckValue) {
  EXPECT_EQ(Value("123456789"), 0xE3069283u);
  EXPECT_EQ(Value("123456789", 9), 0xE3069283u);
}

TEST(Crc32cTest, EmptyIsZero) { EXPECT_EQ(Value(""), 0u); }

TEST(Crc32cTest, Rfc3720Vectors) {
  std::string zeros(32, '\0');
  EXPECT_EQ(Value(zeros), 0x8A9136AAu);
  std::string ones(32, '\xff');
  EXPECT_EQ(Value(ones), 0x62A8AB43u);
  std::string inc(32, '\0');
  for (int i = 0; i < 32; ++i) inc[i] = static_cast<char>(i);
  EXPECT_EQ(Value(inc), 0x46DD794Eu);
  std::string dec(32, '\0');
  for (int i = 0; i < 32; ++i) dec[i] = static_cast<char>(31 - i);
  EXPECT_EQ(Value(dec), 0x113FDB5Cu);
}

TEST(Crc32cTest, ExtendInPiecesEqualsWhole) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>((i * 131 + 7) & 0xff));
  const uint32_t whole = Value(data);
  // Every split point, including ones that break the 8-byte fast path.
  for (size_t split = 0; split <= data.size(); split += 7) {
    uint32_t c = Extend(0, data.data(), split);
    c = Extend(c, data.data() + split, data.size() - split);
    ASSERT_EQ(c, whole) << "split at " << split;
  }
  // Byte by byte.
  uint32_t c = 0;
  for (char ch : data) c = Extend(c, &ch, 1);
  EXPECT_EQ(c, whole);
}

TEST(Crc32cTest, UnalignedInput) {
  std::string buf(64, 'x');
  buf.replace(3, 9, "123456789");
  EXPECT_EQ(Value(buf.data() + 3, 9), 0xE3069283u);
}

TEST(Crc32cTest, DifferentDataDifferentCrc) {
  EXPECT_NE(Value("a"), Value("b"));
  EXPECT_NE(Value("hello world"), Value("hello worle"));
}

TEST(Crc32cTest, MaskUnmaskRoundTrip) {
  for (uint32_t v : {0u, 1u, 0xE3069283u, 0xffffffffu, 0x80000000u, 0x12345678u}) {
    EXPECT_EQ(Unmask(Mask(v)), v);
    EXPECT_NE(Mask(v), v) << "mask must change the value";
    EXPECT_NE(Mask(Mask(v)), Mask(v));
  }
  uint32_t x = 0x9e3779b9u;
  for (int i = 0; i < 10000; ++i) {
    x = x * 1664525u + 1013904223u;
    ASSERT_EQ(Unmask(Mask(x)), x);
  }
}

}  // namespace
}  // namespace ct::crc32c
