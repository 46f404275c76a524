#include "store/sqlite/hit_row.h"

#include <algorithm>

namespace ct::sqlite {

EventId ToEventId(const std::string& bytes) {
  EventId id{};
  std::copy_n(bytes.begin(), std::min(bytes.size(), id.size()), id.begin());
  return id;
}

HitRow ReadHitRow(const Statement& s) {
  HitRow h;
  h.event_id = ToEventId(s.ColumnText(0));
  h.kind = static_cast<EventKind>(s.ColumnInt(1));
  h.time_us = s.ColumnInt(2);
  h.link_id = s.ColumnInt(3);
  h.ip = s.ColumnText(4);
  h.user_agent = s.ColumnText(5);
  h.referrer = s.ColumnText(6);
  h.accept_language = s.ColumnText(7);
  h.destination = s.ColumnText(8);
  h.enrichment.country = s.ColumnText(9);
  h.enrichment.device = s.ColumnText(10);
  h.enrichment.os = s.ColumnText(11);
  h.enrichment.browser = s.ColumnText(12);
  h.enrichment.referrer_domain = s.ColumnText(13);
  h.enrichment.language = s.ColumnText(14);
  h.enrichment.bot = s.ColumnInt(15) != 0;
  h.unique = s.ColumnInt(16) != 0;
  return h;
}

}  // namespace ct::sqlite
