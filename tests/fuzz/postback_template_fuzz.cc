// Postback templates and the SSRF save-time check on arbitrary bytes: never crash; whatever a
// template expands to (with the input itself as every macro value) keeps the template's
// structure — the same '?', '#', '&', '=' and '/' characters — and is a valid URL again.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_seeds.h"
#include "postback/ssrf.h"
#include "postback/template.h"

namespace ct::fuzz {
std::vector<std::string> FuzzSeeds() {
  return {"https://p.example/pb?cid={click_id}&v={value}#{order_id}",
          "http://p.example:8080/{goal}/{event_id}",
          "https://{domain}/x",
          "http://2130706433/?x={click_id}",
          "http://[::ffff:127.0.0.1]/",
          "https://p.example/?x={click_id",
          "https://u@p.example/{nope}"};
}
}  // namespace ct::fuzz

namespace {
size_t Structure(std::string_view s, char c) { return std::count(s.begin(), s.end(), c); }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ct::postback;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  ct::Status valid = ValidateTemplate(in);
  ct::Status target = CheckTargetUrl(in, SsrfPolicy{});
  FUZZ_CHECK(valid.ok() || valid.code() == ct::StatusCode::kInvalidArgument);
  FUZZ_CHECK(target.ok() || target.code() == ct::StatusCode::kInvalidArgument);
  FUZZ_CHECK(valid.ok() || !target.ok());  // a target passes the structure check first
  if (!valid.ok()) return 0;

  MacroValues values;
  for (auto name : MacroNames()) values[std::string(name)] = std::string(in);
  std::string expanded = ExpandTemplate(in, values);
  for (char c : {'?', '#', '&', '=', '/', '@', ':'}) {
    FUZZ_CHECK(Structure(expanded, c) == Structure(in, c));
  }
  for (unsigned char c : expanded) FUZZ_CHECK(c > 0x20 && c < 0x7f);
  if (expanded.size() <= kMaxTemplateBytes) FUZZ_CHECK(ValidateTemplate(expanded).ok());
  FUZZ_CHECK(ValidateTemplate(ExpandTemplate(in, {})).ok());
  FUZZ_CHECK(!JsonBody(values).empty());
  return 0;
}
