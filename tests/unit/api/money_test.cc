#include "api/money.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace ct::api {
namespace {

TEST(MoneyTest, ParsesDecimalStringsExactly) {
  struct Case {
    const char* text;
    int64_t micros;
  } cases[] = {
      {"0", 0},
      {"12", 12'000'000},
      {"12.5", 12'500'000},
      {"0.1", 100'000},  // exact: not 99999 as a double would risk
      {"0.000001", 1},
      {"007.25", 7'250'000},
      {"19.99", 19'990'000},
      {"1000000000000", 1'000'000'000'000'000'000},
      {"999999999999.999999", 999'999'999'999'999'999},
  };
  for (const auto& c : cases) {
    auto m = ParseDecimalMicros(c.text);
    ASSERT_TRUE(m.ok()) << c.text << ": " << m.status().ToString();
    EXPECT_EQ(*m, c.micros) << c.text;
  }
}

TEST(MoneyTest, RefusesBadSpellings) {
  for (const char* bad : {"",
                          "-1",
                          "+1",
                          "1e3",
                          "1E3",
                          "NaN",
                          "nan",
                          "Infinity",
                          "inf",
                          " 1",
                          "1 ",
                          "1.",
                          ".5",
                          "1.2.3",
                          "1,5",
                          "0x10",
                          "1.0000001",
                          "1000000000000.000001",
                          "10000000000000",
                          "99999999999999999999999"}) {
    auto m = ParseDecimalMicros(bad);
    EXPECT_FALSE(m.ok()) << "'" << bad << "' accepted as " << (m.ok() ? *m : 0);
    if (!m.ok()) {
      EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(m.status().message().rfind("value ", 0), 0u) << m.status().message();
    }
  }
}

TEST(MoneyTest, JsonNumbersAndStrings) {
  namespace json = boost::json;
  EXPECT_EQ(*MicrosFromJson(json::parse("12.5")), 12'500'000);
  EXPECT_EQ(*MicrosFromJson(json::parse("0.1")), 100'000);
  EXPECT_EQ(*MicrosFromJson(json::parse("19.99")), 19'990'000);
  EXPECT_EQ(*MicrosFromJson(json::parse("42")), 42'000'000);
  EXPECT_EQ(*MicrosFromJson(json::parse("\"42.000001\"")), 42'000'001);
  EXPECT_EQ(*MicrosFromJson(json::parse("1e3")), 1'000'000'000);  // a JSON number's exponent
  EXPECT_FALSE(MicrosFromJson(json::parse("-1")).ok());
  EXPECT_FALSE(MicrosFromJson(json::parse("-0.5")).ok());
  EXPECT_FALSE(MicrosFromJson(json::parse("1e13")).ok());
  EXPECT_FALSE(MicrosFromJson(json::parse("1e-7")).ok());  // a 7th fraction digit
  EXPECT_FALSE(MicrosFromJson(json::parse("18446744073709551615")).ok());
  EXPECT_FALSE(MicrosFromJson(json::parse("true")).ok());
  EXPECT_FALSE(MicrosFromJson(json::parse("null")).ok());
  EXPECT_FALSE(MicrosFromJson(json::parse("[1]")).ok());
  EXPECT_FALSE(MicrosFromJson(json::parse("\"1e3\"")).ok());
}

TEST(MoneyTest, FormatsWithoutTrailingZeros) {
  EXPECT_EQ(FormatMicros(0), "0");
  EXPECT_EQ(FormatMicros(12'500'000), "12.5");
  EXPECT_EQ(FormatMicros(12'000'000), "12");
  EXPECT_EQ(FormatMicros(1), "0.000001");
  EXPECT_EQ(FormatMicros(100'000), "0.1");
  EXPECT_EQ(FormatMicros(-2'500'000), "-2.5");
  // Round trip over a spread of values.
  for (int64_t m : {int64_t{0}, int64_t{7}, int64_t{1'234'567}, int64_t{999'999'999'999'999'999}}) {
    EXPECT_EQ(*ParseDecimalMicros(FormatMicros(m)), m);
  }
}

}  // namespace
}  // namespace ct::api
