#include "common/event.h"

#include <sys/random.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/byte_codec.h"
#include "common/hash.h"
#include "common/password.h"
#include "common/random.h"

namespace ct {
namespace {

constexpr uint8_t kVersion3 = 3;  // conversions
constexpr uint8_t kVersion = 2;
constexpr uint8_t kVersion1 = 1;

}  // namespace

std::string ClickId(const EventId& id) {
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(id.data()), id.size()));
}

void AppendClickId(const EventId& id, std::string* out) {
  AppendBase64Url(std::string_view(reinterpret_cast<const char*>(id.data()), id.size()), out);
}

std::string_view EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kClick:
      return "click";
    case EventKind::kHead:
      return "head";
    case EventKind::kImpression:
      return "impression";
    case EventKind::kConversion:
      return "conversion";
  }
  return "unknown";
}

std::optional<EventId> ParseClickId(std::string_view s) {
  if (s.size() != 22) return std::nullopt;
  std::string bytes;
  if (!Base64UrlDecode(s, &bytes) || bytes.size() != 16) return std::nullopt;
  EventId id;
  std::memcpy(id.data(), bytes.data(), id.size());
  // Only the canonical spelling: the last character carries 2 unused bits, which must be 0.
  if (ClickId(id) != s) return std::nullopt;
  return id;
}

std::string EventIdHex(const EventId& id) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(id.data()), id.size()));
}

void EncodeEventView(const EventView& e, std::string* out) {
  const bool v3 = e.kind == EventKind::kConversion;
  out->push_back(static_cast<char>(v3 ? kVersion3 : kVersion));
  out->push_back(static_cast<char>(e.kind));
  out->append(reinterpret_cast<const char*>(e.id.data()), e.id.size());
  PutI64(out, e.time_us);
  PutI64(out, e.link_id);
  PutI64(out, e.account_id);
  out->push_back(static_cast<char>(e.flags));
  PutStr(out, e.ip, kMaxIpBytes);
  PutStr(out, e.user_agent, kMaxUserAgentBytes);
  PutStr(out, e.referrer, kMaxReferrerBytes);
  PutStr(out, e.accept_language, kMaxAcceptLanguageBytes);
  PutStr(out, e.country, kMaxCountryBytes);
  PutStr(out, e.visitor_id, kMaxVisitorIdBytes);
  PutStr(out, e.destination, kMaxEventDestinationBytes);
  if (v3) {
    PutI64(out, e.goal_id);
    PutI64(out, e.value_micros);
    PutStr(out, e.currency, kMaxCurrencyBytes);
    PutStr(out, e.order_id, kMaxOrderIdBytes);
    PutStr(out, e.click_ref, kMaxClickRefBytes);
  }
}

void EncodeEvent(const Event& e, std::string* out) {
  EncodeEventView({e.kind, e.id, e.time_us, e.link_id, e.account_id, e.flags, e.ip, e.user_agent,
                   e.referrer, e.accept_language, e.country, e.visitor_id, e.destination, e.goal_id,
                   e.value_micros, e.currency, e.order_id, e.click_ref},
                  out);
}

std::optional<int64_t> PeekEventTime(std::string_view payload) {
  // u8 version | u8 kind | 16 bytes id | i64 time_us: the same in v1, v2 and v3.
  constexpr size_t kTimeOffset = 2 + 16;
  if (payload.size() < kTimeOffset + 8) return std::nullopt;
  const auto version = static_cast<uint8_t>(payload[0]);
  if (version != kVersion3 && version != kVersion && version != kVersion1) return std::nullopt;
  uint64_t u = 0;
  for (int i = 7; i >= 0; --i) u = (u << 8) | static_cast<uint8_t>(payload[kTimeOffset + i]);
  return static_cast<int64_t>(u);
}

Result<Event> DecodeEvent(std::string_view payload) {
  ByteReader c(payload);
  uint8_t version = 0, kind = 0;
  if (!c.U8(&version)) return Status::Corruption("event: empty payload");
  if (version != kVersion3 && version != kVersion && version != kVersion1) {
    return Status::Corruption("event: unknown version " + std::to_string(version));
  }
  Event e;
  if (!c.U8(&kind) || kind < static_cast<uint8_t>(EventKind::kClick) ||
      kind > static_cast<uint8_t>(EventKind::kConversion)) {
    return Status::Corruption("event: unknown kind");
  }
  // Conversions exist only from v3 on, and v3 carries only conversions.
  if ((kind == static_cast<uint8_t>(EventKind::kConversion)) != (version == kVersion3)) {
    return Status::Corruption("event: kind does not match the encoding version");
  }
  e.kind = static_cast<EventKind>(kind);
  if (!c.Bytes(e.id.data(), e.id.size()) || !c.I64(&e.time_us) || !c.I64(&e.link_id) ||
      !c.I64(&e.account_id) || (version >= 2 && !c.U8(&e.flags)) || !c.Str(&e.ip, kMaxIpBytes) ||
      !c.Str(&e.user_agent, kMaxUserAgentBytes) || !c.Str(&e.referrer, kMaxReferrerBytes) ||
      !c.Str(&e.accept_language, kMaxAcceptLanguageBytes)) {
    return Status::Corruption("event: truncated or oversized field");
  }
  if (version >= 2 &&
      (!c.Str(&e.country, kMaxCountryBytes) || !c.Str(&e.visitor_id, kMaxVisitorIdBytes) ||
       !c.Str(&e.destination, kMaxEventDestinationBytes))) {
    return Status::Corruption("event: truncated or oversized field");
  }
  if (version == kVersion3 &&
      (!c.I64(&e.goal_id) || !c.I64(&e.value_micros) || !c.Str(&e.currency, kMaxCurrencyBytes) ||
       !c.Str(&e.order_id, kMaxOrderIdBytes) || !c.Str(&e.click_ref, kMaxClickRefBytes))) {
    return Status::Corruption("event: truncated or oversized field");
  }
  if (!c.empty()) return Status::Corruption("event: trailing bytes");
  return e;
}

namespace {

// Per-thread buffer of kernel randomness: one getrandom(2) per 256 ids.
class RandomPool {
 public:
  void Take(uint8_t* out, size_t n) {
    if (used_ + n > sizeof(buf_)) Refill();
    std::memcpy(out, buf_ + used_, n);
    // Never hand the same bytes out twice (nor leave them readable longer than needed).
    std::memset(buf_ + used_, 0, n);
    used_ += n;
  }

 private:
  void Refill() {
    size_t got = 0;
    while (got < sizeof(buf_)) {
      ssize_t r = getrandom(buf_ + got, sizeof(buf_) - got, 0);
      if (r < 0) {
        if (errno == EINTR) continue;
        std::fprintf(stderr, "getrandom failed: %s\n", std::strerror(errno));
        std::abort();
      }
      got += static_cast<size_t>(r);
    }
    used_ = 0;
  }
  uint8_t buf_[2560];
  size_t used_ = sizeof(buf_);
};

}  // namespace

int64_t EventIdTimeMicros(const EventId& id) {
  uint64_t ms = 0;
  for (int i = 0; i < 6; ++i) ms = (ms << 8) | id[i];
  return static_cast<int64_t>(ms) * 1000;
}

EventId EventIdGenerator::Next(int64_t time_us) {
  thread_local RandomPool pool;
  EventId id;
  const uint64_t ms = static_cast<uint64_t>(time_us < 0 ? 0 : time_us / 1000);
  for (int i = 0; i < 6; ++i) id[i] = static_cast<uint8_t>(ms >> (8 * (5 - i)));
  pool.Take(id.data() + 6, 10);
  return id;
}

EventId EventIdGenerator::Next() {
  return Next(std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count());
}

}  // namespace ct
