// Reading a raw hit (HitRow) from a `hits` query: the click stream (reports.cc ListHits) and the
// export scan (hit_scan.cc) select the same leading columns, so one reader decodes them.
#pragma once

#include <string>

#include "common/event.h"
#include "store/sqlite/statement.h"
#include "store/store.h"

namespace ct::sqlite {

// The leading columns ReadHitRow expects, in order; a query may select more after them.
#define CT_HIT_ROW_COLUMNS                                                        \
  "event_id, kind, time_us, link_id, ip, user_agent, referrer, accept_language, " \
  "destination, country, device, os, browser, referrer_domain, language, bot, is_unique"
inline constexpr int kHitRowColumns = 17;

// A 16-byte event id column (shorter blobs are zero-padded; they never occur in a sane file).
EventId ToEventId(const std::string& bytes);
// Decodes columns 0..kHitRowColumns-1 of the current row.
HitRow ReadHitRow(const Statement& s);

}  // namespace ct::sqlite
