// One raw hit as a JSON object, every column the store keeps (the export format of
// tracker/hit_export.h and `clicktrail export-hits`; README "Export of raw hits"):
//   click_id, event_id (hex), kind, time (ISO 8601), time_us, link_id, account_id, ip,
//   user_agent, referrer, accept_language, language, country, device, os, browser,
//   referrer_domain, bot, unique, destination, visitor_id, visitor_key (hex), flags
// Keys are always present and in this order (a CSV export's columns).
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "store/store.h"

namespace ct {

boost::json::object HitJson(const ExportedHit& hit);
// HitJson serialised on one line, ended by '\n' (NDJSON).
std::string HitJsonLine(const ExportedHit& hit);

}  // namespace ct
