#include "enrich/enricher.h"

#include "common/log.h"
#include "enrich/classifier_version.h"
#include "enrich/request_facts.h"

namespace ct::enrich {
namespace {

const Logger& Log() {
  static const Logger log("enrich");
  return log;
}

}  // namespace

Enricher::Enricher(EnrichSources sources)
    : s_(std::move(sources)), classifier_(ClassifierVersion(s_)) {}

Enrichment Enricher::Reenrich(const Event& raw, std::string_view stored_country) const {
  Event e = raw;
  e.country.clear();
  // AnonymizeIp leaves an anonymised address unchanged; a real address ending in .0 is taken
  // for an anonymised one, which only keeps its stored country.
  const bool anonymised = !e.ip.empty() && AnonymizeIp(e.ip) == e.ip;
  if (s_.geo == nullptr || anonymised || s_.geo->Country(e.ip).empty()) {
    e.country = std::string(stored_country);
  }
  return Enrich(e);
}

Enrichment Enricher::Enrich(const Event& e) const {
  Enrichment out;
  out.classifier = classifier_;
  if (!e.country.empty()) {
    out.country = e.country;  // the edge already looked it up (for targeting): same database
  } else if (s_.geo != nullptr) {
    out.country = std::string(s_.geo->Country(e.ip));
  }
  if (s_.ua != nullptr) {
    UserAgentInfo ua = s_.ua->Parse(e.user_agent);
    out.device = std::move(ua.device);
    out.os = std::move(ua.os);
    out.browser = std::move(ua.browser);
  }
  if (s_.bots != nullptr) {
    out.bot = s_.bots->IsBot(e);
  } else {
    // Without the crawler list the heuristics still hold: they need no data.
    out.bot = e.user_agent.empty() || e.kind == EventKind::kHead || (e.flags & kFlagPrefetch);
  }
  if (out.bot) out.device = "bot";
  out.referrer_domain = ReferrerDomain(e.referrer);
  out.language = PrimaryLanguage(e.accept_language);
  return out;
}

EnrichSources LoadEnrichSources(const std::string& geo_path, const std::string& uap_path,
                                const std::string& crawlers_path) {
  EnrichSources s;
  const std::string geo = geo_path.empty() ? DefaultGeoDbPath() : geo_path;
  if (auto db = GeoDb::Open(geo); db.ok()) {
    Log().Info("countries: {} from {}", (*db)->Description(), geo);
    s.geo = std::move(db).value();
  } else {
    Log().Warn("countries: off ({}); hits get no country (enrich.geoip_db)",
               db.status().ToString());
  }
  const std::string uap = uap_path.empty() ? DefaultUapRegexesPath() : uap_path;
  if (auto p = UserAgentParser::Load(uap); p.ok()) {
    Log().Info("user agents: uap-core regexes from {}", uap);
    s.ua = std::move(p).value();
  } else {
    Log().Warn("user agents: off ({}); hits get no device, os or browser (enrich.uap_regexes)",
               p.status().ToString());
  }
  const std::string crawlers = crawlers_path.empty() ? DefaultCrawlersPath() : crawlers_path;
  if (auto b = BotDetector::Load(crawlers); b.ok()) {
    Log().Info("bots: {} crawler patterns ({} skipped) from {}", (*b)->patterns(),
               (*b)->skipped_patterns(), crawlers);
    s.bots = std::move(b).value();
  } else {
    Log().Warn(
        "bots: crawler list off ({}); only HEAD, prefetch and empty User-Agent count as bots "
        "(enrich.crawlers)",
        b.status().ToString());
  }
  return s;
}

}  // namespace ct::enrich
