// ParseIso8601 on arbitrary bytes: never crashes; a parsed time formats to text that parses
// back to the same instant.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/time_format.h"
#include "fuzz_seeds.h"

namespace ct::fuzz {
std::vector<std::string> FuzzSeeds() {
  return {"2026-11-25T10:00:00Z", "2026-11-25", "2024-02-29T23:59:60.999999Z",
          "2026-11-25T12:00:00.123456789+02:00", "2026-11-25t04:30-05:30", "0000-01-01T00:00:00Z",
          "9999-12-31T23:59:59Z", "1969-12-31 23:59:59.5z",
          // Offsets at the edges of the years FormatIso8601 can write (a past failure).
          "0000-01-01T00:00+00:01", "9999-12-31T23:59-00:01"};
}
}  // namespace ct::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto t = ct::ParseIso8601(in);
  if (!t.ok()) return 0;
  std::string text = ct::FormatIso8601(*t);
  auto again = ct::ParseIso8601(text);
  if (!again.ok() || *again != *t) {
    std::fprintf(stderr, "'%.*s' -> %s\n", static_cast<int>(size), in.data(), text.c_str());
  }
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *t);
  return 0;
}
