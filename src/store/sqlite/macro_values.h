// The values of a postback's macros (postback/template.h MacroNames), computed once per event
// at commit from the event, the goal, the credited click's hit row and its link. Names that do
// not apply to an event (a click has no goal) are left out, so they expand to "" and a POST's
// JSON body does not carry them.
#pragma once

#include <cstdint>
#include <string>

#include "common/event.h"
#include "postback/template.h"
#include "store/sqlite/batch_lookups.h"
#include "store/store.h"

namespace ct::sqlite {

// value_micros as a decimal without trailing zeros: 12'500'000 -> "12.5", 0 -> "0".
std::string FormatValueMicros(int64_t micros);

// A click or an impression: its own id, link and enrichment.
postback::MacroValues HitMacros(const HitRecord& hit, const LinkRef& link);

// A conversion: `click` is the credited click's enrichment (empty when unattributed), `link`
// its link (empty when unattributed).
postback::MacroValues ConversionMacros(const Event& event, const GoalRow& goal,
                                       const ConversionRow& conversion, const Enrichment& click,
                                       const LinkRef& link);

}  // namespace ct::sqlite
