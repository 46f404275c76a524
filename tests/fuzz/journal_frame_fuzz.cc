// The journal's frame and segment-header checks on arbitrary bytes: never crash; a kOk frame
// lies inside the input and re-frames to the same bytes; a valid header re-encodes to itself.
// The input is also framed as a payload, which must check back as exactly that payload.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_seeds.h"
#include "journal/format.h"

namespace ct::fuzz {
std::vector<std::string> FuzzSeeds() {
  using namespace ct::journal;
  std::vector<std::string> out;
  std::string s;
  AppendRecord(&s, RecordType::kEvent, "event-1");
  out.push_back(s);
  AppendRecord(&s, RecordType::kEvent, std::string(300, 'x'));
  out.push_back(s);
  std::string ignorable;
  AppendRecord(&ignorable, static_cast<RecordType>(9), "later", kFlagSafeToIgnore);
  out.push_back(ignorable);
  out.push_back(SegmentHeader(0));
  out.push_back(SegmentHeader(67108888) + s);
  out.push_back(std::string(12, '\0'));
  return out;
}
}  // namespace ct::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ct::journal;
  std::string_view in(reinterpret_cast<const char*>(data), size);

  Frame f;
  FrameCheck c = CheckFrame(in, &f);
  if (c == FrameCheck::kOk) {
    FUZZ_CHECK(f.size <= in.size());
    FUZZ_CHECK(f.size == kRecordHeaderSize + f.payload.size());
    FUZZ_CHECK(f.payload.data() == in.data() + kRecordHeaderSize);
    FUZZ_CHECK(f.payload.size() <= kMaxRecordPayload);
    FUZZ_CHECK(f.type != RecordType::kReserved);
    std::string again;
    AppendRecord(&again, f.type, f.payload, f.flags);
    FUZZ_CHECK(again == in.substr(0, f.size));
  }

  uint64_t base = 0;
  if (ParseSegmentHeader(in, &base)) {
    FUZZ_CHECK(in.size() >= kSegmentHeaderSize);
    std::string h = SegmentHeader(base);
    FUZZ_CHECK(h.size() == kSegmentHeaderSize);
    // The 4 bytes after the CRC are not checked by the parser; the rest must match.
    FUZZ_CHECK(h.substr(0, 20) == in.substr(0, 20));
  }

  // Framing any payload (of a legal size, with a non-reserved type) checks back to it.
  if (size <= kMaxRecordPayload) {
    uint8_t type = size > 0 && data[0] != 0 ? data[0] : 1;
    uint8_t flags = size > 1 ? data[1] : 0;
    std::string framed;
    AppendRecord(&framed, static_cast<RecordType>(type), in, flags);
    Frame g;
    FUZZ_CHECK(CheckFrame(framed, &g) == FrameCheck::kOk);
    FUZZ_CHECK(g.payload == in && g.size == framed.size());
    FUZZ_CHECK(static_cast<uint8_t>(g.type) == type && g.flags == flags);
    // Any strict prefix is not a whole frame.
    Frame p;
    FUZZ_CHECK(CheckFrame(std::string_view(framed).substr(0, framed.size() - 1), &p) !=
               FrameCheck::kOk);
  }
  return 0;
}
