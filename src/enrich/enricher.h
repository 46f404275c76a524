// Enricher: the tracker's enrichment of one event (store.h Enrichment), from the three data
// sources above. Each source is optional: a missing database leaves its dimensions "" (the
// server logs that once at start) and never fails an event.
//
// Thread safety: Enrich() may be called from any thread concurrently.
#pragma once

#include <memory>
#include <string_view>

#include "enrich/bot_detector.h"
#include "enrich/geo_db.h"
#include "enrich/user_agent.h"
#include "store/store.h"

namespace ct::enrich {

struct EnrichSources {
  std::shared_ptr<const GeoDb> geo;           // may be null
  std::shared_ptr<const UserAgentParser> ua;  // may be null
  std::shared_ptr<const BotDetector> bots;    // may be null
};

class Enricher {
 public:
  explicit Enricher(EnrichSources sources);
  // Country: the event's own (the edge looked it up) else GeoDb on event.ip. Bot: BotDetector
  // (crawler list + heuristics); a bot's device is "bot". Referrer domain and language from
  // request_facts.h.
  // Every result carries classifier() (enrich/classifier_version.h).
  Enrichment Enrich(const Event& e) const;
  // Enrich again from what the hits table keeps (`clicktrail rebuild`): `raw` is the stored
  // event (its country field ignored), `stored_country` the country the hit was given. The
  // address is looked up again unless it is anonymised (then the edge's lookup on the real
  // address, stored, is the better answer) or the lookup finds nothing.
  Enrichment Reenrich(const Event& raw, std::string_view stored_country) const;
  const EnrichSources& sources() const { return s_; }
  int64_t classifier() const { return classifier_; }

 private:
  EnrichSources s_;
  int64_t classifier_;
};

// Opens each source at its configured path ("" = the pinned default); one that fails is logged
// with its reason and left null.
EnrichSources LoadEnrichSources(const std::string& geo_path, const std::string& uap_path,
                                const std::string& crawlers_path);

}  // namespace ct::enrich
