// ClassifierVersion: one number naming the rules that classified a hit — the bot heuristics'
// version, the crawler list and the uap-core regexes (bot, device, os, browser). The tracker
// stores it with every hit (hits.classifier); `clicktrail rebuild` stamps the hits it
// re-enriches with its own, so a rebuild after a rule change reclassifies the past and the
// hits say by which rules they were counted.
//
// Derived, not configured: the same data files give the same version on every machine and
// every restart, and changing a file changes it. Country (geo database) is not part of it: it
// is a lookup, not a classification.
#pragma once

#include <cstdint>
#include <string>

namespace ct::enrich {

struct EnrichSources;

// Bump when the heuristics of BotDetector::IsBot or Enricher::Enrich change (empty User-Agent,
// HEAD, prefetch, "bot" device): the data files' fingerprints cannot see code changes.
inline constexpr int kBotHeuristicsVersion = 1;

// A positive 31-bit number (never 0, which marks hits committed before versions were stored):
// the first bytes of SHA-256 over the heuristics version and the sources' fingerprints ("-" for
// a source that is off).
int64_t ClassifierVersion(const EnrichSources& sources);
// The same from the parts, for tests and for sources loaded elsewhere.
int64_t ClassifierVersion(int heuristics_version, const std::string& crawlers_fingerprint,
                          const std::string& uap_fingerprint);

}  // namespace ct::enrich
