// Event: what the edge records for each request it answers (a click, a HEAD, a pixel impression,
// a conversion), and its binary encoding — the payload of one journal record. The edge stamps
// the id and the time once; everything downstream (dedup, buckets) uses them, never its own.
//
// Encoding v2, little endian:
//   u8 version(=2) | u8 kind | 16 bytes id | i64 time_us | i64 link_id | i64 account_id |
//   u8 flags | then 7 strings (ip, user_agent, referrer, accept_language, country, visitor_id,
//   destination), each u16 length + bytes.
// Encoding v3 (conversions) appends: i64 goal_id | i64 value_micros | 3 strings (currency,
//   order_id, click_ref). The encoder writes v3 for conversions and v2 for every other kind, so
//   a click's record is as small as before.
// v1 (written before the link features) is v2 without flags and the last 3 strings; it
// still decodes, with those empty. Decoders reject unknown versions and any length that runs
// past the payload.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ct {

enum class EventKind : uint8_t {
  kClick = 1,       // GET on a tracking link answered with a redirect
  kHead = 2,        // HEAD on a tracking link: answered, counted apart from clicks (scanners)
  kImpression = 3,  // GET /p/{pixel}: a tracking pixel was loaded (link_id = the pixel's)
  kConversion = 4,  // GET /c/{goal} or POST /api/v1/conversions (link_id 0: the tracker
                    // attributes it to a click)
};
std::string_view EventKindName(EventKind kind);  // "click", "head", "impression", "conversion"

// 16 bytes, laid out like a UUIDv7: 6 bytes of milliseconds since the epoch (big endian), then
// 10 bytes from the kernel's CSPRNG. Unique across restarts and edges without coordination
// (80 random bits per millisecond), unguessable (a click id is a bearer token for attribution:
// knowing one must not reveal another), and ordered by time, so the store's event-id keyed
// tables grow at their right edge instead of on random pages.
using EventId = std::array<uint8_t, 16>;
std::string EventIdHex(const EventId& id);
// The click id users see ({click_id} macro, the ct_cid cookie, conversions' click_id, the click
// stream): base64url of the 16 bytes without padding, 22 characters.
std::string ClickId(const EventId& id);
// ClickId appended to `out`: no allocation when `out` has room (the edge formats it per click).
void AppendClickId(const EventId& id, std::string* out);
// The inverse of ClickId: nullopt unless `s` is exactly 22 base64url characters.
std::optional<EventId> ParseClickId(std::string_view s);
// The time an id was generated at (EventIdGenerator), to the millisecond, in microseconds. An
// id from outside (a click id a conversion names) may carry any time.
int64_t EventIdTimeMicros(const EventId& id);

// Field caps: longer values are cut at the edge, so a hostile header cannot grow the journal.
inline constexpr size_t kMaxIpBytes = 64;
inline constexpr size_t kMaxUserAgentBytes = 1024;
inline constexpr size_t kMaxReferrerBytes = 2048;
inline constexpr size_t kMaxAcceptLanguageBytes = 256;
inline constexpr size_t kMaxCountryBytes = 2;
inline constexpr size_t kMaxVisitorIdBytes = 64;
inline constexpr size_t kMaxEventDestinationBytes = 4096;
inline constexpr size_t kMaxCurrencyBytes = 3;   // ISO 4217, upper case
inline constexpr size_t kMaxOrderIdBytes = 128;  // longer order ids are refused (API) / cut (pixel)
inline constexpr size_t kMaxClickRefBytes = 64;  // the click id as received (validated later)

// Event::flags bits.
enum EventFlag : uint8_t {
  kFlagPrefetch = 1 << 0,        // Purpose/Sec-Purpose/X-Moz prefetch or preview header: a bot
  kFlagNewVisitor = 1 << 1,      // no visitor cookie came in; the edge set a new one
  kFlagFallback = 1 << 2,        // expired or capped: sent to the fallback (or answered 410)
  kFlagPasswordOk = 1 << 3,      // a password link, passed with the right password
  kFlagHasValue = 1 << 4,        // conversion: value_micros was given (else the goal's default)
  kFlagServerToServer = 1 << 5,  // conversion: POST /api/v1/conversions (not the pixel)
  // conversion: the pixel answered the HTML variant, whose <img> tags fire the goal's
  // piggyback pixels in the browser; without it the tracker fires them server-side (outbox).
  kFlagPiggybackServed = 1 << 6,
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
  // Conversions only (kind kConversion; zero/empty otherwise).
  int64_t goal_id = 0;
  int64_t value_micros = 0;  // value x 1e6 when kFlagHasValue
  std::string currency;      // "" = the goal's currency
  std::string order_id;      // "" = none
  std::string click_ref;     // the click id the conversion names (cookie or parameter), as given
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
  int64_t goal_id = 0;
  int64_t value_micros = 0;
  std::string_view currency, order_id, click_ref;
};
void EncodeEventView(const EventView& e, std::string* out);
Result<Event> DecodeEvent(std::string_view payload);
// The event time of an encoded event, read from its fixed offset without decoding the rest
// (the journal's lag tracking reads it on every append); nullopt if `payload` is too short or
// of an unknown version.
std::optional<int64_t> PeekEventTime(std::string_view payload);

// Generates event ids (layout above); thread-safe. Random bytes come from a per-thread buffer
// refilled from getrandom(2), so an id costs no system call on the hot path.
class EventIdGenerator {
 public:
  EventId Next(int64_t time_us);  // the event's wall-clock time
  EventId Next();                 // now
};

}  // namespace ct
