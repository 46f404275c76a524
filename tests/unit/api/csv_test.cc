// CSV parsing (RFC 4180, strict) and writing (quoting, formula-injection defusing).
#include "api/csv.h"

#include <gtest/gtest.h>

namespace ct::api {
namespace {

using Records = std::vector<CsvRecord>;

Records Parse(std::string_view text) {
  auto r = ParseCsv(text, 100);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Records{};
}

TEST(Csv, ParsesRfc4180) {
  EXPECT_EQ(Parse("a,b\r\n1,2\r\n"), (Records{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(Parse("a,b\n1,2"), (Records{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(Parse("\xEF\xBB\xBF"
                  "a\n"),
            (Records{{"a"}}));
  EXPECT_EQ(Parse("\"x,y\",\"say \"\"hi\"\"\",\"line\r\nbreak\"\n"),
            (Records{{"x,y", "say \"hi\"", "line\r\nbreak"}}));
  EXPECT_EQ(Parse("a,,\n"), (Records{{"a", "", ""}}));
  EXPECT_EQ(Parse("\"\"\n"), (Records{{""}}));
  EXPECT_EQ(Parse("a\n\nb\n"), (Records{{"a"}, {""}, {"b"}}));
  EXPECT_EQ(Parse(""), Records{});
  EXPECT_EQ(Parse("caf\xC3\xA9,\xE2\x82\xAC\n"), (Records{{"caf\xC3\xA9", "\xE2\x82\xAC"}}));
}

TEST(Csv, RefusesMalformedInput) {
  for (std::string_view bad : {"\"open\n", "a\"b\n", "\"x\"y\n", "a,\"b\n,c\n", "\"a\"\"\n"}) {
    auto r = ParseCsv(bad, 100);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    }
  }
  EXPECT_NE(ParseCsv("a\nb\nc\n", 2).status().message().find("more than 2"), std::string::npos);
  EXPECT_NE(ParseCsv("a\n\"b\n", 10).status().message().find("record 2"), std::string::npos);
}

TEST(Csv, QuotesAndDefusesFormulas) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(CsvField("+1"), "'+1");
  EXPECT_EQ(CsvField("-2"), "'-2");
  EXPECT_EQ(CsvField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvField("\tx"), "'\tx");
  EXPECT_EQ(CsvField("a=b"), "a=b");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvLine({"a", "b,c", ""}), "a,\"b,c\",\r\n");
}

TEST(Csv, WriteThenParseRoundTrips) {
  std::vector<std::string> fields = {"x", "a,b", "q\"q", "l\r\nl", "", " sp "};
  auto back = ParseCsv(CsvLine(fields) + CsvLine(fields), 10);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, (Records{fields, fields}));
}

}  // namespace
}  // namespace ct::api
