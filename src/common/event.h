// Event: what the edge records for each request it answers (a click, a HEAD, later pixels and
// conversions), and its binary encoding — the payload of one journal record. The edge stamps
// the id and the time once; everything downstream (dedup, buckets) uses them, never its own.
//
// Encoding v1, little endian:
//   u8 version(=1) | u8 kind | 16 bytes id | i64 time_us | i64 link_id | i64 account_id |
//   then 4 strings (ip, user_agent, referrer, accept_language), each u16 length + bytes.
// Decoders reject unknown versions and any length that runs past the payload.
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

// Field caps: longer values are cut at the edge, so a hostile header cannot grow the journal.
inline constexpr size_t kMaxIpBytes = 64;
inline constexpr size_t kMaxUserAgentBytes = 1024;
inline constexpr size_t kMaxReferrerBytes = 2048;
inline constexpr size_t kMaxAcceptLanguageBytes = 256;

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
};

// Appends the encoding of `e` to `out`; string fields longer than their cap are truncated.
void EncodeEvent(const Event& e, std::string* out);
// Encodes straight from views (the edge's hot path: no Event copy).
void EncodeEventFields(EventKind kind, const EventId& id, int64_t time_us, int64_t link_id,
                       int64_t account_id, std::string_view ip, std::string_view user_agent,
                       std::string_view referrer, std::string_view accept_language,
                       std::string* out);
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
