#include "common/event.h"

#include <cstring>

#include "common/hash.h"
#include "common/password.h"
#include "common/random.h"

namespace ct {
namespace {

constexpr uint8_t kVersion = 2;
constexpr uint8_t kVersion1 = 1;

void PutI64(std::string* out, int64_t v) {
  char b[8];
  uint64_t u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((u >> (8 * i)) & 0xff);
  out->append(b, 8);
}

void PutStr(std::string* out, std::string_view s, size_t cap) {
  if (s.size() > cap) s = s.substr(0, cap);
  out->push_back(static_cast<char>(s.size() & 0xff));
  out->push_back(static_cast<char>((s.size() >> 8) & 0xff));
  out->append(s);
}

class Cursor {
 public:
  explicit Cursor(std::string_view in) : in_(in) {}
  bool U8(uint8_t* v) {
    if (in_.size() < 1) return false;
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool I64(int64_t* v) {
    if (in_.size() < 8) return false;
    uint64_t u = 0;
    for (int i = 7; i >= 0; --i) u = (u << 8) | static_cast<uint8_t>(in_[i]);
    *v = static_cast<int64_t>(u);
    in_.remove_prefix(8);
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
    size_t n =
        static_cast<uint8_t>(in_[0]) | (static_cast<size_t>(static_cast<uint8_t>(in_[1])) << 8);
    in_.remove_prefix(2);
    if (n > cap || in_.size() < n) return false;
    s->assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool empty() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace

std::string ClickId(const EventId& id) {
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(id.data()), id.size()));
}

std::string EventIdHex(const EventId& id) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(id.data()), id.size()));
}

void EncodeEventView(const EventView& e, std::string* out) {
  out->push_back(static_cast<char>(kVersion));
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
}

void EncodeEvent(const Event& e, std::string* out) {
  EncodeEventView({e.kind, e.id, e.time_us, e.link_id, e.account_id, e.flags, e.ip, e.user_agent,
                   e.referrer, e.accept_language, e.country, e.visitor_id, e.destination},
                  out);
}

Result<Event> DecodeEvent(std::string_view payload) {
  Cursor c(payload);
  uint8_t version = 0, kind = 0;
  if (!c.U8(&version)) return Status::Corruption("event: empty payload");
  if (version != kVersion && version != kVersion1) {
    return Status::Corruption("event: unknown version " + std::to_string(version));
  }
  Event e;
  if (!c.U8(&kind) || (kind != static_cast<uint8_t>(EventKind::kClick) &&
                       kind != static_cast<uint8_t>(EventKind::kHead))) {
    return Status::Corruption("event: unknown kind");
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
  if (!c.empty()) return Status::Corruption("event: trailing bytes");
  return e;
}

EventIdGenerator::EventIdGenerator() : prefix_(RandomU64()) {}

EventId EventIdGenerator::Next() {
  uint64_t n = counter_.fetch_add(1, std::memory_order_relaxed);
  EventId id;
  for (int i = 0; i < 8; ++i) id[i] = static_cast<uint8_t>(prefix_ >> (8 * i));
  for (int i = 0; i < 8; ++i) id[8 + i] = static_cast<uint8_t>(n >> (8 * (7 - i)));
  return id;
}

}  // namespace ct
