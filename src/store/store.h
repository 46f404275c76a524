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

// ---- links --------------------------------------------------------------------------------
struct LinkRow {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string slug;
  std::string destination;  // validated, normalised absolute http(s) URL
  int64_t created_at_us = 0;
  int64_t updated_at_us = 0;
  int64_t version = 0;  // store-wide increasing change number (see LinksChangedSince)
  bool deleted = false;
};
struct NewLink {
  int64_t account_id = 0;
  std::string slug;
  std::string destination;
};
struct LinkUpdate {
  std::optional<std::string> slug;
  std::optional<std::string> destination;
};
struct LinkPage {
  std::vector<LinkRow> links;            // ascending id
  std::optional<int64_t> next_after_id;  // pass as after_id for the next page; none at end
};
struct LinkChanges {
  std::vector<LinkRow> links;  // every link (deleted ones too) whose version > the asked one
  int64_t max_version = 0;     // ask again with this; equal to the asked one if nothing changed
};

// ---- tracking -----------------------------------------------------------------------------
// One event as the tracker commits it: the edge's event plus what the tracker derived.
struct HitRecord {
  Event event;
  std::string visitor_key;  // identifies the visitor for unique counting (hash, 16 bytes)
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
struct StatsQuery {
  int64_t account_id = 0;
  int64_t link_id = 0;
  int64_t from_us = 0;  // inclusive; buckets whose start is in [from_us, to_us)
  int64_t to_us = 0;    // exclusive
  Interval interval = Interval::kDay;
};
struct StatsBucket {
  int64_t start_us = 0;
  int64_t total = 0;   // clicks (GET)
  int64_t unique = 0;  // first clicks of a visitor on the link in a UTC day
  int64_t head = 0;    // HEAD requests, counted apart
};
struct LinkStats {
  int64_t total = 0;
  int64_t unique = 0;
  int64_t head = 0;
  std::vector<StatsBucket> series;  // only non-empty buckets, ascending start
};

class Store {
 public:
  virtual ~Store() = default;

  // Accounts and keys.
  virtual Result<int64_t> CreateAccount(const NewAccount& account) = 0;
  virtual Result<std::optional<ApiKeyInfo>> FindApiKey(const std::string& key_hash) = 0;

  // Links. Slugs are unique across the store and never reused, even after deletion.
  virtual Result<LinkRow> CreateLink(const NewLink& link) = 0;
  virtual Result<std::optional<LinkRow>> GetLink(int64_t account_id, int64_t link_id) = 0;
  // Live links of the account with id > after_id, at most `limit`.
  virtual Result<LinkPage> ListLinks(int64_t account_id, int64_t after_id, int limit) = 0;
  // nullopt if no such live link in the account.
  virtual Result<std::optional<LinkRow>> UpdateLink(int64_t account_id, int64_t link_id,
                                                    const LinkUpdate& update) = 0;
  // false if no such live link in the account. The link stops redirecting; its stats remain.
  virtual Result<bool> DeleteLink(int64_t account_id, int64_t link_id) = 0;
  // For the edge's link table: changes after `version` (0 = everything).
  virtual Result<LinkChanges> LinksChangedSince(int64_t version) = 0;

  // Tracking: raw hits, rollups, dead letters and the consumer position, in ONE transaction.
  // Dedup is by event id and durable: a hit whose id was committed before changes nothing.
  virtual Result<CommitResult> Commit(const CommitBatch& batch) = 0;
  // The consumer's committed position; 0 if it never committed.
  virtual Result<uint64_t> ConsumedPosition(const std::string& consumer) = 0;

  // Reports. nullopt if the link does not exist in the account (deleted links still report).
  virtual Result<std::optional<LinkStats>> GetLinkStats(const StatsQuery& query) = 0;

  // Health: a real write-and-read round trip (not just "the file exists"): writes a fresh
  // random token, reads it back on a read connection and compares. OK only if both worked; a
  // lock held elsewhere makes it fail after the engine's probe deadline. Callers that need a
  // hard deadline run it on a thread of their own (monitor/store_prober.h).
  virtual Status Probe() = 0;
};

}  // namespace ct
