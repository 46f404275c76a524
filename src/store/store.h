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
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/event.h"
#include "common/status.h"
#include "common/tally.h"

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
// What makes a human click "unique" (README "Definitions"), per account. The tracker decides it
// in the commit, by the event's time:
//   kPerVisitorDay  the first click of a visitor (ct_vid cookie, else IP + user agent) on the
//                   link in a UTC day
//   kIp30Min        ClickMeter's: no human click from the same IP (as journaled, so anonymised
//                   when tracking.anonymize_ip is on) on the link in (t - 30 min, t]
enum class UniqueDefinition : uint8_t { kPerVisitorDay = 0, kIp30Min = 1 };
std::string_view UniqueDefinitionName(UniqueDefinition d);  // "per_visitor_day", "ip_30min"
std::optional<UniqueDefinition> ParseUniqueDefinition(std::string_view name);
inline constexpr int64_t kIpUniqueWindowUs = 30LL * 60 * 1'000'000;
// How long the (link, ip, time) sightings of kIp30Min accounts are kept: an event later than
// this (minus the window) is judged against what is left. Two days covers any outage the
// journal rides out in practice.
inline constexpr int64_t kIpSightingsKeepUs = 48LL * 3600 * 1'000'000;
struct AccountRow {
  int64_t id = 0;
  std::string name;
  UniqueDefinition unique_definition = UniqueDefinition::kPerVisitorDay;
  int64_t created_at_us = 0;
};
struct AccountUpdate {
  std::optional<UniqueDefinition> unique_definition;
};

// ---- dashboard users, sessions, invitations; API keys by name -------------------------------
// Roles are stored and passed as their names: "owner", "editor", "viewer" (api/auth.h Role).
// Emails are lower case (the caller normalises) and unique across all accounts, since signing
// in names no account.
struct UserRow {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string email;
  std::string role;
  std::string password_hash;  // crypto_pwhash_str (Argon2id); never leaves the API
  int64_t created_at_us = 0;
};
struct NewUser {
  int64_t account_id = 0;
  std::string email;
  std::string role;
  std::string password_hash;
};
struct NewSession {
  std::string token_hash;  // SHA-256 hex of the cookie's token
  int64_t user_id = 0;
  std::string csrf_token;
};
struct SessionInfo {
  UserRow user;  // as it is now: a role change applies to the next request
  std::string csrf_token;
  int64_t created_at_us = 0;
  bool touched = false;  // this lookup moved last_seen_at (the idle expiry) forward
};
struct InvitationRow {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string email;
  std::string role;
  int64_t created_at_us = 0;
  int64_t expires_at_us = 0;
};
struct NewInvitation {
  int64_t account_id = 0;
  std::string email;
  std::string role;
  std::string token_hash;  // SHA-256 hex of the token in the accept URL
  int64_t expires_at_us = 0;
};
struct ApiKeyRow {
  int64_t id = 0;
  std::string name;
  std::string prefix;
  int64_t created_at_us = 0;
  std::optional<int64_t> revoked_at_us;
};
struct NewApiKeyRow {
  int64_t account_id = 0;
  std::string name;
  std::string key_hash;
  std::string prefix;
};
// A session not seen for this long is gone (sliding); last_seen_at is written at most this
// often, so authenticated reads do not each cost a write.
inline constexpr int64_t kSessionTouchIntervalUs = 60LL * 1'000'000;

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
  int weight = 1;   // 1..1000; the share of clicks is weight / sum of weights (weighted mode)
  int64_t cap = 0;  // spillover mode: clicks this destination takes before the next; else 0
};
// How a rotation picks a destination per click (edge/link_rules.h):
//   kWeighted    at random, each destination with the share weight / sum of weights
//   kSequential  in order, round-robin; a destination of weight w takes w clicks in a row
//   kRandom      uniformly at random, weights ignored
//   kSpillover   the first destination until it has taken `cap` clicks, then the next...;
//                when all are full: the link's fallback_url, else the last destination
enum class RotationMode : uint8_t { kWeighted = 0, kSequential = 1, kRandom = 2, kSpillover = 3 };
std::string_view RotationModeName(RotationMode mode);  // "weighted", "sequential", ...
std::optional<RotationMode> ParseRotationMode(std::string_view name);
// Matches when each non-empty list contains the visitor's value (AND across lists, OR within).
struct TargetingRule {
  std::vector<std::string> countries;  // ISO 3166-1 alpha-2, upper case: "US"
  std::vector<std::string> devices;    // desktop|mobile|tablet|tv|console|bot|other
  std::vector<std::string> os;         // windows|macos|ios|android|linux|chromeos|other
  std::vector<std::string> languages;  // primary language subtags, lower case: "en"
  // Where a matching click goes: `destination`, or — a nested rotator, one level deep — one of
  // `rotation` (2+ entries; `destination` is then rotation[0].url) picked by `rotation_mode`.
  std::string destination;
  std::vector<WeightedDestination> rotation;
  RotationMode rotation_mode = RotationMode::kWeighted;
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
  RotationMode rotation_mode = RotationMode::kWeighted;
  std::vector<TargetingRule> rules;  // first match wins, before the rotation
  int64_t expires_at_us = 0;         // 0: never
  int64_t max_clicks = 0;            // 0: unlimited (human clicks, as the edge counts them)
  std::string fallback_url;          // after expiry / the cap; empty: 410 Gone
  std::string password_hash;         // empty: no password (format: common/password.h)
  bool forward_query = false;        // append the short URL's query string to the destination
  Utm utm;                           // utm_* parameters added to the destination
};

// A tracking link redirects (GET /{slug}); a tracking pixel is a link without a destination that
// answers a 1x1 GIF (GET /p/{slug}) and counts impressions in the same rollups, breakdowns and
// hits as a link's clicks. Both share the (domain, slug) namespace.
enum class LinkKind : uint8_t { kLink = 0, kPixel = 1 };

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
  LinkKind kind = LinkKind::kLink;
  // Set when the link came from another tool's export (`clicktrail import`): the tool's name
  // ("bitly", "yourls", "shlink", "kutt") and the click total the export carried (nullopt when
  // it had none). Kept apart from the tracked counts: never added to rollups or series.
  std::string imported_from;
  std::optional<int64_t> imported_clicks;
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
  LinkKind kind = LinkKind::kLink;  // a pixel has destination "" and default options
  std::string imported_from;        // see LinkRow
  std::optional<int64_t> imported_clicks;
};
// Who holds a (domain, slug), as seen by one account (FindSlugs): free, one of the account's
// live links (`link` set), or taken (by another account, a deleted link, or an old slug of a
// renamed link; slugs are never reused). Another account's link is never described.
struct SlugUse {
  enum class State : uint8_t { kFree, kOwnLink, kTaken };
  State state = State::kFree;
  std::optional<LinkRow> link;  // when kOwnLink
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
  LinkKind kind = LinkKind::kLink;    // ListLinks returns only this kind
};
struct LinkPage {
  std::vector<LinkRow> links;            // ascending id
  std::optional<int64_t> next_after_id;  // pass as after_id for the next page; none at end
};
// ---- conversion goals -----------------------------------------------------------------------
enum class ConversionCounting : uint8_t {
  kEvery = 0,         // every conversion counts (a repeated order id never does)
  kOncePerClick = 1,  // at most one per attributed click (and per order id)
  kOncePerOrder = 2,  // only conversions with an order id, each order id once
};
enum class AttributionModel : uint8_t {
  kLastClick = 0,   // the click the conversion names (ct_cid cookie / click_id), if in window
  kFirstClick = 1,  // that click's visitor's first click (the ct_vid cookie is the first click's
                    // id) when it is of the same account and in window; else as kLastClick
};
inline constexpr int64_t kMicrosPerUnit = 1'000'000;  // value_micros = value x 1e6
struct GoalRow {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string key;  // public and unguessable: the conversion pixel is GET /c/{key}
  std::string name;
  int64_t default_value_micros = 0;     // when a conversion carries no value
  std::string currency = "USD";         // ISO 4217; conversions in another currency are refused
  int64_t window_seconds = 30 * 86400;  // click-to-conversion attribution window
  ConversionCounting counting = ConversionCounting::kEvery;
  AttributionModel attribution = AttributionModel::kLastClick;
  // Partner pixels the conversion pixel fires for the same event (validated http(s) URLs that
  // may hold postback macros; api/ validates, edge/ expands and serves them).
  std::vector<std::string> piggyback_urls;
  int64_t created_at_us = 0;
  int64_t updated_at_us = 0;
  int64_t version = 0;  // from the same store-wide counter as links (LinksChangedSince)
  bool deleted = false;
};
struct NewGoal {
  int64_t account_id = 0;
  std::string key;  // the store does not invent it: the API draws it (RandomBase62)
  std::string name;
  int64_t default_value_micros = 0;
  std::string currency = "USD";
  int64_t window_seconds = 30 * 86400;
  ConversionCounting counting = ConversionCounting::kEvery;
  AttributionModel attribution = AttributionModel::kLastClick;
  std::vector<std::string> piggyback_urls;
};
struct GoalUpdate {
  std::optional<std::string> name;
  std::optional<int64_t> default_value_micros;
  std::optional<std::string> currency;
  std::optional<int64_t> window_seconds;
  std::optional<ConversionCounting> counting;
  std::optional<AttributionModel> attribution;
  std::optional<std::vector<std::string>> piggyback_urls;
};

// ---- postbacks --------------------------------------------------------------------------------
// Which events fire a postback (PostbackRow::events bits).
enum PostbackEventBit : uint32_t {
  kPostbackOnConversion = 1 << 0,
  kPostbackOnClick = 1 << 1,
  kPostbackOnImpression = 1 << 2,
};
struct PostbackRow {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string name;
  // http(s) URL with macros (postback/template.h), validated and SSRF-checked when saved.
  std::string url_template;
  std::string method = "GET";  // GET: macros in the URL; POST: the URL, plus a JSON body
  uint32_t events = kPostbackOnConversion;  // PostbackEventBit
  std::vector<int64_t> goal_ids;            // conversions of these goals only; empty = all
  bool attributed_only = true;              // conversions without a click do not fire it
  std::string secret;           // Standard Webhooks secret, "whsec_" + base64 of >= 24 random bytes
  bool disabled = false;        // set by a 410 from the receiver (or the API); not delivered
  std::string disabled_reason;  // why, e.g. "receiver answered 410 Gone"
  int64_t disabled_at_us = 0;
  int64_t created_at_us = 0;
  int64_t updated_at_us = 0;
  bool deleted = false;
};
struct NewPostback {
  int64_t account_id = 0;
  std::string name;
  std::string url_template;
  std::string method = "GET";
  uint32_t events = kPostbackOnConversion;
  std::vector<int64_t> goal_ids;
  bool attributed_only = true;
  std::string secret;  // drawn by the API
};
struct PostbackUpdate {
  std::optional<std::string> name;
  std::optional<std::string> url_template;
  std::optional<std::string> method;
  std::optional<uint32_t> events;
  std::optional<std::vector<int64_t>> goal_ids;
  std::optional<bool> attributed_only;
  std::optional<std::string> secret;  // rotation
  std::optional<bool> disabled;       // false re-enables a postback a 410 disabled
};

// ---- the outbox: one delivery per (event, postback), written in the tracker's commit --------
enum class DeliveryState : uint8_t {
  kPending = 0,    // waiting for its next attempt (or being attempted: leased)
  kDelivered = 1,  // a 2xx came back
  kDead = 2,       // out of retries (the schedule's last step passed): dead-lettered
};
std::string_view DeliveryStateName(DeliveryState s);  // "pending", "delivered", "dead"
struct DeliveryRow {
  // The Standard Webhooks webhook-id: "msg_" + ClickId(event id) + "_" + postback id. Derived,
  // not drawn, so it is the same on every retry and replay: the receiver's idempotency key.
  std::string id;
  int64_t account_id = 0;
  int64_t postback_id = 0;
  EventId event_id{};
  EventKind event_kind = EventKind::kConversion;
  int64_t event_time_us = 0;
  std::string method;  // GET or POST
  std::string url;     // expanded when committed (macros filled, each value percent-encoded)
  std::string body;    // POST: the JSON body; GET: ""
  DeliveryState state = DeliveryState::kPending;
  int attempts = 0;
  int64_t created_at_us = 0;    // the commit that wrote it (latency is measured from here)
  int64_t next_attempt_us = 0;  // pending: due time (or lease end while being attempted)
  int last_status = 0;          // HTTP status of the last attempt; 0 = none / no response
  std::string last_error;       // "" after a success
  int64_t delivered_at_us = 0;
};
// A delivery handed to the notifier, with what it needs to sign it.
struct ClaimedDelivery {
  DeliveryRow row;
  std::string secret;
};
struct DeliveryAttemptRow {
  std::string delivery_id;
  int attempt = 0;  // 1-based
  int64_t started_at_us = 0;
  int http_status = 0;  // 0: no HTTP response (connect error, timeout, refused address)
  int64_t latency_us = 0;
  std::string error;  // "" on success; else what went wrong ("timeout after 15 s", ...)
};
// What the notifier decided after one attempt; applied in one transaction.
struct DeliveryOutcome {
  DeliveryAttemptRow attempt;
  DeliveryState state = DeliveryState::kPending;
  int64_t next_attempt_us = 0;    // when state is kPending
  bool disable_postback = false;  // a 410: the postback is disabled (its deliveries wait)
  std::string disable_reason;
};
struct DeliveryFilter {
  int64_t postback_id = 0;             // 0: any
  std::optional<DeliveryState> state;  // nullopt: any
  int64_t from_us = 0;                 // created_at range; 0/0: any
  int64_t to_us = 0;
};
struct DeliveryPage {
  std::vector<DeliveryRow> deliveries;       // newest first (created_at, then id)
  std::optional<std::string> next_after_id;  // pass back as `after_id` for the next page
};
// Which deliveries to replay: the listed ids, else every delivery matching the filter.
struct ReplaySelector {
  std::vector<std::string> ids;
  DeliveryFilter filter;
};
struct OutboxStats {
  // Pending rows the notifier owes: of a live, enabled postback, or piggyback (postback 0).
  // Rows waiting on a disabled or deleted postback are left out (disabled_postbacks alarms).
  int64_t pending = 0;
  int64_t oldest_pending_created_us = 0;  // 0 when nothing is pending
  int64_t dead = 0;
  int64_t disabled_postbacks = 0;
};

// ---- conversions --------------------------------------------------------------------------
enum class ConversionStatus : uint8_t {
  kCounted = 0,           // counted in reports, fires postbacks
  kDuplicateOrder = 1,    // its order id was already counted for the goal
  kDuplicateClick = 2,    // kOncePerClick: its click already converted for the goal
  kMissingOrderId = 3,    // kOncePerOrder without an order id
  kBot = 4,               // the conversion pixel was loaded by a bot
  kUnknownGoal = 5,       // no such live goal in the account
  kCurrencyMismatch = 6,  // a currency other than the goal's
};
std::string_view ConversionStatusName(ConversionStatus s);  // "counted", "duplicate_order", ...
struct ConversionRow {
  EventId event_id{};
  int64_t account_id = 0;
  int64_t goal_id = 0;
  int64_t time_us = 0;       // the edge's stamp: buckets and the window use it
  int64_t link_id = 0;       // the credited click's link; 0 = unattributed
  EventId click_event_id{};  // zero when unattributed
  int64_t click_time_us = 0;
  int64_t value_micros = 0;  // the given value, else the goal's default
  std::string currency;
  std::string order_id;
  std::string click_ref;  // the click id it named, as received ("" = none)
  ConversionStatus status = ConversionStatus::kCounted;
  bool server_to_server = false;
  bool attributed() const { return link_id != 0; }
};
struct ConversionFilter {
  int64_t account_id = 0;
  int64_t from_us = 0;  // inclusive
  int64_t to_us = 0;    // exclusive
  int64_t goal_id = 0;  // 0: any
  int64_t link_id = 0;  // 0: any (attributed or not)
};
struct ConversionCursor {  // position after the last row of a page, newest first
  int64_t time_us = 0;
  EventId event_id{};
};
struct ConversionPage {
  std::vector<ConversionRow> conversions;  // newest first
  std::optional<ConversionCursor> next;
};

struct LinkChanges {
  std::vector<LinkRow> links;      // every link (deleted ones too) whose version > the asked one
  std::vector<GoalRow> goals;      // every goal (deleted ones too) whose version > the asked one
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
  // The classifier version that produced bot/device/os/browser (enrich/classifier_version.h),
  // stored with the hit so `clicktrail rebuild` can tell which rules classified it; 0 = unknown.
  int64_t classifier = 0;
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
  int64_t time_us = 0;  // the hour it is reconciled in (tracker.cc says which time it takes)
  // Distributed mode: the record's journal range is [position, range_to) on the batch's edge,
  // and it is kept and counted once per range (store/edge_ranges.h RangeClaims: re-shipped or
  // redelivered, it changes nothing). 0: not ranged (embedded mode), kept as is.
  uint64_t range_to = 0;
};
// Records the journal lost to corruption (counted by its reader), for reconciliation: the
// estimate and the time of the hour they are counted in (a neighbouring record's).
struct RecordLoss {
  int64_t time_us = 0;
  uint64_t records = 0;
  // Distributed mode: the gap message's journal range [from, to) on the batch's edge; counted
  // once per range like a dead letter (see DeadLetter::range_to). to 0: counted as is.
  uint64_t from = 0;
  uint64_t to = 0;
};
// A range [from, to) of an edge's journal that a batch covers (distributed mode: the Ct-From /
// Ct-To of the bus messages, which chain exactly). The store advances the edge's
// committed_below over contiguous committed ranges: the watermark below which the edge may
// delete its journal.
struct EdgeRange {
  std::string edge;
  uint64_t from = 0;
  uint64_t to = 0;
  // The edge's wall time of a tally (heartbeat) record in the range, 0 if it holds none. Every
  // event the edge journaled before that time lies below `to` (journal/tally_sink.h orders
  // them), so once the watermark passes the range those events are committed.
  int64_t through_us = 0;
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
  // Reconciliation (README "Reconciliation"). `edge` is the edge whose journal the records came
  // from: the hits' committed and duplicate counts, dead letters and losses are added to its
  // (edge, event hour) rows. Tallies carry their own edge; each is applied once per (edge, run,
  // seq), their deltas added to the same rows, in this transaction.
  std::string edge = "local";
  std::vector<Tally> tallies;
  std::vector<RecordLoss> losses;
  // Journal ranges this batch covers (distributed mode); recorded even when every event in
  // them is a duplicate, so a redelivered batch still advances the watermark.
  std::vector<EdgeRange> edge_ranges;
};
struct CommitResult {
  uint64_t applied = 0;      // events newly committed (clicks, HEADs, impressions, conversions)
  uint64_t duplicates = 0;   // events whose id was already committed (ignored)
  uint64_t conversions = 0;  // of the applied, conversions with status kCounted
  uint64_t deliveries = 0;   // outbox rows written
  // committed_below of each edge in the batch's edge_ranges, after this commit.
  std::vector<std::pair<std::string, uint64_t>> watermarks;
};

// One edge's progress through the store (distributed mode), for honest report completeness.
struct EdgeProgress {
  std::string edge;
  uint64_t committed_below = 0;  // every journal position below it is committed
  // The newest through_us of the ranges below committed_below: every event the edge journaled
  // before this wall time of its own is committed. 0: no tally passed yet.
  int64_t committed_through_us = 0;
  int64_t updated_at_us = 0;  // when committed_below last moved (the committing tracker's clock)
  // The edge stopped cleanly: its newest tally is a final one (kTallyFinal) and is committed
  // (below the watermark), so it journals nothing more until it starts again.
  bool stopped = false;
};

// ---- reconciliation -----------------------------------------------------------------------
// One (edge, UTC hour) as committed: what the edge's tallies say it answered and journaled, and
// what the tracker committed, found duplicate, dead-lettered or lost to journal corruption for
// events of that hour. store/reconciliation.h says what the numbers mean together.
struct ReconciliationRow {
  std::string edge;
  int64_t hour_us = 0;
  int64_t answered = 0;
  int64_t journaled = 0;
  int64_t committed = 0;
  int64_t duplicates = 0;
  int64_t dead_lettered = 0;
  int64_t corrupted = 0;
};
// The newest committed tally of an edge (in journal order).
struct EdgeTallyState {
  std::string edge;
  int64_t as_of_us = 0;  // its time on the edge's clock
  bool final = false;    // written at a clean stop, and no run has started since
};
struct ReconciliationData {
  std::vector<ReconciliationRow> rows;  // by hour, then edge
  std::vector<EdgeTallyState> edges;    // every edge that ever tallied
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
  // Conversions (and value) of this goal only; 0: every goal. Clicks are not affected. With a
  // goal and link_id 0, unattributed conversions of the goal count too.
  int64_t goal_id = 0;
};
// Conversions are counted (status kCounted only) in the bucket of the conversion's time, on
// the credited click's link and the click's dimension values; unattributed ones only in
// account-wide and per-goal figures.
struct StatsBucket {
  int64_t start_us = 0;
  int64_t total = 0;   // human clicks (GET), or a pixel's human impressions
  int64_t unique = 0;  // first human clicks of a visitor on the link in a UTC day
  int64_t head = 0;    // HEAD requests, counted apart
  int64_t bots = 0;    // clicks classified as bots, counted apart
  int64_t conversions = 0;
  int64_t value_micros = 0;  // sum of the conversions' values (revenue)
};
struct LinkStats {
  int64_t total = 0;
  int64_t unique = 0;
  int64_t head = 0;
  int64_t bots = 0;
  int64_t conversions = 0;
  int64_t value_micros = 0;
  std::vector<StatsBucket> series;  // only non-empty buckets, ascending start
};
struct BreakdownRow {
  std::string value;  // the dimension's value; "" = unknown
  int64_t total = 0;
  int64_t unique = 0;
  int64_t bots = 0;
  int64_t conversions = 0;  // attributed to clicks with this value
  int64_t value_micros = 0;
};
struct TopLink {
  int64_t link_id = 0;
  int64_t total = 0;
  int64_t unique = 0;
  int64_t bots = 0;
  int64_t conversions = 0;
  int64_t value_micros = 0;
};
// Conversions per goal over a range (GET /api/v1/goals/{id}/stats and the goals breakdown).
struct GoalStatsRow {
  int64_t goal_id = 0;
  int64_t conversions = 0;
  int64_t attributed = 0;  // of which credited to a click
  int64_t value_micros = 0;
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
// One raw hit with every column kept, for exports (tracker/hit_export.h): the click-stream row
// plus what the click stream does not show.
struct ExportedHit {
  HitRow row;
  int64_t account_id = 0;
  std::string visitor_id;   // the ct_vid cookie's value ("" when none came in)
  std::string visitor_key;  // 16 bytes: SHA-256 prefix that identifies the visitor
  uint8_t flags = 0;        // Event::flags (common/event.h EventFlag)
};
struct HitCursor {  // position after the last hit of a page, newest first
  int64_t time_us = 0;
  EventId event_id{};
};
struct HitPage {
  std::vector<HitRow> hits;  // newest first
  std::optional<HitCursor> next;
};
// One raw hit for the live click stream (GET /api/v1/live), with its commit sequence number:
// hits are numbered 1, 2, 3... in the order their transactions commit, store-wide, so "after
// N" is exact across reconnects (event times are not commit order: late and replayed events).
struct LiveHit {
  int64_t seq = 0;
  HitRow row;
  std::string slug;    // of its link
  std::string domain;  // of its link ("" = the default domain)
};
struct LiveHitPage {
  std::vector<LiveHit> hits;  // ascending seq
  // The last sequence number examined: the next call's `after_seq`. Past hits of other links
  // when filtering by link, so a quiet link's stream still moves forward.
  int64_t scanned_to = 0;
  int examined = 0;  // hits read; equal to the limit: more may be waiting
};

class Store {
 public:
  virtual ~Store() = default;

  // Accounts and keys.
  virtual Result<int64_t> CreateAccount(const NewAccount& account) = 0;
  virtual Result<std::optional<ApiKeyInfo>> FindApiKey(const std::string& key_hash) = 0;
  // nullopt if no such account. A new unique definition applies to events committed after it.
  virtual Result<std::optional<AccountRow>> GetAccount(int64_t account_id) = 0;
  virtual Result<std::optional<AccountRow>> UpdateAccount(int64_t account_id,
                                                          const AccountUpdate& update) = 0;

  // Links. Slugs are unique per domain and never reused there, even after deletion.
  virtual Result<LinkRow> CreateLink(const NewLink& link) = 0;
  virtual Result<std::optional<LinkRow>> GetLink(int64_t account_id, int64_t link_id) = 0;
  // Live links of the account with id > after_id that pass `filter`, at most `limit`.
  virtual Result<LinkPage> ListLinks(int64_t account_id, const LinkFilter& filter, int64_t after_id,
                                     int limit) = 0;
  // Creates every link or none (one transaction); the error names the first failing index
  // ("links[3]: slug taken").
  virtual Result<std::vector<LinkRow>> CreateLinks(const std::vector<NewLink>& links) = 0;
  // CreateLinks that calls `progress(done)` every few hundred links while its one transaction
  // runs (the import's progress bar); `progress` runs on the calling thread and must not call
  // the store.
  virtual Result<std::vector<LinkRow>> CreateLinksReporting(
      const std::vector<NewLink>& links, const std::function<void(size_t done)>& progress) = 0;
  // One SlugUse per slug of `slugs` on `domain`, in order, as `account_id` may see it.
  virtual Result<std::vector<SlugUse>> FindSlugs(int64_t account_id, const std::string& domain,
                                                 const std::vector<std::string>& slugs) = 0;
  // Whether an account with this id exists.
  virtual Result<bool> AccountExists(int64_t account_id) = 0;
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

  // Tracking: raw hits, conversions (attributed here, store/sqlite/conversions.cc), rollups,
  // outbox rows for the postbacks the events fire, dead letters and the consumer position, in
  // ONE transaction. Dedup is by event id and durable: an event whose id was committed before
  // changes nothing (and writes no second outbox row).
  virtual Result<CommitResult> Commit(const CommitBatch& batch) = 0;
  // The consumer's committed position; 0 if it never committed.
  virtual Result<uint64_t> ConsumedPosition(const std::string& consumer) = 0;
  // The edge's committed_below: every journal position below it is committed (0: none yet).
  virtual Result<uint64_t> EdgeWatermark(const std::string& edge) = 0;
  // Every edge with a watermark, by edge id.
  virtual Result<std::vector<EdgeProgress>> ListEdgeProgress() = 0;
  // Reconciliation rows of every edge for the hours starting in [from_us, to_us), and the
  // state of every edge. Operator data: not scoped by account.
  virtual Result<ReconciliationData> GetReconciliation(int64_t from_us, int64_t to_us) = 0;

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
  // The live click stream: the sequence number of the last hit committed (0 if none yet).
  virtual Result<int64_t> LastHitSeq() = 0;
  // The account's hits committed after `after_seq`, ascending; of one link when link_id > 0.
  // Examines at most `limit` of the account's hits per call (index-backed, bounded).
  virtual Result<LiveHitPage> ListLiveHits(int64_t account_id, int64_t link_id, int64_t after_seq,
                                           int limit) = 0;
  // Deletes raw hits older than `before_us` (rollups stay); returns how many. Bounded work per
  // call (at most `max_rows`) so the retention sweep never holds the write lock for long.
  virtual Result<int64_t> ExpireHits(int64_t before_us, int64_t max_rows) = 0;
  // Raw hits of every account with time in [from_us, to_us), oldest first in (time_us, event_id)
  // order, strictly after `after` when given; at most `limit`. For exports, not for tenants.
  virtual Result<std::vector<ExportedHit>> ScanHits(int64_t from_us, int64_t to_us,
                                                    const std::optional<HitCursor>& after,
                                                    int limit) = 0;
  // Deletes exactly these raw hits (rollups stay), in one transaction; returns how many
  // existed. The retention's export deletes only what it has written.
  virtual Result<int64_t> DeleteHits(const std::vector<EventId>& ids) = 0;
  // Deletes the IP sightings (kIp30Min uniques) older than `before_us`, at most `max_rows`;
  // returns how many. The retention sweep calls it with now - kIpSightingsKeepUs.
  virtual Result<int64_t> ExpireIpSightings(int64_t before_us, int64_t max_rows) = 0;

  // Goals. Keys are unique store-wide (kAlreadyExists). A deleted goal's conversion pixel stops
  // answering for it; its conversions and stats remain. GetGoal and GetPostback return deleted
  // rows too, marked `deleted` (as GetLink); List*, Update* and Delete* see live rows only.
  virtual Result<GoalRow> CreateGoal(const NewGoal& goal) = 0;
  virtual Result<std::optional<GoalRow>> GetGoal(int64_t account_id, int64_t goal_id) = 0;
  virtual Result<std::vector<GoalRow>> ListGoals(int64_t account_id) = 0;  // live, ascending id
  virtual Result<std::optional<GoalRow>> UpdateGoal(int64_t account_id, int64_t goal_id,
                                                    const GoalUpdate& update) = 0;
  virtual Result<bool> DeleteGoal(int64_t account_id, int64_t goal_id) = 0;

  // Postbacks.
  virtual Result<PostbackRow> CreatePostback(const NewPostback& postback) = 0;
  virtual Result<std::optional<PostbackRow>> GetPostback(int64_t account_id,
                                                         int64_t postback_id) = 0;
  virtual Result<std::vector<PostbackRow>> ListPostbacks(int64_t account_id) = 0;
  virtual Result<std::optional<PostbackRow>> UpdatePostback(int64_t account_id, int64_t postback_id,
                                                            const PostbackUpdate& update) = 0;
  virtual Result<bool> DeletePostback(int64_t account_id, int64_t postback_id) = 0;

  // The outbox, for the notifier. Claims up to `limit` pending deliveries due at `now_us`
  // (oldest due first) whose postback is live and enabled, and leases them: their
  // next_attempt_us becomes `lease_until_us`, so a notifier that dies mid-attempt leaves them
  // to be claimed again after the lease (at least once), and two notifiers never hold the same
  // row at once.
  virtual Result<std::vector<ClaimedDelivery>> ClaimDeliveries(int64_t now_us,
                                                               int64_t lease_until_us,
                                                               int limit) = 0;
  // Records the attempt and moves the delivery (and, on a 410, disables its postback) in ONE
  // transaction. A delivery that is no longer pending (replayed or delivered meanwhile) still
  // gets its attempt row; its state is then left alone unless the outcome is kDelivered.
  virtual Status RecordDeliveryOutcome(const DeliveryOutcome& outcome) = 0;
  virtual Result<DeliveryPage> ListDeliveries(int64_t account_id, const DeliveryFilter& filter,
                                              const std::optional<std::string>& after_id,
                                              int limit) = 0;
  virtual Result<std::optional<DeliveryRow>> GetDelivery(int64_t account_id,
                                                         const std::string& delivery_id) = 0;
  // Oldest first. nullopt: no such delivery in the account.
  virtual Result<std::optional<std::vector<DeliveryAttemptRow>>> ListDeliveryAttempts(
      int64_t account_id, const std::string& delivery_id) = 0;
  // Makes the selected deliveries pending again, due at `now_us`, keeping their ids (so the
  // receiver can still drop repeats), with DeliveryRow::attempts back at 0 so the retry
  // schedule starts over (the attempt log keeps counting). Returns how many. At most 10 000
  // per call.
  virtual Result<int64_t> ReplayDeliveries(int64_t account_id, const ReplaySelector& selector,
                                           int64_t now_us) = 0;
  virtual Result<OutboxStats> GetOutboxStats() = 0;

  // Conversions (every status), newest first, strictly after `after` when given.
  virtual Result<ConversionPage> ListConversions(const ConversionFilter& filter,
                                                 const std::optional<ConversionCursor>& after,
                                                 int limit) = 0;
  // Conversions per goal of the account in [from_us, to_us) (goals without any are left out).
  virtual Result<std::vector<GoalStatsRow>> GetGoalStats(int64_t account_id, int64_t from_us,
                                                         int64_t to_us) = 0;

  // Dashboard users (kAlreadyExists: the email is taken, in any account).
  virtual Result<UserRow> CreateUser(const NewUser& user) = 0;
  virtual Result<std::optional<UserRow>> FindUserByEmail(const std::string& email) = 0;
  virtual Result<std::optional<UserRow>> GetUser(int64_t account_id, int64_t user_id) = 0;
  virtual Result<std::vector<UserRow>> ListUsers(int64_t account_id) = 0;  // ascending id
  // Both fail with kFailedPrecondition ("last_owner") when the account would be left without
  // an owner. Deleting a user deletes its sessions.
  virtual Result<std::optional<UserRow>> SetUserRole(int64_t account_id, int64_t user_id,
                                                     const std::string& role) = 0;
  virtual Result<bool> DeleteUser(int64_t account_id, int64_t user_id) = 0;
  // Replaces the hash and ends every session of the user but the one whose token hash is
  // `keep_session_hash` ("" = none). False if no such user.
  virtual Result<bool> SetUserPassword(int64_t account_id, int64_t user_id,
                                       const std::string& password_hash,
                                       const std::string& keep_session_hash) = 0;

  // Browser sessions. FindSession returns nullopt for an unknown token or one idle for
  // `idle_ttl_us` or more (which it deletes); otherwise it slides the idle expiry.
  virtual Status CreateSession(const NewSession& session, int64_t idle_ttl_us) = 0;
  virtual Result<std::optional<SessionInfo>> FindSession(const std::string& token_hash,
                                                         int64_t idle_ttl_us) = 0;
  virtual Status DeleteSession(const std::string& token_hash) = 0;

  // Invitations: listed while pending (not accepted; expired ones included, until deleted).
  // AcceptInvitation creates the user with the invitation's email and role: kNotFound for an
  // unknown (or deleted) token, kFailedPrecondition ("gone") if used or expired,
  // kAlreadyExists if the email became a user meanwhile.
  virtual Result<InvitationRow> CreateInvitation(const NewInvitation& invitation) = 0;
  virtual Result<std::vector<InvitationRow>> ListInvitations(int64_t account_id) = 0;
  virtual Result<bool> DeleteInvitation(int64_t account_id, int64_t invitation_id) = 0;
  virtual Result<UserRow> AcceptInvitation(const std::string& token_hash,
                                           const std::string& password_hash) = 0;

  // API keys of an account, revoked ones included (ascending id). RevokeApiKey: false if no
  // such key in the account; revoking a revoked key keeps its first revoked_at.
  virtual Result<std::vector<ApiKeyRow>> ListApiKeys(int64_t account_id) = 0;
  virtual Result<ApiKeyRow> CreateApiKey(const NewApiKeyRow& key) = 0;
  virtual Result<bool> RevokeApiKey(int64_t account_id, int64_t key_id) = 0;

  // Health: a real write-and-read round trip (not just "the file exists"): writes a fresh
  // random token, reads it back on a read connection and compares. OK only if both worked; a
  // lock held elsewhere makes it fail after the engine's probe deadline. Callers that need a
  // hard deadline run it on a thread of their own (monitor/store_prober.h).
  virtual Status Probe() = 0;
};

}  // namespace ct
