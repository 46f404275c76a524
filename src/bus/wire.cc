#include "bus/wire.h"

#include <charconv>

#include "common/event.h"

namespace ct::wire {

std::string EventsSubject(std::string_view edge) {
  return std::string(kEventsPrefix) + std::string(edge);
}

std::string WatermarkSubject(std::string_view edge) {
  return std::string(kWatermarkPrefix) + std::string(edge);
}

std::string MsgId(std::string_view edge, uint8_t type, uint64_t from, std::string_view payload) {
  if (type == kEventType) {
    Result<Event> e = DecodeEvent(payload);
    if (e.ok()) return EventIdHex(e->id);
  }
  return std::string(edge) + ":" + std::to_string(from);
}

std::string GapPayload(uint64_t records) { return "{\"records\":" + std::to_string(records) + "}"; }

Result<uint64_t> ParseDecimal(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    return Status::InvalidArgument("not a decimal number: " + std::string(s.substr(0, 32)));
  }
  return v;
}

Result<uint64_t> ParseGapPayload(std::string_view payload) {
  constexpr std::string_view kHead = "{\"records\":";
  if (!payload.starts_with(kHead) || !payload.ends_with("}")) {
    return Status::InvalidArgument("not a gap payload");
  }
  return ParseDecimal(payload.substr(kHead.size(), payload.size() - kHead.size() - 1));
}

bool ValidEdgeId(std::string_view edge) {
  if (edge.empty() || edge.size() > 64) return false;
  for (char c : edge) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace ct::wire
