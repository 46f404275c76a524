// DecodeEvent on arbitrary bytes: never crashes; whatever decodes re-encodes to the same bytes
// (the encoding is canonical) and decodes again to an equal event.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/event.h"
#include "fuzz_seeds.h"

namespace ct::fuzz {
std::vector<std::string> FuzzSeeds() {
  std::vector<std::string> out;
  Event e;
  std::string s;
  EncodeEvent(e, &s);
  out.push_back(s);
  e.kind = EventKind::kHead;
  e.id.fill(0xab);
  e.time_us = -1;
  e.link_id = 7;
  e.account_id = 9;
  e.ip = "2001:db8::1";
  e.user_agent = "Mozilla/5.0";
  e.referrer = "https://example.org/";
  e.accept_language = "en";
  s.clear();
  EncodeEvent(e, &s);
  out.push_back(s);
  e.ip = std::string(kMaxIpBytes, 'i');
  s.clear();
  EncodeEvent(e, &s);
  out.push_back(s);
  return out;
}
}  // namespace ct::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto e = ct::DecodeEvent(in);
  if (!e.ok()) return 0;
  std::string again;
  ct::EncodeEvent(*e, &again);
  FUZZ_CHECK(again == in);
  auto e2 = ct::DecodeEvent(again);
  FUZZ_CHECK(e2.ok());
  FUZZ_CHECK(e2->kind == e->kind && e2->id == e->id && e2->time_us == e->time_us &&
             e2->link_id == e->link_id && e2->account_id == e->account_id && e2->ip == e->ip &&
             e2->user_agent == e->user_agent && e2->referrer == e->referrer &&
             e2->accept_language == e->accept_language);
  return 0;
}
