#include "common/tally.h"

#include <algorithm>
#include <cstring>

namespace ct {
namespace {

constexpr uint8_t kTallyVersion = 1;
constexpr size_t kEventTimeOffset = 2 + 16;  // u8 version, u8 kind, 16 bytes id

void PutU64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out->append(b, 8);
}

uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
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
  bool Bytes(void* out, size_t n) {
    if (in_.size() < n) return false;
    std::memcpy(out, in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool empty() const { return in_.empty(); }

 private:
  std::string_view in_;
};

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
  out->push_back(static_cast<char>(n & 0xff));
  out->push_back(static_cast<char>(n >> 8));
  for (size_t i = 0; i < n; ++i) {
    PutU64(out, static_cast<uint64_t>(t.rows[i].hour_us));
    PutU64(out, t.rows[i].answered);
    PutU64(out, t.rows[i].journaled);
  }
}

Result<Tally> DecodeTally(std::string_view payload) {
  Reader r(payload);
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
