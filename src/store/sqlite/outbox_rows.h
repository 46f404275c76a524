// Reading outbox rows into DeliveryRow: one column list shared by every query that returns
// deliveries (claim, list, get), so they cannot drift apart.
#pragma once

#include <string_view>

#include "store/sqlite/statement.h"
#include "store/store.h"

namespace ct::sqlite {

// The outbox columns ReadDeliveryRow expects, in its order (columns 0..15).
inline constexpr std::string_view kDeliveryColumns =
    "id, account_id, postback_id, event_id, event_kind, event_time_us, method, url, body, "
    "state, attempts, created_at, next_attempt_us, last_status, last_error, delivered_at";

// Reads columns 0..15 of the current row (kDeliveryColumns, or the same list prefixed "o.").
DeliveryRow ReadDeliveryRow(const Statement& s);

// A 16-byte id column; shorter blobs are zero-padded (never written so; defensive).
EventId ReadEventId(const Statement& s, int col);

}  // namespace ct::sqlite
