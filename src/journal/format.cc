#include "journal/format.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "common/crc32c.h"
#include "common/event.h"

namespace ct::journal {
namespace {

void PutU16(char* p, uint16_t v) {
  p[0] = static_cast<char>(v & 0xff);
  p[1] = static_cast<char>(v >> 8);
}
void PutU32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void PutU64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
uint16_t GetU16(const char* p) {
  return static_cast<uint16_t>(static_cast<uint8_t>(p[0]) | (static_cast<uint8_t>(p[1]) << 8));
}
uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// CRC over type, flags, length (header bytes 2..7) and the payload.
uint32_t RecordCrc(const char* header, std::string_view payload) {
  uint32_t crc = crc32c::Extend(0, header + 2, 6);
  return crc32c::Extend(crc, payload.data(), payload.size());
}

}  // namespace

void AppendRecord(std::string* dst, RecordType type, std::string_view payload, uint8_t flags) {
  char h[kRecordHeaderSize];
  PutU16(h, kRecordMagic);
  h[2] = static_cast<char>(type);
  h[3] = static_cast<char>(flags);
  PutU32(h + 4, static_cast<uint32_t>(payload.size()));
  PutU32(h + 8, crc32c::Mask(RecordCrc(h, payload)));
  dst->append(h, sizeof h);
  dst->append(payload);
}

size_t CountFramedRecords(std::string_view framed) {
  size_t n = 0, at = 0;
  while (at + kRecordHeaderSize <= framed.size()) {
    at += kRecordHeaderSize + GetU32(framed.data() + at + 4);
    if (at > framed.size()) break;
    ++n;
  }
  return n;
}

int64_t MinFramedEventTime(std::string_view framed) {
  int64_t oldest = INT64_MAX;
  size_t at = 0;
  while (at + kRecordHeaderSize <= framed.size()) {
    const uint32_t len = GetU32(framed.data() + at + 4);
    if (at + kRecordHeaderSize + len > framed.size()) break;
    if (static_cast<RecordType>(framed[at + 2]) == RecordType::kEvent) {
      if (auto t = PeekEventTime(framed.substr(at + kRecordHeaderSize, len))) {
        oldest = std::min(oldest, *t);
      }
    }
    at += kRecordHeaderSize + len;
  }
  return oldest;
}

std::string SegmentHeader(uint64_t base) {
  std::string h(kSegmentHeaderSize, '\0');
  std::memcpy(h.data(), kSegmentMagic, 8);
  PutU64(h.data() + 8, base);
  PutU32(h.data() + 16, crc32c::Mask(crc32c::Value(h.data(), 16)));
  return h;
}

bool ParseSegmentHeader(std::string_view bytes, uint64_t* base) {
  if (bytes.size() < kSegmentHeaderSize) return false;
  if (std::memcmp(bytes.data(), kSegmentMagic, 8) != 0) return false;
  if (crc32c::Unmask(GetU32(bytes.data() + 16)) != crc32c::Value(bytes.data(), 16)) return false;
  *base = GetU64(bytes.data() + 8);
  return true;
}

std::string SegmentFileName(uint64_t base) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020llu%s", static_cast<unsigned long long>(base),
                kSegmentSuffix);
  return buf;
}

bool ParseSegmentFileName(std::string_view name, uint64_t* base) {
  constexpr size_t kDigits = 20;
  if (name.size() != kDigits + std::strlen(kSegmentSuffix)) return false;
  if (name.substr(kDigits) != kSegmentSuffix) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < kDigits; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return false;
    uint64_t next = v * 10 + static_cast<uint64_t>(c - '0');
    if (next / 10 != v) return false;  // overflow
    v = next;
  }
  *base = v;
  return true;
}

FrameCheck CheckFrame(std::string_view bytes, Frame* frame) {
  if (bytes.size() < kRecordHeaderSize) {
    for (char c : bytes) {
      if (c != 0) return FrameCheck::kTruncated;
    }
    return bytes.empty() ? FrameCheck::kTruncated : FrameCheck::kZero;
  }
  const char* h = bytes.data();
  static constexpr char kZeroHeader[kRecordHeaderSize] = {};
  if (std::memcmp(h, kZeroHeader, kRecordHeaderSize) == 0) return FrameCheck::kZero;
  if (GetU16(h) != kRecordMagic) return FrameCheck::kBad;
  uint32_t length = GetU32(h + 4);
  if (length > kMaxRecordPayload) return FrameCheck::kBad;
  if (bytes.size() < kRecordHeaderSize + length) return FrameCheck::kTruncated;
  std::string_view payload = bytes.substr(kRecordHeaderSize, length);
  if (crc32c::Unmask(GetU32(h + 8)) != RecordCrc(h, payload)) return FrameCheck::kBad;
  if (static_cast<RecordType>(h[2]) == RecordType::kReserved) return FrameCheck::kBad;
  frame->type = static_cast<RecordType>(h[2]);
  frame->flags = static_cast<uint8_t>(h[3]);
  frame->payload = payload;
  frame->size = kRecordHeaderSize + length;
  return FrameCheck::kOk;
}

}  // namespace ct::journal
