// ParseStrictJsonObject on arbitrary bytes: never crashes; an accepted object serializes to
// JSON that is accepted again and parses to an equal object.
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/json_strict.h"
#include "fuzz_seeds.h"

namespace ct::fuzz {
std::vector<std::string> FuzzSeeds() {
  return {
      R"({"destination":"https://example.com/","slug":"abc"})",
      R"({"a":[1,2.5,-3e10,{"b":null,"c":true}],"d":"\u00e9\ud83d\ude00"})",
      R"({"a":{"x":1},"b":{"x":2}})",
      R"({"a":1,"a":2})",
      R"({"n":9223372036854775807,"m":-9223372036854775808})",
      "{\"a\":" + std::string(63, '[') + std::string(63, ']') + "}",
  };
}
}  // namespace ct::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto obj = ct::api::ParseStrictJsonObject(in);
  if (!obj.ok()) {
    FUZZ_CHECK(obj.status().code() == ct::StatusCode::kInvalidArgument);
    return 0;
  }
  std::string text = boost::json::serialize(*obj);
  auto again = ct::api::ParseStrictJsonObject(text);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *obj);
  return 0;
}
