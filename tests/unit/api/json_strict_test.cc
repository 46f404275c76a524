#include "api/json_strict.h"

#include <gtest/gtest.h>

#include <string>

namespace ct::api {
namespace {

std::string Nested(size_t depth) {
  // `depth` objects, one inside the other: {"a":{"a":...{}}}
  std::string s;
  for (size_t i = 1; i < depth; ++i) s += "{\"a\":";
  s += "{}";
  s.append(depth - 1, '}');
  return s;
}

void ExpectRefused(std::string_view body) {
  auto r = ParseStrictJsonObject(body);
  EXPECT_FALSE(r.ok()) << "accepted: " << body;
  if (!r.ok()) {
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << body;
    EXPECT_FALSE(r.status().message().empty());
  }
}

TEST(JsonStrictTest, AcceptsObjects) {
  auto r = ParseStrictJsonObject(R"({"destination":"https://example.com/","slug":"abc"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at("destination").as_string(), "https://example.com/");
  EXPECT_EQ(r->at("slug").as_string(), "abc");
  EXPECT_TRUE(ParseStrictJsonObject("{}").ok());
  EXPECT_TRUE(ParseStrictJsonObject(" \n{ } \t\n").ok());
  EXPECT_TRUE(ParseStrictJsonObject(R"({"a":[1,2,{"b":null}],"c":{"d":true},"e":"\u00e9"})").ok());
  // The same key in different objects is not a duplicate.
  EXPECT_TRUE(ParseStrictJsonObject(R"({"a":{"x":1},"b":{"x":2},"x":3})").ok());
  EXPECT_TRUE(ParseStrictJsonObject(R"({"a":[{"x":1},{"x":2}]})").ok());
  // A valid surrogate pair and raw UTF-8.
  EXPECT_TRUE(ParseStrictJsonObject(R"({"e":"\ud83d\ude00"})").ok());
  EXPECT_TRUE(ParseStrictJsonObject("{\"e\":\"\xc3\xa9\xe2\x82\xac\"}").ok());
}

TEST(JsonStrictTest, RefusesDuplicateKeysAtTopLevel) {
  auto r = ParseStrictJsonObject(R"({"slug":"a","slug":"b"})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("slug"), std::string::npos) << r.status().message();
  ExpectRefused(R"({"a":1,"b":2,"a":3})");
}

TEST(JsonStrictTest, RefusesDuplicateKeysNested) {
  ExpectRefused(R"({"a":{"x":1,"x":2}})");
  ExpectRefused(R"({"a":[{"ok":1},{"y":1,"y":1}]})");
  ExpectRefused(R"({"a":{"b":{"c":{"z":1,"z":1}}}})");
}

TEST(JsonStrictTest, RefusesDuplicateKeysSpelledDifferently) {
  // "\u0061" is "a": the same key after unescaping.
  ExpectRefused(R"({"a":1,"\u0061":2})");
}

TEST(JsonStrictTest, DepthLimit) {
  EXPECT_TRUE(ParseStrictJsonObject(Nested(kMaxJsonDepth)).ok());
  auto r = ParseStrictJsonObject(Nested(kMaxJsonDepth + 1));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("deeper"), std::string::npos) << r.status().message();
  ExpectRefused(Nested(10000));
  std::string arrays = "{\"a\":" + std::string(200, '[') + std::string(200, ']') + "}";
  ExpectRefused(arrays);
}

TEST(JsonStrictTest, RefusesInvalidUtf8) {
  ExpectRefused("{\"a\":\"\xff\"}");
  ExpectRefused("{\"a\":\"\xc3\"}");          // truncated sequence
  ExpectRefused("{\"a\":\"\xc0\xaf\"}");      // overlong '/'
  ExpectRefused("{\"a\":\"\xed\xa0\x80\"}");  // UTF-8 encoded surrogate
  ExpectRefused("{\"\xfe\":1}");              // in a key
}

TEST(JsonStrictTest, RefusesLoneSurrogates) {
  ExpectRefused(R"({"a":"\ud800"})");
  ExpectRefused(R"({"a":"\udc00"})");
  ExpectRefused(R"({"a":"\ud800x"})");
  ExpectRefused(R"({"\ud800":1})");
}

TEST(JsonStrictTest, RefusesNanAndInfinity) {
  ExpectRefused(R"({"a":NaN})");
  ExpectRefused(R"({"a":Infinity})");
  ExpectRefused(R"({"a":-Infinity})");
  ExpectRefused(R"({"a":1e999})");
}

TEST(JsonStrictTest, RefusesNumbersOutOfRange) {
  EXPECT_TRUE(ParseStrictJsonObject(R"({"a":9223372036854775807,"b":-9223372036854775808})").ok());
  EXPECT_TRUE(ParseStrictJsonObject(R"({"a":1.5e300,"b":-2.5,"c":1e2,"d":0})").ok());
  ExpectRefused(R"({"a":9223372036854775808})");      // INT64_MAX + 1
  ExpectRefused(R"({"a":18446744073709551615})");     // UINT64_MAX
  ExpectRefused(R"({"a":99999999999999999999999})");  // past uint64 too
  ExpectRefused(R"({"a":-99999999999999999999999})");
  ExpectRefused(R"({"a":[1,{"b":-1e400}]})");
}

TEST(JsonStrictTest, RefusesTrailingGarbage) {
  ExpectRefused(R"({"a":1} x)");
  ExpectRefused(R"({"a":1}{})");
  ExpectRefused(R"({"a":1},)");
  ExpectRefused(std::string("{}\0", 3));
}

TEST(JsonStrictTest, RefusesNonObjectTopLevel) {
  for (const char* s : {"[]", "[{}]", "\"s\"", "1", "null", "true"}) {
    auto r = ParseStrictJsonObject(s);
    ASSERT_FALSE(r.ok()) << s;
    EXPECT_NE(r.status().message().find("object"), std::string::npos) << r.status().message();
  }
}

TEST(JsonStrictTest, RefusesEmptyAndMalformed) {
  ExpectRefused("");
  ExpectRefused("   ");
  ExpectRefused("{");
  ExpectRefused(R"({"a":})");
  ExpectRefused(R"({'a':1})");
  ExpectRefused(R"({"a":1,})");
  ExpectRefused(R"({a:1})");
  ExpectRefused("{\"a\":\"line\nbreak\"}");  // raw control character in a string
  ExpectRefused(R"({"a":1 /* comment */})");
}

}  // namespace
}  // namespace ct::api
