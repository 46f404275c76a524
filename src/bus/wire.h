// The bus's wire format (../notes contract, ISSUE6): one JetStream message per journal record.
//   subject  ct.events.<edge>
//   payload  the record's payload (journal/format.h), or for a gap {"records":N}
//   headers  Nats-Msg-Id  the event id in hex for events, "<edge>:<from>" for other types
//            Ct-Edge      the edge id
//            Ct-Type      the record type number (255: a gap the journal reader skipped)
//            Ct-From      the shipper's cursor before this record (the previous record's
//                         next_position, 0 for a fresh journal)
//            Ct-To        this record's next_position
// so the ranges [from, to) of consecutive records chain exactly, padding and segment jumps
// included, and the store's committed_below can pass everything the edge shipped.
// Watermarks: core NATS on ct.watermark.<edge>, the decimal committed_below.
// Edges: core NATS on ct.edges, an edge id: an edge that hears no watermark says it exists, so
// a tracker that never committed for it (a new one, the stream lost) republishes its watermark.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ct::wire {

inline constexpr std::string_view kEventsPrefix = "ct.events.";
inline constexpr std::string_view kEventsWildcard = "ct.events.>";
inline constexpr std::string_view kWatermarkPrefix = "ct.watermark.";
inline constexpr const char* kEdgesSubject = "ct.edges";
inline constexpr const char* kMsgIdHeader = "Nats-Msg-Id";
inline constexpr const char* kEdgeHeader = "Ct-Edge";
inline constexpr const char* kTypeHeader = "Ct-Type";
inline constexpr const char* kFromHeader = "Ct-From";
inline constexpr const char* kToHeader = "Ct-To";
inline constexpr uint8_t kGapType = 255;
inline constexpr uint8_t kEventType = 1;  // journal/format.h RecordType::kEvent

// What a message says, headers parsed.
struct ShippedRecord {
  std::string edge;
  uint8_t type = 0;
  uint64_t from = 0;
  uint64_t to = 0;
  std::string msg_id;
};

std::string EventsSubject(std::string_view edge);
std::string WatermarkSubject(std::string_view edge);
// The Nats-Msg-Id of a record: the event id for a decodable event, else "<edge>:<from>".
std::string MsgId(std::string_view edge, uint8_t type, uint64_t from, std::string_view payload);
std::string GapPayload(uint64_t records);
// The records count of a gap payload; kInvalidArgument if it is not one.
Result<uint64_t> ParseGapPayload(std::string_view payload);
// A decimal u64 (headers, watermarks); nullopt-like error on anything else.
Result<uint64_t> ParseDecimal(std::string_view s);
// 1-64 of A-Z a-z 0-9 . _ - (the edge.id rule): safe as a subject token.
bool ValidEdgeId(std::string_view edge);

}  // namespace ct::wire
