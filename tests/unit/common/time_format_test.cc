#include "common/time_format.h"

#include <gtest/gtest.h>

#include <string>

namespace ct {
namespace {

constexpr int64_t kSec = 1'000'000;
constexpr int64_t kDay = 86'400 * kSec;
// 2026-11-25T10:00:00Z
constexpr int64_t kT = 1'795'600'800 * kSec;

int64_t ParseOk(std::string_view s) {
  auto r = ParseIso8601(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().ToString();
  return r.ok() ? *r : INT64_MIN;
}

TEST(TimeFormatTest, FormatEpoch) { EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00Z"); }

TEST(TimeFormatTest, FormatKnownInstant) {
  EXPECT_EQ(FormatIso8601(kT), "2026-11-25T10:00:00Z");
  EXPECT_EQ(FormatIso8601(951'782'400 * kSec), "2000-02-29T00:00:00Z");
}

TEST(TimeFormatTest, FormatMicros) {
  EXPECT_EQ(FormatIso8601(kT + 123'456), "2026-11-25T10:00:00.123456Z");
  EXPECT_EQ(FormatIso8601(kT + 1), "2026-11-25T10:00:00.000001Z");
  EXPECT_EQ(FormatIso8601(kT + 500'000), "2026-11-25T10:00:00.500000Z");
}

TEST(TimeFormatTest, FormatNegative) {
  EXPECT_EQ(FormatIso8601(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatIso8601(-kSec), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatIso8601(-kDay), "1969-12-31T00:00:00Z");
  EXPECT_EQ(FormatIso8601(-kDay - 1), "1969-12-30T23:59:59.999999Z");
}

TEST(TimeFormatTest, DaysFromCivil) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
}

TEST(TimeFormatTest, ParseDateOnlyIsMidnightUtc) {
  EXPECT_EQ(ParseOk("1970-01-01"), 0);
  EXPECT_EQ(ParseOk("2026-11-25"), kT - 10 * 3600 * kSec);
}

TEST(TimeFormatTest, ParseZulu) {
  EXPECT_EQ(ParseOk("2026-11-25T10:00:00Z"), kT);
  EXPECT_EQ(ParseOk("2026-11-25t10:00:00z"), kT);
  EXPECT_EQ(ParseOk("2026-11-25 10:00:00Z"), kT);
  EXPECT_EQ(ParseOk("2026-11-25T10:00Z"), kT);  // seconds optional
}

TEST(TimeFormatTest, ParseOffsets) {
  EXPECT_EQ(ParseOk("2026-11-25T12:00:00+02:00"), kT);
  EXPECT_EQ(ParseOk("2026-11-25T04:30:00-05:30"), kT);
  EXPECT_EQ(ParseOk("2026-11-25T10:00:00+00:00"), kT);
  EXPECT_EQ(ParseOk("2026-11-25T10:00:00-00:00"), kT);
  // An offset that crosses midnight.
  EXPECT_EQ(ParseOk("2026-11-26T01:00:00+15:00"), kT);
}

TEST(TimeFormatTest, ParseFractions) {
  EXPECT_EQ(ParseOk("2026-11-25T10:00:00.5Z"), kT + 500'000);
  EXPECT_EQ(ParseOk("2026-11-25T10:00:00.123Z"), kT + 123'000);
  EXPECT_EQ(ParseOk("2026-11-25T10:00:00.123456Z"), kT + 123'456);
  // Digits past microseconds are accepted and dropped (up to nanoseconds).
  EXPECT_EQ(ParseOk("2026-11-25T10:00:00.123456789Z"), kT + 123'456);
  EXPECT_EQ(ParseOk("2026-11-25T12:00:00.25+02:00"), kT + 250'000);
}

TEST(TimeFormatTest, LeapSecondClamped) {
  EXPECT_EQ(ParseOk("2016-12-31T23:59:60Z"), ParseOk("2016-12-31T23:59:59Z"));
}

TEST(TimeFormatTest, Feb29) {
  EXPECT_TRUE(ParseIso8601("2024-02-29").ok());
  EXPECT_TRUE(ParseIso8601("2000-02-29T00:00:00Z").ok());
  EXPECT_FALSE(ParseIso8601("2023-02-29").ok());
  EXPECT_FALSE(ParseIso8601("1900-02-29").ok());  // divisible by 100, not by 400
  EXPECT_FALSE(ParseIso8601("2023-02-30").ok());
  EXPECT_FALSE(ParseIso8601("2024-02-30").ok());
  EXPECT_FALSE(ParseIso8601("2024-04-31").ok());
  EXPECT_TRUE(ParseIso8601("2024-12-31").ok());
}

TEST(TimeFormatTest, Refused) {
  const char* bad[] = {
      "",
      "garbage",
      "2026",
      "2026-11",
      "2026-11-2",
      "2026/11/25",
      "2026-13-01",
      "2026-00-10",
      "2026-11-00",
      "2026-11-32",
      "2026-11-25T10:00:00",    // no zone: refused, not guessed
      "2026-11-25T10:00",       // no zone
      "2026-11-25T10:00:00.5",  // no zone
      "2026-11-25T24:00:00Z",
      "2026-11-25T10:60:00Z",
      "2026-11-25T10:00:61Z",
      "2026-11-25T10Z",
      "2026-11-25X10:00:00Z",
      "2026-11-25T10:00:00ZZ",  // trailing junk
      "2026-11-25T10:00:00Z ",
      "2026-11-25T10:00:00+02",
      "2026-11-25T10:00:00+0200",
      "2026-11-25T10:00:00+24:00",
      "2026-11-25T10:00:00+02:60",
      "2026-11-25T10:00:00.Z",            // empty fraction
      "2026-11-25T10:00:00.1234567890Z",  // more than 9 fraction digits
      "2026-11-25T1a:00:00Z",
      "2026-11-25junk",
      "+026-11-25",
      " 2026-11-25",
  };
  for (const char* s : bad) {
    auto r = ParseIso8601(s);
    EXPECT_FALSE(r.ok()) << "'" << s << "' parsed as " << (r.ok() ? FormatIso8601(*r) : "");
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(TimeFormatTest, YearRangeLimits) {
  EXPECT_EQ(FormatIso8601(ParseOk("0000-01-01T00:00:00Z")), "0000-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601(ParseOk("9999-12-31T23:59:59.999999Z")), "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(ParseOk("0000-01-01T00:01-00:01"), ParseOk("0000-01-01T00:02:00Z"));
  // An offset that carries the instant out of years 0000..9999 (found by iso8601_fuzz: the
  // formatted result, "-001-12-31..." or "10000-01-01...", did not parse back).
  EXPECT_FALSE(ParseIso8601("0000-01-01T00:00+00:01").ok());
  EXPECT_FALSE(ParseIso8601("9999-12-31T23:59-00:01").ok());
  EXPECT_FALSE(ParseIso8601("9999-12-31T23:59:59.5-23:59").ok());
}

TEST(TimeFormatTest, RoundTripOverRange) {
  // From 1900 to 2200 in irregular steps, with micros, including negatives.
  int64_t start = -2'208'988'800LL * kSec;  // 1900-01-01
  int64_t end = 7'258'118'400LL * kSec;     // 2200-01-01
  int64_t step = 9'876'543'211'013;         // ~114 days and some micros
  int n = 0;
  for (int64_t t = start; t < end; t += step, ++n) {
    std::string s = FormatIso8601(t);
    auto r = ParseIso8601(s);
    ASSERT_TRUE(r.ok()) << s;
    ASSERT_EQ(*r, t) << s;
  }
  EXPECT_GT(n, 900);
  for (int64_t t = -3 * kDay; t < 3 * kDay; t += 3'599'999'999) {
    ASSERT_EQ(ParseOk(FormatIso8601(t)), t);
  }
}

}  // namespace
}  // namespace ct
