#include "common/tally.h"

#include <algorithm>
#include <cstring>

#include "common/byte_codec.h"

namespace ct {
namespace {

constexpr uint8_t kTallyVersion = 1;
constexpr size_t kEventTimeOffset = 2 + 16;  // u8 version, u8 kind, 16 bytes id

}  // namespace

int64_t HourStartMicros(int64_t time_us) {
  int64_t q = time_us / kMicrosPerHour;
  if (time_us % kMicrosPerHour < 0) --q;
  return q * kMicrosPerHour;
}

bool ValidEdgeId(std::string_view id) {
  if (id.empty() || id.size() > kMaxEdgeIdBytes) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void EncodeTally(const Tally& t, std::string* out) {
  out->push_back(static_cast<char>(kTallyVersion));
  out->push_back(static_cast<char>(t.flags));
  std::string_view edge = std::string_view(t.edge).substr(0, kMaxEdgeIdBytes);
  out->push_back(static_cast<char>(edge.size()));
  out->append(edge);
  out->append(reinterpret_cast<const char*>(t.run.data()), t.run.size());
  PutU64(out, t.seq);
  PutU64(out, static_cast<uint64_t>(t.as_of_us));
  const size_t n = std::min(t.rows.size(), kMaxTallyRows);
  PutU16(out, static_cast<uint16_t>(n));
  for (size_t i = 0; i < n; ++i) {
    PutU64(out, static_cast<uint64_t>(t.rows[i].hour_us));
    PutU64(out, t.rows[i].answered);
    PutU64(out, t.rows[i].journaled);
  }
}

Result<Tally> DecodeTally(std::string_view payload) {
  ByteReader r(payload);
  Tally t;
  uint8_t version = 0, edge_len = 0;
  if (!r.U8(&version)) return Status::InvalidArgument("tally: empty payload");
  if (version != kTallyVersion) {
    return Status::InvalidArgument("tally: unknown version " + std::to_string(version));
  }
  if (!r.U8(&t.flags) || !r.U8(&edge_len)) return Status::InvalidArgument("tally: truncated");
  t.edge.resize(edge_len);
  if (!r.Bytes(t.edge.data(), edge_len) || !ValidEdgeId(t.edge)) {
    return Status::InvalidArgument("tally: bad edge id");
  }
  uint64_t as_of = 0;
  uint16_t rows = 0;
  if (!r.Bytes(t.run.data(), t.run.size()) || !r.U64(&t.seq) || !r.U64(&as_of) || !r.U16(&rows)) {
    return Status::InvalidArgument("tally: truncated");
  }
  if (rows > kMaxTallyRows) return Status::InvalidArgument("tally: too many rows");
  t.as_of_us = static_cast<int64_t>(as_of);
  t.rows.resize(rows);
  for (TallyRow& row : t.rows) {
    uint64_t hour = 0;
    if (!r.U64(&hour) || !r.U64(&row.answered) || !r.U64(&row.journaled)) {
      return Status::InvalidArgument("tally: truncated row");
    }
    row.hour_us = static_cast<int64_t>(hour);
    if (row.journaled > row.answered) {
      return Status::InvalidArgument("tally: more journaled than answered");
    }
  }
  if (!r.empty()) return Status::InvalidArgument("tally: trailing bytes");
  return t;
}

int64_t EventPayloadTime(std::string_view payload) {
  if (payload.size() < kEventTimeOffset + 8) return 0;
  return static_cast<int64_t>(GetU64(payload.data() + kEventTimeOffset));
}

}  // namespace ct
