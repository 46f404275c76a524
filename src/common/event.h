// Event: what the edge records for each request it answers (a click, a HEAD, later pixels and
// conversions), and its binary encoding — the payload of one journal record. The edge stamps
// the id and the time once; everything downstream (dedup, buckets) uses them, never its own.
//
// Encoding v2, little endian:
//   u8 version(=2) | u8 kind | 16 bytes id | i64 time_us | i64 link_id | i64 account_id |
//   u8 flags | then 7 strings (ip, user_agent, referrer, accept_language, country, visitor_id,
//   destination), each u16 length + bytes.
// v1 (written before the link features) is the same without flags and the last 3 strings; it
// still decodes, with those empty. Decoders reject unknown versions and any length that runs
// past the payload.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ct {

enum class EventKind : uint8_t {
  kClick = 1,  // GET on a tracking link answered with a redirect
  kHead = 2,   // HEAD on a tracking link: answered, counted apart from clicks (scanners)
};

// 16 bytes: 8 random per process start + an 8-byte counter, so ids are unique across restarts
// and edges without coordination.
using EventId = std::array<uint8_t, 16>;
std::string EventIdHex(const EventId& id);
// The click id users see ({click_id} macro, the click stream, the visitor cookie's first
// value): base64url of the 16 bytes without padding, 22 characters.
std::string ClickId(const EventId& id);

// Field caps: longer values are cut at the edge, so a hostile header cannot grow the journal.
inline constexpr size_t kMaxIpBytes = 64;
inline constexpr size_t kMaxUserAgentBytes = 1024;
inline constexpr size_t kMaxReferrerBytes = 2048;
inline constexpr size_t kMaxAcceptLanguageBytes = 256;
inline constexpr size_t kMaxCountryBytes = 2;
inline constexpr size_t kMaxVisitorIdBytes = 64;
inline constexpr size_t kMaxEventDestinationBytes = 4096;

// Event::flags bits.
enum EventFlag : uint8_t {
  kFlagPrefetch = 1 << 0,    // Purpose/Sec-Purpose/X-Moz prefetch or preview header: a bot
  kFlagNewVisitor = 1 << 1,  // no visitor cookie came in; the edge set a new one
  kFlagFallback = 1 << 2,    // expired or capped: sent to the fallback (or answered 410)
  kFlagPasswordOk = 1 << 3,  // a password link, passed with the right password
};

struct Event {
  EventKind kind = EventKind::kClick;
  EventId id{};
  int64_t time_us = 0;  // wall clock at the edge, microseconds since the epoch, UTC
  int64_t link_id = 0;
  int64_t account_id = 0;
  std::string ip;
  std::string user_agent;
  std::string referrer;
  std::string accept_language;
  uint8_t flags = 0;        // EventFlag bits
  std::string country;      // set by the edge when it looked it up (targeting); else ""
  std::string visitor_id;   // the first-party visitor cookie's value; "" = none came in
  std::string destination;  // the URL template the edge chose (rotation/rule/fallback)
};

// Appends the encoding of `e` to `out`; string fields longer than their cap are truncated.
void EncodeEvent(const Event& e, std::string* out);
// The fields as views, so the edge's hot path encodes without copying into an Event.
struct EventView {
  EventKind kind = EventKind::kClick;
  EventId id{};
  int64_t time_us = 0;
  int64_t link_id = 0;
  int64_t account_id = 0;
  uint8_t flags = 0;
  std::string_view ip, user_agent, referrer, accept_language, country, visitor_id, destination;
};
void EncodeEventView(const EventView& e, std::string* out);
Result<Event> DecodeEvent(std::string_view payload);

// Generates event ids; thread-safe, lock-free.
class EventIdGenerator {
 public:
  EventIdGenerator();  // random 8-byte prefix from the CSPRNG
  EventId Next();

 private:
  uint64_t prefix_;
  std::atomic<uint64_t> counter_{0};
};

}  // namespace ct
