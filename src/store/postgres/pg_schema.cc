#include "store/postgres/pg_schema.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <string_view>

namespace ct::pg {
namespace {

// Advisory lock keys (pg_advisory_lock's bigint space is ours: one database per clicktrail).
constexpr int64_t kMigrationLock = 0x6374'0001;  // "ct" 1
constexpr int64_t kPartitionLock = 0x6374'0002;

// Append only: a released migration is never edited. The tables mirror the SQLite schema
// (store/sqlite/schema.cc, as of its v12) so both engines keep the same data: times are bigint
// microseconds since the epoch, UTC; ids bytea; flags small integers.
constexpr std::array<std::string_view, 4> kMigrations = {
    R"sql(
CREATE TABLE accounts (
  id                 bigserial PRIMARY KEY,
  name               text      NOT NULL UNIQUE,
  created_at         bigint    NOT NULL,
  unique_definition  smallint  NOT NULL DEFAULT 0            -- UniqueDefinition
);
CREATE TABLE api_keys (
  id          bigserial PRIMARY KEY,
  account_id  bigint    NOT NULL REFERENCES accounts(id),
  key_hash    text      NOT NULL UNIQUE,                      -- SHA-256 hex
  prefix      text      NOT NULL,
  name        text      NOT NULL DEFAULT '',
  created_at  bigint    NOT NULL,
  revoked_at  bigint
);
CREATE INDEX api_keys_by_account ON api_keys(account_id);

-- The store-wide change number of links, domains and goals (LinksChangedSince). One row,
-- bumped with UPDATE ... RETURNING inside the changing transaction: its row lock is held to
-- commit, so versions become visible in increasing order and a reader never skips one.
CREATE TABLE change_version (
  id  smallint PRIMARY KEY CHECK (id = 1),
  v   bigint   NOT NULL
);
INSERT INTO change_version VALUES (1, 0);

CREATE TABLE domains (
  id          bigserial PRIMARY KEY,
  account_id  bigint    NOT NULL REFERENCES accounts(id),
  host        text      NOT NULL,
  created_at  bigint    NOT NULL,
  version     bigint    NOT NULL UNIQUE,
  deleted_at  bigint
);
CREATE UNIQUE INDEX domains_live_host ON domains(host) WHERE deleted_at IS NULL;
CREATE INDEX domains_by_account ON domains(account_id, id);

CREATE TABLE links (
  id               bigserial PRIMARY KEY,
  account_id       bigint    NOT NULL REFERENCES accounts(id),
  domain           text      NOT NULL DEFAULT '',
  slug             text      NOT NULL,
  destination      text      NOT NULL,
  title            text      NOT NULL DEFAULT '',
  group_name       text      NOT NULL DEFAULT '',
  options_json     text      NOT NULL DEFAULT '',             -- store/link_options_json.h
  created_at       bigint    NOT NULL,
  updated_at       bigint    NOT NULL,
  version          bigint    NOT NULL UNIQUE,
  deleted_at       bigint,
  kind             smallint  NOT NULL DEFAULT 0,              -- LinkKind
  imported_from    text      NOT NULL DEFAULT '',
  imported_clicks  bigint,
  UNIQUE (domain, slug)                                       -- deleted rows included
);
CREATE INDEX links_by_account ON links(account_id, id);
CREATE TABLE slug_history (
  domain   text    NOT NULL DEFAULT '',
  slug     text    NOT NULL,
  link_id  bigint  NOT NULL REFERENCES links(id),
  PRIMARY KEY (domain, slug)
);
CREATE TABLE link_tags (
  link_id  bigint NOT NULL REFERENCES links(id),
  tag      text   NOT NULL,
  PRIMARY KEY (link_id, tag)
);
CREATE INDEX link_tags_by_tag ON link_tags(tag, link_id);

-- Raw hits, in daily range partitions of time_us (created ahead by the store, dropped by
-- retention). The primary key is the durable dedup: the partition key must be part of it, and
-- an event's time is stamped by the edge, so a redelivered event has the same (time_us,
-- event_id). No foreign key to links: a hit of an unknown link must not fail the batch.
CREATE TABLE hits (
  time_us          bigint    NOT NULL,
  event_id         bytea     NOT NULL,
  link_id          bigint    NOT NULL,
  account_id       bigint    NOT NULL,
  kind             smallint  NOT NULL,                        -- EventKind
  ip               text      NOT NULL,
  user_agent       text      NOT NULL,
  referrer         text      NOT NULL,
  accept_language  text      NOT NULL,
  visitor_key      bytea     NOT NULL,
  country          text      NOT NULL DEFAULT '',
  device           text      NOT NULL DEFAULT '',
  os               text      NOT NULL DEFAULT '',
  browser          text      NOT NULL DEFAULT '',
  referrer_domain  text      NOT NULL DEFAULT '',
  language         text      NOT NULL DEFAULT '',
  destination      text      NOT NULL DEFAULT '',
  bot              boolean   NOT NULL DEFAULT false,
  is_unique        boolean   NOT NULL DEFAULT false,
  flags            smallint  NOT NULL DEFAULT 0,
  visitor_id       text      NOT NULL DEFAULT '',
  classifier       bigint    NOT NULL DEFAULT 0,
  commit_seq       bigint    NOT NULL DEFAULT 0,
  PRIMARY KEY (time_us, event_id)
) PARTITION BY RANGE (time_us);
-- ListHits and filtered reads of one link over time.
CREATE INDEX hits_by_link_time ON hits(link_id, time_us, event_id);

CREATE TABLE visitor_days (
  link_id      bigint  NOT NULL,
  day          bigint  NOT NULL,                              -- floor(time_us / 86400e6)
  visitor_key  bytea   NOT NULL,
  PRIMARY KEY (link_id, day, visitor_key)
);
CREATE TABLE ip_sightings (
  link_id    bigint   NOT NULL,
  ip         text     NOT NULL,
  time_us    bigint   NOT NULL,
  event_id   bytea    NOT NULL,
  is_unique  boolean  NOT NULL,
  PRIMARY KEY (link_id, ip, time_us, event_id)
);
CREATE INDEX ip_sightings_by_time ON ip_sightings(time_us);

CREATE TABLE rollups (
  link_id          bigint NOT NULL,
  granularity      int    NOT NULL,                           -- 60, 3600, 86400
  bucket_start_us  bigint NOT NULL,
  total            bigint NOT NULL DEFAULT 0,
  unique_count     bigint NOT NULL DEFAULT 0,
  head             bigint NOT NULL DEFAULT 0,
  bots             bigint NOT NULL DEFAULT 0,
  conversions      bigint NOT NULL DEFAULT 0,
  value_micros     bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (link_id, granularity, bucket_start_us)
);
CREATE TABLE account_rollups (
  account_id       bigint NOT NULL,
  granularity      int    NOT NULL,
  bucket_start_us  bigint NOT NULL,
  total            bigint NOT NULL DEFAULT 0,
  unique_count     bigint NOT NULL DEFAULT 0,
  head             bigint NOT NULL DEFAULT 0,
  bots             bigint NOT NULL DEFAULT 0,
  conversions      bigint NOT NULL DEFAULT 0,
  value_micros     bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, granularity, bucket_start_us)
);
CREATE TABLE dim_rollups (
  bucket_start_us  bigint   NOT NULL,                         -- UTC hour
  link_id          bigint   NOT NULL,
  dim              smallint NOT NULL,                         -- Dimension 0..6
  value            text     NOT NULL,
  total            bigint   NOT NULL DEFAULT 0,
  unique_count     bigint   NOT NULL DEFAULT 0,
  bots             bigint   NOT NULL DEFAULT 0,
  conversions      bigint   NOT NULL DEFAULT 0,
  value_micros     bigint   NOT NULL DEFAULT 0,
  PRIMARY KEY (link_id, dim, bucket_start_us, value)
);
CREATE TABLE account_dim_rollups (
  account_id       bigint   NOT NULL,
  dim              smallint NOT NULL,
  granularity      int      NOT NULL,                         -- 3600, 86400
  bucket_start_us  bigint   NOT NULL,
  value            text     NOT NULL,
  total            bigint   NOT NULL DEFAULT 0,
  unique_count     bigint   NOT NULL DEFAULT 0,
  bots             bigint   NOT NULL DEFAULT 0,
  conversions      bigint   NOT NULL DEFAULT 0,
  value_micros     bigint   NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, dim, granularity, bucket_start_us, value)
);
CREATE TABLE combo_rollups (
  link_id          bigint NOT NULL,
  bucket_start_us  bigint NOT NULL,                           -- UTC hour
  country          text   NOT NULL,
  device           text   NOT NULL,
  os               text   NOT NULL,
  browser          text   NOT NULL,
  referrer_domain  text   NOT NULL,
  language         text   NOT NULL,
  destination      text   NOT NULL,
  total            bigint NOT NULL DEFAULT 0,
  unique_count     bigint NOT NULL DEFAULT 0,
  bots             bigint NOT NULL DEFAULT 0,
  conversions      bigint NOT NULL DEFAULT 0,
  value_micros     bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (link_id, bucket_start_us, country, device, os, browser, referrer_domain,
               language, destination)
);
CREATE TABLE account_combo_rollups (
  account_id       bigint NOT NULL,
  granularity      int    NOT NULL,
  bucket_start_us  bigint NOT NULL,
  country          text   NOT NULL,
  device           text   NOT NULL,
  os               text   NOT NULL,
  browser          text   NOT NULL,
  referrer_domain  text   NOT NULL,
  language         text   NOT NULL,
  total            bigint NOT NULL DEFAULT 0,
  unique_count     bigint NOT NULL DEFAULT 0,
  bots             bigint NOT NULL DEFAULT 0,
  conversions      bigint NOT NULL DEFAULT 0,
  value_micros     bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, granularity, bucket_start_us, country, device, os, browser,
               referrer_domain, language)
);

CREATE TABLE consumer_offsets (
  consumer    text   PRIMARY KEY,
  position    bigint NOT NULL,                                -- u64 stored as i64 bits
  updated_at  bigint NOT NULL
);
CREATE TABLE dead_letters (
  id          bigserial PRIMARY KEY,
  consumer    text   NOT NULL,
  position    bigint NOT NULL,
  reason      text   NOT NULL,
  payload     bytea  NOT NULL,
  created_at  bigint NOT NULL
);

-- Journal ranges [from_pos, to_pos) of each edge committed above its watermark, and the
-- watermark: every byte below committed_below is committed (ISSUE6 contract). Ranges at or
-- below the watermark are deleted as it passes them.
CREATE TABLE edge_watermarks (
  edge             text   PRIMARY KEY,
  committed_below  bigint NOT NULL,
  updated_at       bigint NOT NULL
);
CREATE TABLE edge_ranges (
  edge      text   NOT NULL,
  from_pos  bigint NOT NULL,
  to_pos    bigint NOT NULL,
  PRIMARY KEY (edge, from_pos)
);

CREATE TABLE probe (
  id     smallint PRIMARY KEY CHECK (id = 1),
  token  bytea,
  at     bigint
);

CREATE TABLE goals (
  id                    bigserial PRIMARY KEY,
  account_id            bigint    NOT NULL REFERENCES accounts(id),
  key                   text      NOT NULL UNIQUE,
  name                  text      NOT NULL,
  default_value_micros  bigint    NOT NULL,
  currency              text      NOT NULL,
  window_seconds        bigint    NOT NULL,
  counting              smallint  NOT NULL,
  attribution           smallint  NOT NULL,
  piggyback_json        text      NOT NULL DEFAULT '[]',
  created_at            bigint    NOT NULL,
  updated_at            bigint    NOT NULL,
  version               bigint    NOT NULL UNIQUE,
  deleted_at            bigint
);
CREATE INDEX goals_by_account ON goals(account_id, id);
CREATE TABLE conversions (
  event_id        bytea    PRIMARY KEY,
  account_id      bigint   NOT NULL,
  goal_id         bigint   NOT NULL,
  time_us         bigint   NOT NULL,
  link_id         bigint   NOT NULL,
  click_event_id  bytea,
  click_time_us   bigint   NOT NULL DEFAULT 0,
  value_micros    bigint   NOT NULL,
  currency        text     NOT NULL,
  order_id        text     NOT NULL,
  click_ref       text     NOT NULL,
  status          smallint NOT NULL,
  flags           smallint NOT NULL,
  ip              text     NOT NULL,
  user_agent      text     NOT NULL,
  referrer        text     NOT NULL
);
CREATE INDEX conversions_by_account_time ON conversions(account_id, time_us, event_id);
CREATE TABLE conversion_keys (
  goal_id   bigint   NOT NULL,
  kind      smallint NOT NULL,
  key       bytea    NOT NULL,
  event_id  bytea    NOT NULL,
  PRIMARY KEY (goal_id, kind, key)
);
CREATE TABLE goal_rollups (
  goal_id          bigint NOT NULL,
  granularity      int    NOT NULL,
  bucket_start_us  bigint NOT NULL,
  link_id          bigint NOT NULL,
  conversions      bigint NOT NULL DEFAULT 0,
  value_micros     bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (goal_id, granularity, bucket_start_us, link_id)
);

CREATE TABLE postbacks (
  id               bigserial PRIMARY KEY,
  account_id       bigint    NOT NULL REFERENCES accounts(id),
  name             text      NOT NULL,
  url_template     text      NOT NULL,
  method           text      NOT NULL,
  events           int       NOT NULL,
  goal_ids         text      NOT NULL DEFAULT '[]',
  attributed_only  boolean   NOT NULL,
  secret           text      NOT NULL,
  disabled_at      bigint,
  disabled_reason  text      NOT NULL DEFAULT '',
  created_at       bigint    NOT NULL,
  updated_at       bigint    NOT NULL,
  deleted_at       bigint
);
CREATE INDEX postbacks_by_account ON postbacks(account_id, id);
CREATE TABLE outbox (
  id               text     PRIMARY KEY,
  account_id       bigint   NOT NULL,
  postback_id      bigint   NOT NULL,
  event_id         bytea    NOT NULL,
  event_kind       smallint NOT NULL,
  event_time_us    bigint   NOT NULL,
  method           text     NOT NULL,
  url              text     NOT NULL,
  body             text     NOT NULL,
  state            smallint NOT NULL,                          -- DeliveryState
  attempts         int      NOT NULL DEFAULT 0,
  created_at       bigint   NOT NULL,
  next_attempt_us  bigint   NOT NULL,
  last_status      int      NOT NULL DEFAULT 0,
  last_error       text     NOT NULL DEFAULT '',
  delivered_at     bigint   NOT NULL DEFAULT 0,
  replayed_at      bigint   NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due ON outbox(next_attempt_us) WHERE state = 0;
CREATE INDEX outbox_by_account ON outbox(account_id, created_at, id);
CREATE INDEX outbox_pending_by_created ON outbox(created_at) WHERE state = 0;
CREATE INDEX outbox_dead ON outbox(created_at) WHERE state = 2;
CREATE TABLE delivery_attempts (
  id            bigserial PRIMARY KEY,
  delivery_id   text   NOT NULL,
  attempt       int    NOT NULL,
  started_at    bigint NOT NULL,
  http_status   int    NOT NULL,
  latency_us    bigint NOT NULL,
  error         text   NOT NULL
);
CREATE INDEX delivery_attempts_by_delivery ON delivery_attempts(delivery_id, id);

CREATE TABLE hits_retained (
  id        smallint PRIMARY KEY CHECK (id = 1),
  since_us  bigint   NOT NULL
);
CREATE TABLE reconciliation (
  hour           bigint NOT NULL,
  edge           text   NOT NULL,
  answered       bigint NOT NULL DEFAULT 0,
  journaled      bigint NOT NULL DEFAULT 0,
  committed      bigint NOT NULL DEFAULT 0,
  duplicates     bigint NOT NULL DEFAULT 0,
  dead_lettered  bigint NOT NULL DEFAULT 0,
  corrupted      bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (hour, edge)
);
CREATE TABLE reconciliation_runs (
  edge        text   NOT NULL,
  run         bytea  NOT NULL,
  seq         bigint NOT NULL,
  applied_at  bigint NOT NULL,
  PRIMARY KEY (edge, run)
);
CREATE TABLE reconciliation_edges (
  edge   text    PRIMARY KEY,
  as_of  bigint  NOT NULL,
  final  boolean NOT NULL
);

CREATE TABLE users (
  id             bigserial PRIMARY KEY,
  account_id     bigint    NOT NULL REFERENCES accounts(id),
  email          text      NOT NULL UNIQUE,
  role           text      NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
  password_hash  text      NOT NULL,
  created_at     bigint    NOT NULL
);
CREATE INDEX users_by_account ON users(account_id);
CREATE TABLE sessions (
  id            bigserial PRIMARY KEY,
  token_hash    text      NOT NULL UNIQUE,
  user_id       bigint    NOT NULL REFERENCES users(id),
  csrf_token    text      NOT NULL,
  created_at    bigint    NOT NULL,
  last_seen_at  bigint    NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE INDEX sessions_by_last_seen ON sessions(last_seen_at);
CREATE TABLE invitations (
  id           bigserial PRIMARY KEY,
  account_id   bigint    NOT NULL REFERENCES accounts(id),
  email        text      NOT NULL,
  role         text      NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
  token_hash   text      NOT NULL UNIQUE,
  created_at   bigint    NOT NULL,
  expires_at   bigint    NOT NULL,
  accepted_at  bigint
);
CREATE INDEX invitations_by_account ON invitations(account_id);

-- The live stream's commit counter (hits.commit_seq); not yet used by this engine.
CREATE TABLE hit_commit_seq (
  id    smallint PRIMARY KEY CHECK (id = 1),
  last  bigint   NOT NULL
);
INSERT INTO hit_commit_seq VALUES (1, 0);
)sql",
    // ---- 2: every link change (a bump of change_version, in the changing transaction) notifies
    // channel ct_link_changes at commit, so edges load it at once (pg_change_listener.h)
    // instead of at their next poll.
    R"sql(
CREATE FUNCTION ct_notify_link_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ct_link_changes', NEW.v::text);
  RETURN NEW;
END $$;
CREATE TRIGGER change_version_notify AFTER UPDATE ON change_version
  FOR EACH ROW EXECUTE FUNCTION ct_notify_link_change();
)sql",
    // ---- 3: account reports on two dimensions, destination links (SQLite v13); the live stream
    R"sql(
-- account_combo_rollups summed per PAIR of known values of two dimensions (dim_a < dim_b, the
-- six before the destination), per UTC hour (3600) and day (86400): an account report filtered
-- on two known values, or on one and broken down by another, reads one row per bucket (and
-- value) instead of every combination. Same meaning as SQLite's (store/sqlite/schema.cc v13).
CREATE TABLE account_pair_rollups (
  account_id       bigint   NOT NULL,
  dim_a            smallint NOT NULL,
  dim_b            smallint NOT NULL,
  granularity      int      NOT NULL,
  bucket_start_us  bigint   NOT NULL,
  value_a          text     NOT NULL,
  value_b          text     NOT NULL,
  total            bigint   NOT NULL DEFAULT 0,
  unique_count     bigint   NOT NULL DEFAULT 0,
  bots             bigint   NOT NULL DEFAULT 0,
  conversions      bigint   NOT NULL DEFAULT 0,
  value_micros     bigint   NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, dim_a, dim_b, granularity, bucket_start_us, value_a, value_b)
);
-- Every (account, destination, link) with combo_rollups rows: an account report filtered on a
-- destination and something else reads only these links' combo_rollups. Only grows.
CREATE TABLE account_destination_links (
  account_id   bigint NOT NULL,
  destination  text   NOT NULL,
  link_id      bigint NOT NULL,
  PRIMARY KEY (account_id, destination, link_id)
);
-- Backfill from the rollups already stored (as SQLite's v13).
INSERT INTO account_pair_rollups
  SELECT account_id, dim_a, dim_b, granularity, bucket_start_us, value_a, value_b, SUM(total),
         SUM(unique_count), SUM(bots), SUM(conversions), SUM(value_micros)
  FROM (SELECT c.*, a.n AS dim_a, b.n AS dim_b,
               (ARRAY[country, device, os, browser, referrer_domain, language])[a.n + 1] AS value_a,
               (ARRAY[country, device, os, browser, referrer_domain, language])[b.n + 1] AS value_b
        FROM account_combo_rollups c, generate_series(0, 5) a(n), generate_series(0, 5) b(n)
        WHERE a.n < b.n) v
  WHERE value_a <> '' AND value_b <> ''
  GROUP BY 1, 2, 3, 4, 5, 6, 7;
INSERT INTO account_destination_links
  SELECT DISTINCT l.account_id, c.destination, c.link_id
  FROM combo_rollups c JOIN links l ON l.id = c.link_id;

-- The live stream (Store::ListLiveHits): each new hit's commit sequence number, written by the
-- commit under the hit_commit_seq row lock. A row of its own, not hits.commit_seq: numbering
-- the hits in place would UPDATE every new hit (a second heap tuple, three index entries) while
-- holding the lock that serializes the trackers' commits; this INSERT of small rows is far
-- cheaper. Keyed for "the account's hits after N"; trimmed with the hits partitions.
CREATE TABLE hit_seqs (
  account_id  bigint NOT NULL,
  seq         bigint NOT NULL,
  time_us     bigint NOT NULL,
  event_id    bytea  NOT NULL,
  PRIMARY KEY (account_id, seq)
);
CREATE INDEX hit_seqs_by_time ON hit_seqs(time_us);
)sql",
    // ---- 4: how far in time each edge is committed (report completeness, SQLite v15)
    R"sql(
-- through_us: the edge's wall time of a tally (heartbeat) in the range; committed_through_us:
-- the newest of those among the ranges the watermark passed (store/edge_ranges.h AdvanceEdge).
ALTER TABLE edge_ranges ADD COLUMN through_us bigint NOT NULL DEFAULT 0;
ALTER TABLE edge_watermarks ADD COLUMN committed_through_us bigint NOT NULL DEFAULT 0;
)sql",
};

constexpr auto kMigrationTimeout = std::chrono::seconds(120);

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(kMigrations.size()); }

Status Migrate(PgConn* conn) {
  // Session-level: held across the per-migration transactions, released below (and by the
  // server if this process dies).
  CT_RETURN_IF_ERROR(conn->Run("SELECT pg_advisory_lock(" + std::to_string(kMigrationLock) + ")",
                               kMigrationTimeout));
  Status status = [&]() -> Status {
    CT_RETURN_IF_ERROR(conn->Run(R"sql(
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version     int    PRIMARY KEY,
        applied_at  timestamptz NOT NULL DEFAULT now()
      ))sql"));
    Result<PgResult> v = conn->Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (!v.ok()) return v.status();
    const int64_t current = v->Int(0, 0);
    if (current > LatestSchemaVersion()) {
      return Status::FailedPrecondition("database schema version " + std::to_string(current) +
                                        " is newer than this build's " +
                                        std::to_string(LatestSchemaVersion()));
    }
    for (int64_t n = current + 1; n <= LatestSchemaVersion(); ++n) {
      // One transaction per migration, with its schema_migrations row: all of it or none.
      std::string sql = "BEGIN;\n" + std::string(kMigrations[n - 1]) +
                        "\nINSERT INTO schema_migrations (version) VALUES (" + std::to_string(n) +
                        ");\nCOMMIT;";
      Status s = conn->Run(sql, kMigrationTimeout);
      if (!s.ok()) {
        if (!conn->broken() && conn->in_transaction()) (void)conn->Run("ROLLBACK");
        return s.Annotate("postgres migration " + std::to_string(n));
      }
    }
    return Status::Ok();
  }();
  Status unlock = conn->Run("SELECT pg_advisory_unlock(" + std::to_string(kMigrationLock) + ")");
  if (!status.ok()) return status;
  return unlock;
}

int64_t PartitionDay(int64_t time_us) {
  int64_t d = time_us / kPartitionDayUs;
  if (time_us % kPartitionDayUs < 0) --d;
  return d;
}

std::string PartitionName(int64_t day) {
  return day < 0 ? "hits_dm" + std::to_string(-day) : "hits_d" + std::to_string(day);
}

Status EnsurePartitions(PgConn* conn, const std::vector<int64_t>& days) {
  if (days.empty()) return Status::Ok();
  std::string sql =
      "BEGIN;\nSELECT pg_advisory_xact_lock(" + std::to_string(kPartitionLock) + ");\n";
  for (int64_t day : days) {
    sql += "CREATE TABLE IF NOT EXISTS " + PartitionName(day) +
           " PARTITION OF hits FOR VALUES FROM (" + std::to_string(day * kPartitionDayUs) +
           ") TO (" + std::to_string((day + 1) * kPartitionDayUs) + ");\n";
  }
  sql += "COMMIT;";
  return conn->Run(sql);
}

Result<std::vector<int64_t>> ListPartitions(PgConn* conn) {
  Result<PgResult> r = conn->Exec(R"sql(
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'hits'::regclass)sql");
  if (!r.ok()) return r.status();
  std::vector<int64_t> days;
  for (int i = 0; i < r->rows(); ++i) {
    std::string name = r->Str(i, 0);
    if (name.starts_with("hits_dm")) {
      days.push_back(-std::stoll(name.substr(7)));
    } else if (name.starts_with("hits_d")) {
      days.push_back(std::stoll(name.substr(6)));
    }
  }
  std::sort(days.begin(), days.end());
  return days;
}

}  // namespace ct::pg
