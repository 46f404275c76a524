// Store: the one interface to the durable store (SQLite embedded; PostgreSQL later). Every stage
// that keeps state goes through it, so an engine is one folder (store/sqlite/, store/postgres/)
// and never an `if` in a stage.
//
// Thread safety: every method may be called from any thread, concurrently.
// Tenancy: every method that reads or changes an account's objects takes the account id and
// scopes its query by it; an object of another account is reported exactly like a missing one.
// Errors: kUnavailable / kIoError when the engine fails (retry later), kAlreadyExists on a
// unique-name clash, kFailedPrecondition when an offset compare-and-set loses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/event.h"
#include "common/status.h"

namespace ct {

// ---- accounts and API keys ----------------------------------------------------------------
struct NewAccount {
  std::string name;
  std::string key_hash;    // SHA-256 hex of the API key; the key itself is never stored
  std::string key_prefix;  // first characters of the key, to tell keys apart in listings
};
struct ApiKeyInfo {
  int64_t key_id = 0;
  int64_t account_id = 0;
  bool revoked = false;
};

// ---- domains ------------------------------------------------------------------------------
// A custom domain: a host name (lower case, no port) owned by one account. Links on it are
// served when a request's Host is that name; "" is the default domain, served on the hosts of
// `edge.default_hosts`.
struct DomainRow {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string host;
  int64_t created_at_us = 0;
};

// ---- links --------------------------------------------------------------------------------
// What a link does beyond "redirect to destination": the edge evaluates these per click
// (edge/link_rules.h), the API validates them (api/link_fields.h), the store keeps them as JSON
// (store/link_options_json.h).
// Every URL here is a validated absolute http(s) URL; it may hold macros ({click_id},
// {country}, {device}, {os}, {slug}, {query:NAME}, ...) in its path, query or fragment only.
struct WeightedDestination {
  std::string url;
  int weight = 1;  // 1..1000; the share of clicks is weight / sum of weights
};
// Matches when each non-empty list contains the visitor's value (AND across lists, OR within).
struct TargetingRule {
  std::vector<std::string> countries;  // ISO 3166-1 alpha-2, upper case: "US"
  std::vector<std::string> devices;    // desktop|mobile|tablet|tv|console|bot|other
  std::vector<std::string> os;         // windows|macos|ios|android|linux|chromeos|other
  std::vector<std::string> languages;  // primary language subtags, lower case: "en"
  std::string destination;
};
struct Utm {
  std::string source, medium, campaign, term, content;  // empty: not added
  bool empty() const {
    return source.empty() && medium.empty() && campaign.empty() && term.empty() && content.empty();
  }
};
struct LinkOptions {
  // Two or more: a weighted A/B split (LinkRow::destination is then rotation[0].url, for
  // listings). Empty: every click goes to LinkRow::destination.
  std::vector<WeightedDestination> rotation;
  std::vector<TargetingRule> rules;  // first match wins, before the rotation
  int64_t expires_at_us = 0;         // 0: never
  int64_t max_clicks = 0;            // 0: unlimited (human clicks, as the edge counts them)
  std::string fallback_url;          // after expiry / the cap; empty: 410 Gone
  std::string password_hash;         // empty: no password (format: common/password.h)
  bool forward_query = false;        // append the short URL's query string to the destination
  Utm utm;                           // utm_* parameters added to the destination
};

struct LinkRow {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string domain;  // "" = the default domain
  std::string slug;
  std::string destination;  // validated, normalised absolute http(s) URL
  std::string title;
  std::vector<std::string> tags;  // sorted, unique
  std::string group;              // campaign; "" = none
  LinkOptions options;
  int64_t created_at_us = 0;
  int64_t updated_at_us = 0;
  int64_t version = 0;  // store-wide increasing change number (see LinksChangedSince)
  bool deleted = false;
};
struct NewLink {
  int64_t account_id = 0;
  std::string slug;
  std::string destination;
  std::string domain;  // must be "" or a domain of the account
  std::string title;
  std::vector<std::string> tags;
  std::string group;
  LinkOptions options;
};
struct LinkUpdate {
  std::optional<std::string> slug;
  std::optional<std::string> destination;
  std::optional<std::string> title;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::string> group;
  std::optional<LinkOptions> options;
};
struct LinkFilter {
  std::string tag;                    // "": any
  std::string group;                  // "": any
  std::optional<std::string> domain;  // nullopt: any; "": the default domain
};
struct LinkPage {
  std::vector<LinkRow> links;            // ascending id
  std::optional<int64_t> next_after_id;  // pass as after_id for the next page; none at end
};
struct LinkChanges {
  std::vector<LinkRow> links;      // every link (deleted ones too) whose version > the asked one
  std::vector<DomainRow> domains;  // every live custom domain when asked from version 0 or
                                   // when any domain changed; see LinksChangedSince
  bool domains_changed = false;
  int64_t max_version = 0;  // ask again with this; equal to the asked one if nothing changed
};

// ---- tracking -----------------------------------------------------------------------------
// What the tracker derives from an event (tracker/enricher.h). Values are the dimensions of the
// rollups, so they are short, normalised tokens; "" = unknown.
struct Enrichment {
  std::string country;          // ISO 3166-1 alpha-2, upper case
  std::string device;           // desktop|mobile|tablet|tv|console|bot|other
  std::string os;               // windows|macos|ios|android|linux|chromeos|other
  std::string browser;          // chrome|safari|firefox|edge|opera|samsung|other ...
  std::string referrer_domain;  // host of the Referer, lower case; "" = direct
  std::string language;         // primary subtag of the first Accept-Language entry
  bool bot = false;             // crawler list, preview/prefetch heuristics, HEAD
};
// One event as the tracker commits it: the edge's event plus what the tracker derived.
struct HitRecord {
  Event event;
  std::string visitor_key;  // identifies the visitor for unique counting (16 bytes)
  Enrichment enrichment;
};
// A journal record that could not be decoded; kept (not dropped) and counted.
struct DeadLetter {
  uint64_t position = 0;
  std::string reason;
  std::string payload;
};
// Everything the tracker applies in one transaction. `from_position` must equal the consumer's
// stored position (compare-and-set: a stale or duplicate consumer loses with
// kFailedPrecondition and changes nothing); on success the stored position becomes
// `to_position`.
struct CommitBatch {
  std::string consumer;  // e.g. "journal" for the embedded tracker
  uint64_t from_position = 0;
  uint64_t to_position = 0;
  std::vector<HitRecord> hits;
  std::vector<DeadLetter> dead_letters;
};
struct CommitResult {
  uint64_t applied = 0;     // hits newly counted
  uint64_t duplicates = 0;  // hits whose event id was already committed (ignored)
};

// ---- reports ------------------------------------------------------------------------------
enum class Interval { kMinute, kHour, kDay };
enum class Dimension {
  kCountry,
  kDevice,
  kOs,
  kBrowser,
  kReferrer,
  kLanguage,
  kDestination,
  kBot,  // values "bot" / "human"
};
// Restricts a report to hits whose dimension equals the value. A filtered report reads the raw
// hits (rollups hold one dimension each), so it covers the raw-hit retention only.
struct StatsFilter {
  Dimension dimension = Dimension::kCountry;
  std::string value;
};
struct StatsQuery {
  int64_t account_id = 0;
  int64_t link_id = 0;  // 0: every link of the account
  int64_t from_us = 0;  // inclusive
  int64_t to_us = 0;    // exclusive
  Interval interval = Interval::kDay;
  // Bucket boundaries, ascending, each a UTC instant; bucket i is [starts[i], starts[i+1]) and
  // the last one ends at to_us. Empty: UTC buckets of `interval` width. The API computes them
  // for a time zone (local midnight / local hour starts, DST included).
  std::vector<int64_t> bucket_starts_us;
  std::vector<StatsFilter> filters;  // AND
};
struct StatsBucket {
  int64_t start_us = 0;
  int64_t total = 0;   // human clicks (GET)
  int64_t unique = 0;  // first human clicks of a visitor on the link in a UTC day
  int64_t head = 0;    // HEAD requests, counted apart
  int64_t bots = 0;    // clicks classified as bots, counted apart
};
struct LinkStats {
  int64_t total = 0;
  int64_t unique = 0;
  int64_t head = 0;
  int64_t bots = 0;
  std::vector<StatsBucket> series;  // only non-empty buckets, ascending start
};
struct BreakdownRow {
  std::string value;  // the dimension's value; "" = unknown
  int64_t total = 0;
  int64_t unique = 0;
  int64_t bots = 0;
};
struct TopLink {
  int64_t link_id = 0;
  int64_t total = 0;
  int64_t unique = 0;
  int64_t bots = 0;
};
// One raw hit, for the click stream.
struct HitRow {
  EventId event_id{};
  EventKind kind = EventKind::kClick;
  int64_t time_us = 0;
  int64_t link_id = 0;
  std::string ip;
  std::string user_agent;
  std::string referrer;
  std::string accept_language;
  std::string destination;
  Enrichment enrichment;
  bool unique = false;
};
struct HitCursor {  // position after the last hit of a page, newest first
  int64_t time_us = 0;
  EventId event_id{};
};
struct HitPage {
  std::vector<HitRow> hits;  // newest first
  std::optional<HitCursor> next;
};

class Store {
 public:
  virtual ~Store() = default;

  // Accounts and keys.
  virtual Result<int64_t> CreateAccount(const NewAccount& account) = 0;
  virtual Result<std::optional<ApiKeyInfo>> FindApiKey(const std::string& key_hash) = 0;

  // Links. Slugs are unique per domain and never reused there, even after deletion.
  virtual Result<LinkRow> CreateLink(const NewLink& link) = 0;
  virtual Result<std::optional<LinkRow>> GetLink(int64_t account_id, int64_t link_id) = 0;
  // Live links of the account with id > after_id that pass `filter`, at most `limit`.
  virtual Result<LinkPage> ListLinks(int64_t account_id, const LinkFilter& filter, int64_t after_id,
                                     int limit) = 0;
  // Creates every link or none (one transaction); the error names the first failing index
  // ("links[3]: slug taken").
  virtual Result<std::vector<LinkRow>> CreateLinks(const std::vector<NewLink>& links) = 0;
  // nullopt if no such live link in the account.
  virtual Result<std::optional<LinkRow>> UpdateLink(int64_t account_id, int64_t link_id,
                                                    const LinkUpdate& update) = 0;
  // false if no such live link in the account. The link stops redirecting; its stats remain.
  virtual Result<bool> DeleteLink(int64_t account_id, int64_t link_id) = 0;
  // Custom domains. A host is owned by one account at a time (kAlreadyExists otherwise); a
  // domain with live links cannot be deleted (kFailedPrecondition).
  virtual Result<DomainRow> CreateDomain(int64_t account_id, const std::string& host) = 0;
  virtual Result<std::vector<DomainRow>> ListDomains(int64_t account_id) = 0;
  virtual Result<bool> DeleteDomain(int64_t account_id, int64_t domain_id) = 0;

  // For the edge's link table: changes after `version` (0 = everything).
  virtual Result<LinkChanges> LinksChangedSince(int64_t version) = 0;

  // Tracking: raw hits, rollups, dead letters and the consumer position, in ONE transaction.
  // Dedup is by event id and durable: a hit whose id was committed before changes nothing.
  virtual Result<CommitResult> Commit(const CommitBatch& batch) = 0;
  // The consumer's committed position; 0 if it never committed.
  virtual Result<uint64_t> ConsumedPosition(const std::string& consumer) = 0;

  // Reports. nullopt if the link does not exist in the account (deleted links still report).
  // link_id 0: the account's totals and series over all its links.
  virtual Result<std::optional<LinkStats>> GetLinkStats(const StatsQuery& query) = 0;
  // Clicks per value of `dimension` over the query's range, most clicks first, at most `limit`.
  virtual Result<std::optional<std::vector<BreakdownRow>>> GetBreakdown(const StatsQuery& query,
                                                                        Dimension dimension,
                                                                        int limit) = 0;
  // The account's links with the most clicks in [from_us, to_us), at most `limit`.
  virtual Result<std::vector<TopLink>> GetTopLinks(int64_t account_id, int64_t from_us,
                                                   int64_t to_us, int limit) = 0;
  // Raw hits of a link, newest first, strictly after `after` when given. nullopt: no such link.
  virtual Result<std::optional<HitPage>> ListHits(int64_t account_id, int64_t link_id,
                                                  const std::optional<HitCursor>& after,
                                                  int limit) = 0;
  // Deletes raw hits older than `before_us` (rollups stay); returns how many. Bounded work per
  // call (at most `max_rows`) so the retention sweep never holds the write lock for long.
  virtual Result<int64_t> ExpireHits(int64_t before_us, int64_t max_rows) = 0;

  // Health: a real write-and-read round trip (not just "the file exists"): writes a fresh
  // random token, reads it back on a read connection and compares. OK only if both worked; a
  // lock held elsewhere makes it fail after the engine's probe deadline. Callers that need a
  // hard deadline run it on a thread of their own (monitor/store_prober.h).
  virtual Status Probe() = 0;
};

}  // namespace ct
