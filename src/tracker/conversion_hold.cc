#include "tracker/conversion_hold.h"

#include "common/event.h"
#include "monitor/completeness.h"
#include "store/edge_progress.h"

namespace ct {
namespace {

constexpr uint8_t kEventRecordType = 1;  // journal/format.h RecordType::kEvent

int64_t Micros(std::chrono::seconds s) {
  return std::chrono::duration_cast<std::chrono::microseconds>(s).count();
}

}  // namespace

bool ConversionHold::Holds(const std::string& edge, uint8_t record_type, std::string_view payload) {
  if (options_.max_hold.count() == 0 || record_type != kEventRecordType) return false;
  // u8 version | u8 kind: only conversions are decoded further (they are rare).
  if (payload.size() < 2 || payload[1] != static_cast<char>(EventKind::kConversion)) return false;
  Result<Event> e = DecodeEvent(payload);
  if (!e.ok()) return false;  // the decoder dead-letters it
  std::optional<EventId> click = ParseClickId(e->click_ref);
  if (!click) return false;
  const int64_t now = clock_->NowMicros();
  if (e->time_us < now - Micros(options_.max_hold)) return false;  // waited long enough
  return EventIdTimeMicros(*click) >= Horizon(edge, now) - Micros(kStampToAppend);
}

int64_t ConversionHold::Horizon(const std::string& own, int64_t now_us) {
  const auto steady = clock_->SteadyNow();
  if (!read_ || steady - read_at_ >= options_.refresh) {
    Result<std::vector<EdgeProgress>> edges = store_->ListEdgeProgress();
    if (edges.ok()) {
      edges_ = std::move(*edges);
      read_ = true;
      read_at_ = steady;
    }
  }
  if (!read_) return 0;  // the store never answered: hold (its commit would fail too)
  return LiveEdgeHorizon(edges_, now_us, options_.stale_after, own).through_us;
}

}  // namespace ct
