#include "enrich/classifier_version.h"

#include "common/hash.h"
#include "enrich/enricher.h"

namespace ct::enrich {

int64_t ClassifierVersion(int heuristics_version, const std::string& crawlers_fingerprint,
                          const std::string& uap_fingerprint) {
  const std::string digest =
      Sha256Raw("clicktrail-classifier\nheuristics=" + std::to_string(heuristics_version) +
                "\ncrawlers=" + crawlers_fingerprint + "\nuap=" + uap_fingerprint + "\n");
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(digest[i]);
  v &= 0x7fffffffu;  // fits SQLite's 4-byte integer encoding and every signed reader
  return v == 0 ? 1 : static_cast<int64_t>(v);
}

int64_t ClassifierVersion(const EnrichSources& sources) {
  return ClassifierVersion(kBotHeuristicsVersion,
                           sources.bots ? sources.bots->fingerprint() : std::string("-"),
                           sources.ua ? sources.ua->fingerprint() : std::string("-"));
}

}  // namespace ct::enrich
