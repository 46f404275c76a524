#include "store/sqlite/macro_values.h"

#include "common/time_format.h"

namespace ct::sqlite {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

int64_t FloorSeconds(int64_t micros) {
  int64_t s = micros / kMicrosPerSecond;
  if (micros % kMicrosPerSecond < 0) --s;
  return s;
}

// What every event kind shares: its id, time, account, and its link's enrichment.
void AddCommon(const Event& e, std::string_view kind, postback::MacroValues* v) {
  (*v)["event"] = std::string(kind);
  (*v)["event_id"] = ClickId(e.id);
  (*v)["event_time"] = FormatIso8601(e.time_us);
  (*v)["event_time_unix"] = std::to_string(FloorSeconds(e.time_us));
  (*v)["account_id"] = std::to_string(e.account_id);
}

void AddLink(int64_t link_id, const LinkRef& link, const Enrichment& en, postback::MacroValues* v) {
  (*v)["link"] = link.slug;
  (*v)["link_id"] = link_id != 0 ? std::to_string(link_id) : std::string();
  (*v)["domain"] = link.domain;
  (*v)["country"] = en.country;
  (*v)["device"] = en.device;
  (*v)["os"] = en.os;
  (*v)["browser"] = en.browser;
  (*v)["language"] = en.language;
  (*v)["referrer_domain"] = en.referrer_domain;
}

}  // namespace

std::string FormatValueMicros(int64_t micros) {
  // Values are >= 0 (the edge and the API refuse negatives); a sign is kept all the same.
  std::string out = micros < 0 ? "-" : "";
  const uint64_t m = micros < 0 ? 0 - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
  out += std::to_string(m / kMicrosPerUnit);
  std::string frac = std::to_string(m % kMicrosPerUnit);
  frac.insert(0, 6 - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  if (!frac.empty()) out += "." + frac;
  return out;
}

postback::MacroValues HitMacros(const HitRecord& hit, const LinkRef& link) {
  postback::MacroValues v;
  const Event& e = hit.event;
  AddCommon(e, EventKindName(e.kind), &v);
  v["click_id"] = ClickId(e.id);
  AddLink(e.link_id, link, hit.enrichment, &v);
  return v;
}

postback::MacroValues ConversionMacros(const Event& e, const GoalRow& goal, const ConversionRow& c,
                                       const Enrichment& click, const LinkRef& link) {
  postback::MacroValues v;
  AddCommon(e, EventKindName(e.kind), &v);
  v["click_id"] = c.attributed() ? ClickId(c.click_event_id) : e.click_ref;
  v["conversion_id"] = ClickId(e.id);
  v["goal"] = goal.name;
  v["goal_id"] = std::to_string(goal.id);
  v["value"] = FormatValueMicros(c.value_micros);
  v["currency"] = c.currency;
  v["order_id"] = c.order_id;
  v["status"] = std::string(ConversionStatusName(c.status));
  v["attributed"] =
      std::string(c.attributed() ? "1" : "0");  // not `= "1"`: GCC 12 -Wrestrict false positive
  AddLink(c.link_id, link, click, &v);
  return v;
}

}  // namespace ct::sqlite
