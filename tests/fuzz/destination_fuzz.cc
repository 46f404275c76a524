// ValidateDestination on arbitrary bytes: never crashes; an accepted URL is accepted again
// unchanged (normalisation is idempotent) and keeps the promised shape.
#include <cstdint>
#include <string>
#include <string_view>

#include "api/destination.h"
#include "fuzz_seeds.h"

namespace ct::fuzz {
std::vector<std::string> FuzzSeeds() {
  return {"https://example.com/",
          "HTTP://Example.COM:8080/a/b?q=1&r=%20#frag",
          "http://[2001:DB8::1]/x",
          "https://example.com",
          "https://user@example.com/",
          "javascript:alert(1)",
          "https:\\\\evil.com",
          "//evil.com/",
          "http://192.0.2.1:80/%7Efoo/./../bar"};
}
}  // namespace ct::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = ct::api::ValidateDestination(in);
  if (!r.ok()) {
    FUZZ_CHECK(r.status().code() == ct::StatusCode::kInvalidArgument);
    return 0;
  }
  const std::string& url = *r;
  FUZZ_CHECK(url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0);
  FUZZ_CHECK(url.size() <= ct::api::kMaxDestinationBytes + 1);  // at most a "/" is added
  for (unsigned char c : url) FUZZ_CHECK(c > 0x20 && c < 0x7f && c != '\\');
  auto again = ct::api::ValidateDestination(url);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == url);
  return 0;
}
