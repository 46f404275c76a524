// CRC-32C (Castagnoli), the checksum of every journal record (as in leveldb and PostgreSQL's
// WAL). Uses the SSE4.2 crc32 instruction when the CPU has it, Boost.CRC's table otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ct::crc32c {

// Extends `crc` (the value returned for the bytes before) over `data`. Value(data) ==
// Extend(0, data).
uint32_t Extend(uint32_t crc, const void* data, size_t n);
inline uint32_t Value(const void* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view s) { return Extend(0, s.data(), s.size()); }

// A CRC stored next to the data it covers is masked, so that a CRC computed over bytes that
// themselves contain CRCs stays strong (leveldb's rule).
inline uint32_t Mask(uint32_t crc) {
  constexpr uint32_t kMaskDelta = 0xa282ead8u;
  return ((crc >> 15) | (crc << 17)) + kMaskDelta;
}
inline uint32_t Unmask(uint32_t masked) {
  constexpr uint32_t kMaskDelta = 0xa282ead8u;
  uint32_t rot = masked - kMaskDelta;
  return ((rot >> 17) | (rot << 15));
}

}  // namespace ct::crc32c
