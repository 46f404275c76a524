#include "store/sqlite/schema.h"

#include <array>
#include <string>
#include <string_view>

#include "store/sqlite/transaction.h"

namespace ct::sqlite {
namespace {

// Append only: a released migration is never edited, since files in the field have run it.
constexpr std::array<std::string_view, 15> kMigrations = {
    // ---- v1: accounts, keys, links, tracking --------------------------------------------
    R"sql(
CREATE TABLE accounts (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL                 -- microseconds since the epoch, UTC
);

CREATE TABLE api_keys (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL REFERENCES accounts(id),
  key_hash    TEXT    NOT NULL UNIQUE,         -- SHA-256 hex; the key itself is never stored
  prefix      TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER                          -- NULL while the key is valid
);

-- Links are never hard-deleted: deleted_at marks them, so the slug stays taken forever (a
-- printed link must never start pointing elsewhere) and the edge learns of the deletion.
CREATE TABLE links (
  id           INTEGER PRIMARY KEY,
  account_id   INTEGER NOT NULL REFERENCES accounts(id),
  slug         TEXT    NOT NULL UNIQUE,        -- across all accounts and deleted rows
  destination  TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  version      INTEGER NOT NULL,               -- store-wide change number, see below
  deleted_at   INTEGER
);
-- Every slug a link has ever had. A rename keeps the old slug reserved to its link, so a
-- printed link never starts pointing at someone else's destination (links.slug alone would
-- free the old slug on rename).
CREATE TABLE slug_history (
  slug     TEXT    PRIMARY KEY,
  link_id  INTEGER NOT NULL REFERENCES links(id)
);
-- LinksChangedSince: version > ?. Versions are unique (assigned under the write lock).
CREATE UNIQUE INDEX links_by_version ON links(version);
-- ListLinks: account_id = ? AND id > ? ORDER BY id.
CREATE INDEX links_by_account ON links(account_id, id);

-- Raw hits. The primary key on the event id IS the durable dedup: a replayed event finds its
-- id here and is skipped. No foreign key to links: a hit for an unknown link must not fail
-- (and so block) the tracker's whole batch.
CREATE TABLE hits (
  event_id         BLOB    PRIMARY KEY,        -- 16 bytes, stamped by the edge
  link_id          INTEGER NOT NULL,
  account_id       INTEGER NOT NULL,
  kind             INTEGER NOT NULL,           -- EventKind: 1 click, 2 HEAD
  time_us          INTEGER NOT NULL,
  ip               TEXT    NOT NULL,
  user_agent       TEXT    NOT NULL,
  referrer         TEXT    NOT NULL,
  accept_language  TEXT    NOT NULL,
  visitor_key      BLOB    NOT NULL
) WITHOUT ROWID;

-- One row per (link, UTC day, visitor) that clicked: the row's existence decides "unique".
CREATE TABLE visitor_days (
  link_id      INTEGER NOT NULL,
  day          INTEGER NOT NULL,               -- floor(time_us / 86400e6)
  visitor_key  BLOB    NOT NULL,
  PRIMARY KEY (link_id, day, visitor_key)
) WITHOUT ROWID;

CREATE TABLE rollups (
  link_id          INTEGER NOT NULL,
  granularity      INTEGER NOT NULL,           -- bucket width in seconds: 60, 3600, 86400
  bucket_start_us  INTEGER NOT NULL,           -- floor(time_us / width), in microseconds, UTC
  total            INTEGER NOT NULL,           -- clicks
  unique_count     INTEGER NOT NULL,           -- first clicks of a visitor on the link that day
  head             INTEGER NOT NULL,           -- HEAD requests, counted apart
  PRIMARY KEY (link_id, granularity, bucket_start_us)
) WITHOUT ROWID;

-- The position each consumer has applied up to, moved only by Commit, in the same
-- transaction as the hits it covers.
CREATE TABLE consumer_offsets (
  consumer    TEXT    PRIMARY KEY,
  position    INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE dead_letters (
  id          INTEGER PRIMARY KEY,
  consumer    TEXT    NOT NULL,
  position    INTEGER NOT NULL,
  reason      TEXT    NOT NULL,
  payload     BLOB    NOT NULL,
  created_at  INTEGER NOT NULL
);
)sql",
    // ---- v2: the health probe's row -----------------------------------------------------
    R"sql(
-- One row, rewritten by every Store::Probe with a fresh token and read back: proves that a
-- write transaction and a read both still work.
CREATE TABLE probe (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  token  BLOB,
  at     INTEGER                                -- microseconds since the epoch, UTC
);
)sql",
    // ---- v3: link features: custom domains, titles, tags, groups, options --------------
    R"sql(
-- Custom domains. Deleted ones stay (deleted_at) so the edge learns of the deletion through
-- `version`, which comes from the same store-wide counter as links.version. A host belongs to
-- at most one live domain row.
CREATE TABLE domains (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL REFERENCES accounts(id),
  host        TEXT    NOT NULL,                -- lower case, no port
  created_at  INTEGER NOT NULL,
  version     INTEGER NOT NULL,
  deleted_at  INTEGER
);
CREATE UNIQUE INDEX domains_live_host ON domains(host) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX domains_by_version ON domains(version);
CREATE INDEX domains_by_account ON domains(account_id, id);

-- links is rebuilt because SQLite cannot drop the v1 UNIQUE(slug): a slug is now unique per
-- domain ('' = the default domain). slug_history follows, keyed by (domain, slug).
CREATE TABLE links_v3 (
  id            INTEGER PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES accounts(id),
  domain        TEXT    NOT NULL DEFAULT '',
  slug          TEXT    NOT NULL,
  destination   TEXT    NOT NULL,
  title         TEXT    NOT NULL DEFAULT '',
  group_name    TEXT    NOT NULL DEFAULT '',
  options_json  TEXT    NOT NULL DEFAULT '',   -- store/link_options_json.h; '' = defaults
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  version       INTEGER NOT NULL,
  deleted_at    INTEGER,
  UNIQUE (domain, slug)                        -- across all accounts and deleted rows
);
INSERT INTO links_v3 (id, account_id, slug, destination, created_at, updated_at, version,
                      deleted_at)
  SELECT id, account_id, slug, destination, created_at, updated_at, version, deleted_at
  FROM links;
CREATE TABLE slug_history_v3 (
  domain   TEXT    NOT NULL DEFAULT '',
  slug     TEXT    NOT NULL,
  link_id  INTEGER NOT NULL REFERENCES links_v3(id),
  PRIMARY KEY (domain, slug)
);
INSERT INTO slug_history_v3 (domain, slug, link_id) SELECT '', slug, link_id FROM slug_history;
DROP TABLE slug_history;
DROP TABLE links;
-- RENAME also rewrites slug_history_v3's reference to links_v3.
ALTER TABLE links_v3 RENAME TO links;
ALTER TABLE slug_history_v3 RENAME TO slug_history;
CREATE UNIQUE INDEX links_by_version ON links(version);
CREATE INDEX links_by_account ON links(account_id, id);

-- A link's tags, sorted and unique per link. ListLinks(tag = ?) reads link_tags_by_tag.
CREATE TABLE link_tags (
  link_id  INTEGER NOT NULL REFERENCES links(id),
  tag      TEXT    NOT NULL,
  PRIMARY KEY (link_id, tag)
) WITHOUT ROWID;
CREATE INDEX link_tags_by_tag ON link_tags(tag, link_id);
)sql",
    // ---- v4: enriched hits, bots, rollups per dimension and per account ------------------
    R"sql(
-- What the tracker derived from each hit (store.h Enrichment), the destination the edge chose,
-- its flags, and whether it counted as unique: the click stream and filtered reports read them.
-- Hits committed before v4 keep the defaults ('' = unknown, human, not unique).
ALTER TABLE hits ADD COLUMN country          TEXT    NOT NULL DEFAULT '';
ALTER TABLE hits ADD COLUMN device           TEXT    NOT NULL DEFAULT '';
ALTER TABLE hits ADD COLUMN os               TEXT    NOT NULL DEFAULT '';
ALTER TABLE hits ADD COLUMN browser          TEXT    NOT NULL DEFAULT '';
ALTER TABLE hits ADD COLUMN referrer_domain  TEXT    NOT NULL DEFAULT '';
ALTER TABLE hits ADD COLUMN language         TEXT    NOT NULL DEFAULT '';
ALTER TABLE hits ADD COLUMN destination      TEXT    NOT NULL DEFAULT '';
ALTER TABLE hits ADD COLUMN bot              INTEGER NOT NULL DEFAULT 0;  -- Enrichment.bot
ALTER TABLE hits ADD COLUMN is_unique        INTEGER NOT NULL DEFAULT 0;  -- counted in unique
ALTER TABLE hits ADD COLUMN flags            INTEGER NOT NULL DEFAULT 0;  -- Event.flags
-- ListHits and filtered reports of one link, hour by hour: the link's hours come from its
-- hour rollups, then one seek per hour here. UTC hour first, not link_id: the tracker's inserts
-- then land in the current hour's corner of the index instead of one page per link, which
-- keeps each commit's dirty pages (and so its WAL writes) few.
CREATE INDEX hits_by_hour_link ON hits(time_us / 3600000000, link_id, time_us, event_id);
-- ExpireHits (time_us < ?) and filtered account-wide reports.
CREATE INDEX hits_by_time ON hits(time_us);

-- Clicks classified as bots: counted here only, never in total/unique_count.
ALTER TABLE rollups ADD COLUMN bots INTEGER NOT NULL DEFAULT 0;

-- Hourly counts per known value of one dimension (Dimension in store.h: 0 country, 1 device,
-- 2 os, 3 browser, 4 referrer domain, 5 language, 6 destination). Every counted click (not a
-- HEAD) adds to one row per dimension whose value is known; the unknown ('') count is the hour
-- rollups' minus the known rows', and bot/human are the rollups' bots and total, so neither is
-- stored. Breakdowns sum the hours of a range.
CREATE TABLE dim_rollups (
  link_id          INTEGER NOT NULL,
  dim              INTEGER NOT NULL,
  bucket_start_us  INTEGER NOT NULL,           -- UTC hour
  value            TEXT    NOT NULL,
  total            INTEGER NOT NULL,
  unique_count     INTEGER NOT NULL,
  bots             INTEGER NOT NULL,
  -- Hour first, like hits_by_hour_link: a commit's upserts stay in the current hour's corner
  -- of the table. A link's breakdown seeks each of its hours (from its hour rollups).
  PRIMARY KEY (bucket_start_us, link_id, dim, value)
) WITHOUT ROWID;

-- The rollups of all of an account's links together, so account-wide stats read one row per
-- bucket instead of one per link and bucket.
CREATE TABLE account_rollups (
  account_id       INTEGER NOT NULL,
  granularity      INTEGER NOT NULL,           -- 60, 3600, 86400 as in rollups
  bucket_start_us  INTEGER NOT NULL,
  total            INTEGER NOT NULL,
  unique_count     INTEGER NOT NULL,
  bots             INTEGER NOT NULL,
  head             INTEGER NOT NULL,
  PRIMARY KEY (account_id, granularity, bucket_start_us)
) WITHOUT ROWID;

-- Carry what was counted before v4 over, so account-wide totals agree across the upgrade.
-- (Older hits need no dim_rollups rows: in breakdowns they are unknown, derived as above.)
INSERT INTO account_rollups (account_id, granularity, bucket_start_us, total, unique_count,
                             bots, head)
  SELECT l.account_id, r.granularity, r.bucket_start_us, SUM(r.total), SUM(r.unique_count), 0,
         SUM(r.head)
  FROM rollups r JOIN links l ON l.id = r.link_id
  GROUP BY l.account_id, r.granularity, r.bucket_start_us;
)sql",
    // ---- v5: pixels, goals, conversions, postbacks and the outbox ------------------------
    R"sql(
-- 0 a tracking link, 1 a tracking pixel (store.h LinkKind): pixels share links' slugs, rollups,
-- breakdowns and hits (their "clicks" are impressions).
ALTER TABLE links ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;

-- The ct_vid cookie a hit came with (its visitor's first click id): first-click attribution
-- follows it from the click a conversion names to the visitor's first click, by primary key.
ALTER TABLE hits ADD COLUMN visitor_id TEXT NOT NULL DEFAULT '';

-- Conversions (status counted) in the rollups of the credited click's link, in the bucket of
-- the conversion's time; value in millionths of the goal's currency.
ALTER TABLE rollups ADD COLUMN conversions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollups ADD COLUMN value_micros INTEGER NOT NULL DEFAULT 0;
ALTER TABLE account_rollups ADD COLUMN conversions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE account_rollups ADD COLUMN value_micros INTEGER NOT NULL DEFAULT 0;
-- ... and under the credited click's value of each dimension.
ALTER TABLE dim_rollups ADD COLUMN conversions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dim_rollups ADD COLUMN value_micros INTEGER NOT NULL DEFAULT 0;

-- Conversion goals. version comes from the store-wide counter of links and domains, so the
-- edge's link syncer learns of goal changes in the same poll.
CREATE TABLE goals (
  id                    INTEGER PRIMARY KEY,
  account_id            INTEGER NOT NULL REFERENCES accounts(id),
  key                   TEXT    NOT NULL UNIQUE,   -- public: GET /c/{key}
  name                  TEXT    NOT NULL,
  default_value_micros  INTEGER NOT NULL,
  currency              TEXT    NOT NULL,
  window_seconds        INTEGER NOT NULL,
  counting              INTEGER NOT NULL,          -- ConversionCounting
  attribution           INTEGER NOT NULL,          -- AttributionModel
  piggyback_json        TEXT    NOT NULL DEFAULT '[]',  -- JSON array of URL strings
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL,
  version               INTEGER NOT NULL,
  deleted_at            INTEGER
);
CREATE UNIQUE INDEX goals_by_version ON goals(version);
CREATE INDEX goals_by_account ON goals(account_id, id);

-- Every conversion event, counted or not (status says why not). The primary key is the
-- durable dedup of a re-delivered event, as hits.event_id is for clicks.
CREATE TABLE conversions (
  event_id        BLOB    PRIMARY KEY,
  account_id      INTEGER NOT NULL,
  goal_id         INTEGER NOT NULL,
  time_us         INTEGER NOT NULL,
  link_id         INTEGER NOT NULL,             -- credited click's link; 0 = unattributed
  click_event_id  BLOB,                         -- NULL = unattributed
  click_time_us   INTEGER NOT NULL DEFAULT 0,
  value_micros    INTEGER NOT NULL,
  currency        TEXT    NOT NULL,
  order_id        TEXT    NOT NULL,
  click_ref       TEXT    NOT NULL,             -- the click id it named, as received
  status          INTEGER NOT NULL,             -- ConversionStatus
  flags           INTEGER NOT NULL,             -- Event.flags (kFlagServerToServer, ...)
  ip              TEXT    NOT NULL,
  user_agent      TEXT    NOT NULL,
  referrer        TEXT    NOT NULL
) WITHOUT ROWID;
-- ListConversions: account_id = ? AND time_us < ? ORDER BY time_us DESC, event_id DESC.
CREATE INDEX conversions_by_account_time ON conversions(account_id, time_us, event_id);

-- What a goal has already counted: kind 1 = an order id (key = the order id's bytes), kind 2 =
-- a click (key = the click's event id). A conversion whose key is here is a duplicate.
CREATE TABLE conversion_keys (
  goal_id   INTEGER NOT NULL,
  kind      INTEGER NOT NULL,
  key       BLOB    NOT NULL,
  event_id  BLOB    NOT NULL,                   -- the conversion that counted
  PRIMARY KEY (goal_id, kind, key)
) WITHOUT ROWID;

-- Counted conversions per goal and credited link (0 = unattributed), per bucket.
CREATE TABLE goal_rollups (
  goal_id          INTEGER NOT NULL,
  granularity      INTEGER NOT NULL,            -- 60, 3600, 86400
  bucket_start_us  INTEGER NOT NULL,
  link_id          INTEGER NOT NULL,
  conversions      INTEGER NOT NULL,
  value_micros     INTEGER NOT NULL,
  PRIMARY KEY (goal_id, granularity, bucket_start_us, link_id)
) WITHOUT ROWID;

CREATE TABLE postbacks (
  id               INTEGER PRIMARY KEY,
  account_id       INTEGER NOT NULL REFERENCES accounts(id),
  name             TEXT    NOT NULL,
  url_template     TEXT    NOT NULL,
  method           TEXT    NOT NULL,            -- GET | POST
  events           INTEGER NOT NULL,            -- PostbackEventBit
  goal_ids         TEXT    NOT NULL DEFAULT '[]',  -- JSON array; [] = every goal
  attributed_only  INTEGER NOT NULL,
  secret           TEXT    NOT NULL,
  disabled_at      INTEGER,                     -- NULL while enabled
  disabled_reason  TEXT    NOT NULL DEFAULT '',
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  deleted_at       INTEGER
);
CREATE INDEX postbacks_by_account ON postbacks(account_id, id);

-- The transactional outbox: written by Commit in the transaction that commits the event, read
-- by the notifier. id is the Standard Webhooks webhook-id (store.h DeliveryRow).
CREATE TABLE outbox (
  id               TEXT    PRIMARY KEY,
  account_id       INTEGER NOT NULL,
  postback_id      INTEGER NOT NULL,
  event_id         BLOB    NOT NULL,
  event_kind       INTEGER NOT NULL,
  event_time_us    INTEGER NOT NULL,
  method           TEXT    NOT NULL,
  url              TEXT    NOT NULL,
  body             TEXT    NOT NULL,
  state            INTEGER NOT NULL,            -- DeliveryState
  attempts         INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  next_attempt_us  INTEGER NOT NULL,
  last_status      INTEGER NOT NULL DEFAULT 0,
  last_error       TEXT    NOT NULL DEFAULT '',
  delivered_at     INTEGER NOT NULL DEFAULT 0,
  -- The last ReplayDeliveries: an outcome of an attempt started before it is stale (it answers
  -- the pre-replay send), so it is recorded but does not move the replayed row.
  replayed_at      INTEGER NOT NULL DEFAULT 0
);
-- ClaimDeliveries: the due pending rows, oldest due first; only pending rows are indexed.
CREATE INDEX outbox_due ON outbox(next_attempt_us) WHERE state = 0;
-- ListDeliveries: newest first per account.
CREATE INDEX outbox_by_account ON outbox(account_id, created_at, id);
-- GetOutboxStats, polled by the monitor: the oldest pending row and the dead-letter count read
-- only these small partial indexes, never the whole (ever-growing) outbox.
CREATE INDEX outbox_pending_by_created ON outbox(created_at) WHERE state = 0;
CREATE INDEX outbox_dead ON outbox(created_at) WHERE state = 2;

-- Every attempt of every delivery: time, status, latency, error.
CREATE TABLE delivery_attempts (
  id            INTEGER PRIMARY KEY,
  delivery_id   TEXT    NOT NULL,
  attempt       INTEGER NOT NULL,
  started_at    INTEGER NOT NULL,
  http_status   INTEGER NOT NULL,
  latency_us    INTEGER NOT NULL,
  error         TEXT    NOT NULL
);
CREATE INDEX delivery_attempts_by_delivery ON delivery_attempts(delivery_id, id);
)sql",
    // ---- v6: rebuilds: classifier versions, the retention marker, the rebuild checkpoint --
    R"sql(
-- The classifier version (enrich/classifier_version.h) whose rules gave the hit its bot,
-- device, os and browser; 0 = committed before versions were stored.
ALTER TABLE hits ADD COLUMN classifier INTEGER NOT NULL DEFAULT 0;

-- Raw hits older than since_us may have been deleted by the retention sweep (ExpireHits moves
-- it in the transaction that deletes), so rollups before it cannot be rebuilt from raw hits.
-- No row: nothing was ever expired. A file that already had data when this migration ran may
-- have lost hits before its oldest remaining one (or, with none left, before now).
CREATE TABLE hits_retained (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  since_us  INTEGER NOT NULL
);
INSERT INTO hits_retained (id, since_us)
  SELECT 1, COALESCE((SELECT MIN(time_us) FROM hits),
                     CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER))
  WHERE EXISTS (SELECT 1 FROM rollups);

-- The one rebuild job (`clicktrail rebuild`) and the last slice it finished, written in the
-- slice's own transaction, so an interrupted job resumes exactly after it.
CREATE TABLE rebuild_checkpoint (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  from_us       INTEGER NOT NULL,                -- whole UTC days
  to_us         INTEGER NOT NULL,
  link_id       INTEGER NOT NULL,                -- 0 = every link
  classifier    INTEGER NOT NULL,
  day_us        INTEGER NOT NULL,                -- the last finished slice: its day,
  phase         INTEGER NOT NULL,                -- 0 its links, 1 its accounts
  last_id       INTEGER NOT NULL,                -- and its link or account id
  events_done   INTEGER NOT NULL,
  started_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  finished      INTEGER NOT NULL DEFAULT 0
);
)sql",
    // ---- v7: reconciliation (README "Reconciliation") -------------------------------------
    R"sql(
-- Per edge and UTC hour (start, in µs) of the events' time: what the edge's tallies say it
-- answered and journaled, and what the tracker's commits did with events of that hour. Every
-- column only grows, in the same transaction as the hits it describes.
CREATE TABLE reconciliation (
  edge           TEXT    NOT NULL,
  hour           INTEGER NOT NULL,
  answered       INTEGER NOT NULL DEFAULT 0,
  journaled      INTEGER NOT NULL DEFAULT 0,
  committed      INTEGER NOT NULL DEFAULT 0,
  duplicates     INTEGER NOT NULL DEFAULT 0,
  dead_lettered  INTEGER NOT NULL DEFAULT 0,
  corrupted      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (hour, edge)
) WITHOUT ROWID;

-- Tally dedup: the last seq applied per run of an edge (one row per start, not per tally).
CREATE TABLE reconciliation_runs (
  edge        TEXT    NOT NULL,
  run         BLOB    NOT NULL,
  seq         INTEGER NOT NULL,
  applied_at  INTEGER NOT NULL,
  PRIMARY KEY (edge, run)
) WITHOUT ROWID;

-- The newest tally applied per edge, in journal order: how far the tracker got on that edge.
CREATE TABLE reconciliation_edges (
  edge      TEXT    PRIMARY KEY,
  as_of     INTEGER NOT NULL,
  final     INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // ---- v8: links imported from other tools ------------------------------------------------
    R"sql(
-- `clicktrail import`: the tool a link came from ('' = made here) and the click total its
-- export carried (NULL = none). Reported as imported_total, never added to the rollups.
ALTER TABLE links ADD COLUMN imported_from    TEXT    NOT NULL DEFAULT '';
ALTER TABLE links ADD COLUMN imported_clicks  INTEGER;
)sql",
    // ---- v9: per-account unique-click definition; IP sightings for "ip_30min" ----------------
    R"sql(
ALTER TABLE accounts ADD COLUMN unique_definition INTEGER NOT NULL DEFAULT 0;  -- UniqueDefinition

-- Human clicks of accounts counting uniques by IP (store/sqlite/ip_uniques.h): a click is unique
-- when no row of its link and IP lies in (t - 30 min, t]. Kept 48 hours (the retention sweep
-- prunes them by time); is_unique lets a late earlier click take a later one's uniqueness.
CREATE TABLE ip_sightings (
  link_id    INTEGER NOT NULL,
  ip         TEXT    NOT NULL,               -- as journaled: anonymised if the edge does so
  time_us    INTEGER NOT NULL,               -- the event's time
  event_id   BLOB    NOT NULL,
  is_unique  INTEGER NOT NULL,
  PRIMARY KEY (link_id, ip, time_us, event_id)
) WITHOUT ROWID;
CREATE INDEX ip_sightings_by_time ON ip_sightings(time_us);
)sql",
    // ---- v10: dashboard users, their sessions and invitations; named API keys ---------------
    R"sql(
-- A person who signs in to the dashboard. The email is unique across accounts: sign-in names
-- no account. password_hash is libsodium's crypto_pwhash_str (Argon2id, salt and parameters
-- inside).
CREATE TABLE users (
  id             INTEGER PRIMARY KEY,
  account_id     INTEGER NOT NULL REFERENCES accounts(id),
  email          TEXT    NOT NULL UNIQUE,            -- lower case
  role           TEXT    NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
  password_hash  TEXT    NOT NULL,
  created_at     INTEGER NOT NULL
);
CREATE INDEX users_by_account ON users(account_id);

-- A signed-in browser. The cookie's token is never stored, only its SHA-256; the CSRF token is
-- not a secret from the browser that holds the session, so it is kept as is.
CREATE TABLE sessions (
  id            INTEGER PRIMARY KEY,
  token_hash    TEXT    NOT NULL UNIQUE,
  user_id       INTEGER NOT NULL REFERENCES users(id),
  csrf_token    TEXT    NOT NULL,
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL                     -- idle expiry slides from here
);
CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE INDEX sessions_by_last_seen ON sessions(last_seen_at);

-- An invitation to join an account with a role; the token (only its SHA-256 here) is in the
-- accept URL. accepted_at is set once; a used or expired invitation cannot be used again.
CREATE TABLE invitations (
  id           INTEGER PRIMARY KEY,
  account_id   INTEGER NOT NULL REFERENCES accounts(id),
  email        TEXT    NOT NULL,
  role         TEXT    NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
  token_hash   TEXT    NOT NULL UNIQUE,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  accepted_at  INTEGER
);
CREATE INDEX invitations_by_account ON invitations(account_id);

-- API keys get a name to tell them apart in the dashboard ('' for the key of `account create`).
ALTER TABLE api_keys ADD COLUMN name TEXT NOT NULL DEFAULT '';
CREATE INDEX api_keys_by_account ON api_keys(account_id);
)sql",
    // ---- v11: the live click stream (GET /api/v1/live) ---------------------------------------
    R"sql(
-- Each new hit's place in commit order, store-wide (1, 2, 3...; 0 = committed before v11):
-- the stream's cursor. Event time is not commit order (late and replayed events), and a cursor
-- must neither skip nor repeat a hit across reconnects.
ALTER TABLE hits ADD COLUMN commit_seq INTEGER NOT NULL DEFAULT 0;
-- An account's hits after a cursor. Partial: hits from before v11 are never streamed, so
-- building it reads the table once but writes nothing for them.
CREATE INDEX hits_by_account_seq ON hits(account_id, commit_seq) WHERE commit_seq > 0;
-- The last number given, advanced in the tracker's commit transaction.
CREATE TABLE hit_commit_seq (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  last  INTEGER NOT NULL
);
INSERT INTO hit_commit_seq (id, last) VALUES (1, 0);
)sql",
    // ---- v12: reports from rollups only: dimension combinations, account dimensions ---------
    R"sql(
-- Hourly counts per link and per COMBINATION of the seven stored dimensions ('' = unknown), so
-- filtered reports and filtered breakdowns (any filters, any group_by) sum rollup rows instead
-- of scanning raw hits. Every counted click (not a HEAD) adds to exactly one row, so sums over
-- rows are exact for total, bots and unique (a unique is one click, with one combination).
-- Conversions sit under the credited click's combination in the conversion's hour.
CREATE TABLE combo_rollups (
  bucket_start_us  INTEGER NOT NULL,           -- UTC hour
  link_id          INTEGER NOT NULL,
  country          TEXT    NOT NULL,
  device           TEXT    NOT NULL,
  os               TEXT    NOT NULL,
  browser          TEXT    NOT NULL,
  referrer_domain  TEXT    NOT NULL,
  language         TEXT    NOT NULL,
  destination      TEXT    NOT NULL,
  total            INTEGER NOT NULL,
  unique_count     INTEGER NOT NULL,
  bots             INTEGER NOT NULL,
  conversions      INTEGER NOT NULL,
  value_micros     INTEGER NOT NULL,
  -- Hour first, as dim_rollups: a commit's upserts stay in the current hour's corner. A link's
  -- report seeks each of its hours (from its hour rollups).
  PRIMARY KEY (bucket_start_us, link_id, country, device, os, browser, referrer_domain, language,
               destination)
) WITHOUT ROWID;

-- dim_rollups summed over the account's links, per UTC hour (3600) and day (86400): an
-- account-wide breakdown reads whole days from the day rows, the ends from the hour rows,
-- instead of every link's hourly rows.
CREATE TABLE account_dim_rollups (
  account_id       INTEGER NOT NULL,
  dim              INTEGER NOT NULL,
  granularity      INTEGER NOT NULL,
  bucket_start_us  INTEGER NOT NULL,
  value            TEXT    NOT NULL,
  total            INTEGER NOT NULL,
  unique_count     INTEGER NOT NULL,
  bots             INTEGER NOT NULL,
  conversions      INTEGER NOT NULL,
  value_micros     INTEGER NOT NULL,
  PRIMARY KEY (account_id, dim, granularity, bucket_start_us, value)
) WITHOUT ROWID;

-- Backfill from what exists: combinations from the raw hits still kept (as filtered reports
-- read them until now), conversions under their click's combination; account dimensions from
-- the links' dim_rollups.
INSERT INTO combo_rollups
  SELECT time_us / 3600000000 * 3600000000, link_id, country, device, os, browser,
         referrer_domain, language, destination, SUM(bot = 0), SUM(is_unique), SUM(bot <> 0),
         0, 0
  FROM hits WHERE kind <> 2
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
INSERT INTO combo_rollups
  SELECT c.time_us / 3600000000 * 3600000000, c.link_id, h.country, h.device, h.os, h.browser,
         h.referrer_domain, h.language, h.destination, 0, 0, 0, COUNT(*), SUM(c.value_micros)
  FROM conversions c JOIN hits h ON h.event_id = c.click_event_id
  WHERE c.status = 0 AND c.link_id <> 0
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
  ON CONFLICT DO UPDATE SET conversions = conversions + excluded.conversions,
                            value_micros = value_micros + excluded.value_micros;
INSERT INTO account_dim_rollups
  SELECT l.account_id, d.dim, 3600, d.bucket_start_us, d.value, SUM(d.total),
         SUM(d.unique_count), SUM(d.bots), SUM(d.conversions), SUM(d.value_micros)
  FROM dim_rollups d JOIN links l ON l.id = d.link_id
  GROUP BY 1, 2, 4, 5;
INSERT INTO account_dim_rollups
  SELECT account_id, dim, 86400, bucket_start_us / 86400000000 * 86400000000, value, SUM(total),
         SUM(unique_count), SUM(bots), SUM(conversions), SUM(value_micros)
  FROM account_dim_rollups WHERE granularity = 3600
  GROUP BY 1, 2, 4, 5;

-- combo_rollups summed over the account's links without the destination (each link has its
-- own destinations, so with it the rows would hardly merge), per UTC hour (3600) and day
-- (86400): an account-wide filtered report reads whole days from the day rows and the ends from
-- the hour rows instead of every link's combinations. A destination filter or group_by at
-- account level still reads combo_rollups.
CREATE TABLE account_combo_rollups (
  account_id       INTEGER NOT NULL,
  granularity      INTEGER NOT NULL,
  bucket_start_us  INTEGER NOT NULL,
  country          TEXT    NOT NULL,
  device           TEXT    NOT NULL,
  os               TEXT    NOT NULL,
  browser          TEXT    NOT NULL,
  referrer_domain  TEXT    NOT NULL,
  language         TEXT    NOT NULL,
  total            INTEGER NOT NULL,
  unique_count     INTEGER NOT NULL,
  bots             INTEGER NOT NULL,
  conversions      INTEGER NOT NULL,
  value_micros     INTEGER NOT NULL,
  PRIMARY KEY (account_id, granularity, bucket_start_us, country, device, os, browser,
               referrer_domain, language)
) WITHOUT ROWID;
INSERT INTO account_combo_rollups
  SELECT l.account_id, 3600, c.bucket_start_us, c.country, c.device, c.os, c.browser,
         c.referrer_domain, c.language, SUM(c.total), SUM(c.unique_count), SUM(c.bots),
         SUM(c.conversions), SUM(c.value_micros)
  FROM combo_rollups c JOIN links l ON l.id = c.link_id
  GROUP BY 1, 3, 4, 5, 6, 7, 8, 9;
INSERT INTO account_combo_rollups
  SELECT account_id, 86400, bucket_start_us / 86400000000 * 86400000000, country, device, os,
         browser, referrer_domain, language, SUM(total), SUM(unique_count), SUM(bots),
         SUM(conversions), SUM(value_micros)
  FROM account_combo_rollups WHERE granularity = 3600
  GROUP BY 1, 3, 4, 5, 6, 7, 8, 9;
)sql",
    // ---- v13: account reports on two dimensions; which links sent clicks to a destination -
    R"sql(
-- account_combo_rollups summed per PAIR of dimensions (dim_a < dim_b, the six other than the
-- destination, Dimension order), per UTC hour (3600) and day (86400), known values only (as in
-- account_dim_rollups: unknown is derived). An account report filtered on two known values, or
-- on one known value and broken down by another dimension, reads one row per bucket (and
-- value) here instead of every combination of the bucket. Keyed bucket before values, so a
-- report seeks (bucket, value_a, value_b) per non-empty bucket.
CREATE TABLE account_pair_rollups (
  account_id       INTEGER NOT NULL,
  dim_a            INTEGER NOT NULL,
  dim_b            INTEGER NOT NULL,
  granularity      INTEGER NOT NULL,
  bucket_start_us  INTEGER NOT NULL,
  value_a          TEXT    NOT NULL,
  value_b          TEXT    NOT NULL,
  total            INTEGER NOT NULL,
  unique_count     INTEGER NOT NULL,
  bots             INTEGER NOT NULL,
  conversions      INTEGER NOT NULL,
  value_micros     INTEGER NOT NULL,
  PRIMARY KEY (account_id, dim_a, dim_b, granularity, bucket_start_us, value_a, value_b)
) WITHOUT ROWID;

-- Every (account, destination, link) that has combo_rollups rows: an account report filtered
-- on a destination AND something else reads only these links' combo_rollups (a destination
-- belongs to few links), not every link's. Only grows; a link listed without rows in a range
-- adds nothing.
CREATE TABLE account_destination_links (
  account_id   INTEGER NOT NULL,
  destination  TEXT    NOT NULL,
  link_id      INTEGER NOT NULL,
  PRIMARY KEY (account_id, destination, link_id)
) WITHOUT ROWID;

-- Backfill from the rollups already stored (V13BackfillSql): the pairs from
-- account_combo_rollups (hour and day rows alike), the destination links from combo_rollups.
INSERT INTO account_pair_rollups
  WITH d(n) AS (VALUES (0), (1), (2), (3), (4), (5)),
       v AS (SELECT c.*, a.n AS dim_a, b.n AS dim_b,
                    CASE a.n WHEN 0 THEN country WHEN 1 THEN device WHEN 2 THEN os
                             WHEN 3 THEN browser WHEN 4 THEN referrer_domain ELSE language
                    END AS value_a,
                    CASE b.n WHEN 0 THEN country WHEN 1 THEN device WHEN 2 THEN os
                             WHEN 3 THEN browser WHEN 4 THEN referrer_domain ELSE language
                    END AS value_b
             FROM account_combo_rollups c, d a, d b WHERE a.n < b.n)
  SELECT account_id, dim_a, dim_b, granularity, bucket_start_us, value_a, value_b, SUM(total),
         SUM(unique_count), SUM(bots), SUM(conversions), SUM(value_micros)
  FROM v WHERE value_a <> '' AND value_b <> ''
  GROUP BY 1, 2, 3, 4, 5, 6, 7;
INSERT INTO account_destination_links
  SELECT DISTINCT l.account_id, c.destination, c.link_id
  FROM combo_rollups c JOIN links l ON l.id = c.link_id;
)sql",
    // ---- v14: per-edge journal watermarks (distributed mode, ISSUE6 contract) ---------------
    R"sql(
-- Every journal position of the edge below committed_below is committed; ranges committed above
-- it wait in edge_ranges until the gap before them closes (store/edge_ranges.h).
CREATE TABLE edge_watermarks (
  edge             TEXT    PRIMARY KEY,
  committed_below  INTEGER NOT NULL,               -- u64 as i64 bits
  updated_at       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE edge_ranges (
  edge      TEXT    NOT NULL,
  from_pos  INTEGER NOT NULL,
  to_pos    INTEGER NOT NULL,
  PRIMARY KEY (edge, from_pos)
) WITHOUT ROWID;
)sql",
    // ---- v15: how far in time each edge is committed (report completeness) ------------------
    R"sql(
-- through_us: the edge's wall time of a tally (heartbeat) in the range; committed_through_us:
-- the newest of those among the ranges the watermark passed (store/edge_ranges.h AdvanceEdge).
ALTER TABLE edge_ranges ADD COLUMN through_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE edge_watermarks ADD COLUMN committed_through_us INTEGER NOT NULL DEFAULT 0;
)sql",
};
}  // namespace

std::string_view V13BackfillSql() {
  const std::string_view v13 = kMigrations[12];
  return v13.substr(v13.find("-- Backfill"));
}

int LatestSchemaVersion() { return static_cast<int>(kMigrations.size()); }

Status Migrate(Db* db) { return MigrateTo(db, LatestSchemaVersion()); }

Status MigrateTo(Db* db, int target) {
  if (target < 0 || target > LatestSchemaVersion()) {
    return Status::InvalidArgument("no schema version " + std::to_string(target));
  }
  Transaction txn(db);
  // IMMEDIATE: the version check and the migration happen under the write lock, so two
  // processes opening a fresh file cannot both see version 0 and both create the tables.
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  Result<int64_t> version = db->QueryInt("PRAGMA user_version");
  if (!version.ok()) return version.status();
  if (*version > LatestSchemaVersion()) {
    return Status::FailedPrecondition("database schema version " + std::to_string(*version) +
                                      " is newer than this build's " +
                                      std::to_string(LatestSchemaVersion()));
  }
  if (*version >= target) return Status::Ok();  // the guard ends the read
  for (int v = static_cast<int>(*version) + 1; v <= target; ++v) {
    CT_RETURN_IF_ERROR(db->Exec(kMigrations[v - 1]).Annotate("migration " + std::to_string(v)));
  }
  // user_version is in the database header, so it commits (or rolls back) with the tables.
  CT_RETURN_IF_ERROR(db->Exec("PRAGMA user_version = " + std::to_string(target)));
  return txn.Commit();
}

}  // namespace ct::sqlite
