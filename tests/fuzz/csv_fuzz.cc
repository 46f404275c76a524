// ParseCsv on arbitrary bytes: never crashes, fails only with kInvalidArgument; an accepted
// file written back with CsvLine parses to the same records, except that cells a spreadsheet
// would evaluate come back with their defusing leading quote.
#include <cstdint>
#include <string>
#include <string_view>

#include "api/csv.h"
#include "fuzz_seeds.h"

namespace ct::fuzz {
std::vector<std::string> FuzzSeeds() {
  return {
      "destination,slug,domain,title,tags,group\r\nhttps://example.com/,a,,Title,x|y,g\r\n",
      "\xEF\xBB\xBF"
      "a,\"b,c\",\"d\"\"e\"\n\"multi\r\nline\",,\n",
      "=cmd,+1,-2,@x\r\n\"\"\r\n\r\n",
      "a\rb\nc",
  };
}
}  // namespace ct::fuzz

namespace {

bool Defused(std::string_view s) {
  return !s.empty() &&
         (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto records = ct::api::ParseCsv(in, 10000);
  if (!records.ok()) {
    FUZZ_CHECK(records.status().code() == ct::StatusCode::kInvalidArgument);
    return 0;
  }
  std::string out;
  for (const auto& r : *records) out += ct::api::CsvLine(r);
  auto again = ct::api::ParseCsv(out, 10000);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->size() == records->size());
  for (size_t i = 0; i < records->size(); ++i) {
    const auto& a = (*records)[i];
    const auto& b = (*again)[i];
    FUZZ_CHECK(a.size() == b.size());
    for (size_t j = 0; j < a.size(); ++j) {
      FUZZ_CHECK(b[j] == (Defused(a[j]) ? "'" + a[j] : a[j]));
    }
  }
  return 0;
}
