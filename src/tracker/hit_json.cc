#include "tracker/hit_json.h"

#include <boost/json/serialize.hpp>

#include "common/event.h"
#include "common/hash.h"
#include "common/time_format.h"

namespace ct {

boost::json::object HitJson(const ExportedHit& hit) {
  const HitRow& h = hit.row;
  boost::json::object o;
  o["click_id"] = ClickId(h.event_id);
  o["event_id"] = EventIdHex(h.event_id);
  o["kind"] = std::string(EventKindName(h.kind));
  o["time"] = FormatIso8601(h.time_us);
  o["time_us"] = h.time_us;
  o["link_id"] = h.link_id;
  o["account_id"] = hit.account_id;
  o["ip"] = h.ip;
  o["user_agent"] = h.user_agent;
  o["referrer"] = h.referrer;
  o["accept_language"] = h.accept_language;
  o["language"] = h.enrichment.language;
  o["country"] = h.enrichment.country;
  o["device"] = h.enrichment.device;
  o["os"] = h.enrichment.os;
  o["browser"] = h.enrichment.browser;
  o["referrer_domain"] = h.enrichment.referrer_domain;
  o["bot"] = h.enrichment.bot;
  o["unique"] = h.unique;
  o["destination"] = h.destination;
  o["visitor_id"] = hit.visitor_id;
  o["visitor_key"] = HexEncode(hit.visitor_key);
  o["flags"] = static_cast<int64_t>(hit.flags);
  return o;
}

std::string HitJsonLine(const ExportedHit& hit) {
  std::string line = boost::json::serialize(HitJson(hit));
  line.push_back('\n');
  return line;
}

}  // namespace ct
