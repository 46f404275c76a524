#include "store/sqlite/outbox_rows.h"

#include <algorithm>
#include <string>

namespace ct::sqlite {

EventId ReadEventId(const Statement& s, int col) {
  const std::string bytes = s.ColumnText(col);
  EventId id{};
  std::copy_n(bytes.begin(), std::min(bytes.size(), id.size()), id.begin());
  return id;
}

DeliveryRow ReadDeliveryRow(const Statement& s) {
  DeliveryRow r;
  r.id = s.ColumnText(0);
  r.account_id = s.ColumnInt(1);
  r.postback_id = s.ColumnInt(2);
  r.event_id = ReadEventId(s, 3);
  r.event_kind = static_cast<EventKind>(s.ColumnInt(4));
  r.event_time_us = s.ColumnInt(5);
  r.method = s.ColumnText(6);
  r.url = s.ColumnText(7);
  r.body = s.ColumnText(8);
  r.state = static_cast<DeliveryState>(s.ColumnInt(9));
  r.attempts = static_cast<int>(s.ColumnInt(10));
  r.created_at_us = s.ColumnInt(11);
  r.next_attempt_us = s.ColumnInt(12);
  r.last_status = static_cast<int>(s.ColumnInt(13));
  r.last_error = s.ColumnText(14);
  r.delivered_at_us = s.ColumnInt(15);
  return r;
}

}  // namespace ct::sqlite
