// Little-endian building blocks of the journal's payloads (common/event.h, common/tally.h):
// fixed-width integers and u16-length strings, appended to a std::string and read back by a
// bounds-checked reader. Inline: the edge encodes an event per click with these.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ct {

inline void PutU64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out->append(b, 8);
}
inline void PutI64(std::string* out, int64_t v) { PutU64(out, static_cast<uint64_t>(v)); }
inline void PutU16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v & 0xff));
  out->push_back(static_cast<char>(v >> 8));
}
// A u16 length, then the bytes; longer strings are cut to `cap` (which must fit in a u16).
inline void PutStr(std::string* out, std::string_view s, size_t cap) {
  if (s.size() > cap) s = s.substr(0, cap);
  PutU16(out, static_cast<uint16_t>(s.size()));
  out->append(s);
}
// The 8 bytes at `p`, which the caller has checked are there.
inline uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// Reads a payload front to back. Every method returns false, consuming nothing, when the
// payload is too short (or a string is longer than its cap): a length is never trusted.
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  bool U8(uint8_t* v) {
    if (in_.empty()) return false;
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool U16(uint16_t* v) {
    if (in_.size() < 2) return false;
    *v = static_cast<uint16_t>(static_cast<uint8_t>(in_[0]) |
                               (static_cast<uint16_t>(static_cast<uint8_t>(in_[1])) << 8));
    in_.remove_prefix(2);
    return true;
  }
  bool U64(uint64_t* v) {
    if (in_.size() < 8) return false;
    *v = GetU64(in_.data());
    in_.remove_prefix(8);
    return true;
  }
  bool I64(int64_t* v) {
    uint64_t u = 0;
    if (!U64(&u)) return false;
    *v = static_cast<int64_t>(u);
    return true;
  }
  bool Bytes(void* out, size_t n) {
    if (in_.size() < n) return false;
    std::memcpy(out, in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool Str(std::string* s, size_t cap) {
    if (in_.size() < 2) return false;
    const size_t n =
        static_cast<uint8_t>(in_[0]) | (static_cast<size_t>(static_cast<uint8_t>(in_[1])) << 8);
    if (n > cap || in_.size() < 2 + n) return false;
    s->assign(in_.data() + 2, n);
    in_.remove_prefix(2 + n);
    return true;
  }
  bool empty() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace ct
