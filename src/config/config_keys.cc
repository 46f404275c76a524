// The table of every configuration key. Adding a key here adds it to --help, the sample file
// and validation; a stage reads it through its own options struct (see main.cc).
#include "config/config.h"

namespace ct {

const std::vector<ConfigKey>& ConfigKeys() {
  // Laid out as a table, one key per entry, which reads better than clang-format's reflow.
  // clang-format off
  static const std::vector<ConfigKey> keys = {
      {"listen", ConfigType::kHostPort, "127.0.0.1:8080", 0, 0, {},
       "Address of the one HTTP listener (redirects, pixels, API, dashboard, metrics)."},
      {"data_dir", ConfigType::kString, "./data", 0, 0, {},
       "Directory of the embedded store (clicktrail.db) and the journal (journal/)."},
      {"public_url", ConfigType::kString, "", 0, 0, {},
       "Base of the short URLs the API returns, e.g. https://go.example.com. Empty: "
       "http://<listen>."},
      {"edge.threads", ConfigType::kInt, "2", 1, 64, {},
       "I/O threads of the listener, each with its own SO_REUSEPORT socket."},
      {"edge.header_timeout_s", ConfigType::kInt, "10", 1, 300, {},
       "A client that has not sent its whole header section by then is disconnected "
       "(slowloris)."},
      {"edge.idle_timeout_s", ConfigType::kInt, "60", 1, 3600, {},
       "Idle keep-alive connections are closed after this many seconds."},
      {"edge.max_connections", ConfigType::kInt, "10000", 16, 1000000, {},
       "Connections beyond this are accepted and closed at once."},
      {"edge.link_sync_ms", ConfigType::kInt, "200", 10, 1000, {},
       "How often the edge polls the store for link changes (changes reach it within this)."},
      {"edge.default_hosts", ConfigType::kString, "", 0, 0, {},
       "Hosts (comma separated, port ignored) whose requests are served from the default "
       "domain's links; a registered custom domain always serves its own. Empty: the host of "
       "public_url, localhost, 127.0.0.1 and ::1. \"*\": any host that is not a custom domain. "
       "Other hosts get 404."},
      {"edge.trusted_proxies", ConfigType::kString, "", 0, 0, {},
       "Comma-separated IPs/CIDRs of your reverse proxies. A request from one is attributed to "
       "the right-most X-Forwarded-For address that is not itself a trusted proxy. Empty: "
       "X-Forwarded-For is never believed."},
      {"edge.password_attempts_per_second", ConfigType::kInt, "2", 1, 1000, {},
       "Password guesses per protected link per second, on average. Each costs a PBKDF2 check "
       "(~0.1 s of an API thread); past the bucket a POST gets 429 with Retry-After, unchecked."},
      {"edge.password_attempts_burst", ConfigType::kInt, "10", 1, 10000, {},
       "Password guesses per protected link allowed at once before the per-second rate applies."},
      {"tracking.visitor_cookie", ConfigType::kBool, "true", 0, 0, {},
       "Set a first-party visitor cookie (ct_vid, one year) on redirects, for unique counts "
       "that survive IP changes. false: uniques by IP and User-Agent."},
      {"tracking.anonymize_ip", ConfigType::kBool, "false", 0, 0, {},
       "Store client addresses anonymised (last IPv4 octet, all but 48 bits of IPv6 zeroed). "
       "The country is looked up before."},
      {"tracking.click_cookie", ConfigType::kBool, "true", 0, 0, {},
       "Set the ct_cid cookie (the last click's id) on every redirect, so the conversion pixel "
       "GET /c/{goal} attributes a conversion without a click_id parameter."},
      {"tracking.click_cookie_days", ConfigType::kInt, "90", 1, 3650, {},
       "Lifetime of the ct_cid cookie; keep it at least as long as your goals' attribution "
       "windows."},
      {"postbacks.enabled", ConfigType::kBool, "true", 0, 0, {},
       "Run the notifier that delivers postbacks and server-side piggyback pixels from the "
       "outbox. false: deliveries are still written (in the commit of their event) and wait."},
      {"postbacks.allow_addresses", ConfigType::kString, "", 0, 0, {},
       "Comma-separated IPs/CIDRs that postback and piggyback targets may use although they are "
       "loopback, private, link-local or otherwise refused (SSRF guard). Empty: none."},
      {"postbacks.allowed_ports", ConfigType::kString, "80,443,8080,8443", 0, 0, {},
       "Comma-separated ports postback targets may use. \"*\": any port."},
      {"postbacks.timeout_ms", ConfigType::kInt, "15000", 100, 120000, {},
       "Longest a postback attempt may take (connect, send, answer); then it is a failure."},
      {"postbacks.connect_timeout_ms", ConfigType::kInt, "5000", 100, 60000, {},
       "Longest a postback attempt may wait for its TCP/TLS connection."},
      {"postbacks.retry_schedule", ConfigType::kString, "5s,5m,30m,2h,5h,10h,14h,20h,20h", 0, 0, {},
       "Waits before the 2nd, 3rd, ... attempt of a failed delivery (units s, m, h, d), each "
       "scaled by the jitter. After the last, the delivery is dead-lettered (replay it through "
       "the API)."},
      {"postbacks.jitter_percent", ConfigType::kInt, "20", 0, 100, {},
       "Each retry wait is scaled by a random factor within this many percent either way."},
      {"postbacks.max_in_flight", ConfigType::kInt, "256", 1, 100000, {},
       "Postback requests in flight at once, in total."},
      {"postbacks.per_endpoint", ConfigType::kInt, "8", 1, 10000, {},
       "Postback requests in flight at once to one postback endpoint (a slow receiver holds "
       "only these)."},
      {"postbacks.per_account", ConfigType::kInt, "32", 1, 100000, {},
       "Postback requests in flight at once for one account."},
      {"alarm.postback_backlog_s", ConfigType::kInt, "300", 1, 604800, {},
       "postback_backlog fires when the oldest undelivered postback is older than this."},
      {"alarm.postback_endpoint_failures", ConfigType::kInt, "10", 1, 100000, {},
       "postback_endpoint_failing fires after this many failed attempts in a row at one "
       "endpoint."},
      {"api.threads", ConfigType::kInt, "2", 1, 64, {},
       "Worker threads for API requests (they may wait on the store; redirects never do)."},
      {"api.rate_per_second", ConfigType::kInt, "50", 0, 1000000, {},
       "API requests per second allowed per API key, on average (0: unlimited); over it, 429 "
       "with Retry-After."},
      {"api.rate_burst", ConfigType::kInt, "100", 1, 1000000, {},
       "API requests an API key may make at once before the per-second rate applies."},
      {"api.max_streams", ConfigType::kInt, "100", 1, 100000, {},
       "Live click streams (GET /api/v1/live, server-sent events) open at once; over it, 503. "
       "Each polls the store 4 times a second."},
      {"links.blocked_hosts", ConfigType::kString, "", 0, 0, {},
       "Comma-separated host names: a link destination (or rotation, rule or fallback URL) on "
       "one of them, or on a subdomain of one, is refused with 400 destination_blocked."},
      {"alarm.tick_ms", ConfigType::kInt, "1000", 100, 60000, {},
       "How often alarm rules are evaluated."},
      {"alarm.repeat_minutes", ConfigType::kInt, "30", 0, 10080, {},
       "A firing alarm is sent again this often while it lasts (0: only once)."},
      {"alarm.instance", ConfigType::kString, "", 0, 0, {},
       "Name of this server in alarm messages. Empty: the host name."},
      {"alarm.pipeline_lag_s", ConfigType::kInt, "10", 1, 86400, {},
       "pipeline_lag fires when the oldest uncommitted click is older than this..."},
      {"alarm.pipeline_lag_for_s", ConfigType::kInt, "5", 0, 3600, {},
       "...for this long; it resolves once the lag is under half the limit for as long."},
      {"alarm.store_failures", ConfigType::kInt, "3", 1, 1000, {},
       "store_unreachable fires after this many failed store probes in a row "
       "(see monitor.probe_interval_ms)."},
      {"alarm.disk_used_percent", ConfigType::kInt, "90", 1, 100, {},
       "disk_free_low fires when the journal's filesystem is fuller than this."},
      {"alarm.webhook.url", ConfigType::kString, "", 0, 0, {},
       "Webhook channel: alarms POSTed as JSON, signed like postbacks (Standard Webhooks). "
       "Empty: off."},
      {"alarm.webhook.secret", ConfigType::kString, "", 0, 0, {},
       "Webhook signing secret (whsec_<base64>, or any string of at least 24 bytes)."},
      {"alarm.email.url", ConfigType::kString, "", 0, 0, {},
       "Email channel: smtp://host:port or smtps://host:port. Empty: off."},
      {"alarm.email.starttls", ConfigType::kEnum, "try", 0, 0, {"none", "try", "require"},
       "STARTTLS on smtp:// URLs."},
      {"alarm.email.username", ConfigType::kString, "", 0, 0, {}, "SMTP AUTH user (empty: none)."},
      {"alarm.email.password", ConfigType::kString, "", 0, 0, {}, "SMTP AUTH password."},
      {"alarm.email.from", ConfigType::kString, "", 0, 0, {}, "Sender address of alarm email."},
      {"alarm.email.to", ConfigType::kString, "", 0, 0, {},
       "Recipients of alarm email, comma-separated."},
      {"alarm.sms.url", ConfigType::kString, "", 0, 0, {},
       "SMS channel: a Twilio-style gateway URL taking a form POST of To, From, Body. Empty: off."},
      {"alarm.sms.username", ConfigType::kString, "", 0, 0, {}, "SMS gateway basic-auth user."},
      {"alarm.sms.password", ConfigType::kString, "", 0, 0, {}, "SMS gateway basic-auth password."},
      {"alarm.sms.from", ConfigType::kString, "", 0, 0, {}, "SMS sender number (E.164)."},
      {"alarm.sms.to", ConfigType::kString, "", 0, 0, {}, "SMS recipient number (E.164)."},
      {"alarm.pipeline_lag.channels", ConfigType::kString, "", 0, 0, {},
       "Channels (webhook,email,sms) for the pipeline_lag alarm. Empty: every configured channel."},
      {"alarm.store_unreachable.channels", ConfigType::kString, "", 0, 0, {},
       "Channels (webhook,email,sms) for the store_unreachable alarm. Empty: every configured channel."},
      {"alarm.journal_failed.channels", ConfigType::kString, "", 0, 0, {},
       "Channels (webhook,email,sms) for the journal_failed alarm. Empty: every configured channel."},
      {"alarm.journal_fsync_error.channels", ConfigType::kString, "", 0, 0, {},
       "Channels (webhook,email,sms) for the journal_fsync_error alarm. Empty: every configured channel."},
      {"alarm.journal_corruption.channels", ConfigType::kString, "", 0, 0, {},
       "Channels (webhook,email,sms) for the journal_corruption alarm. Empty: every configured channel."},
      {"alarm.disk_free_low.channels", ConfigType::kString, "", 0, 0, {},
       "Channels (webhook,email,sms) for the disk_free_low alarm. Empty: every configured channel."},
      {"alarm.clicks_unrecorded.channels", ConfigType::kString, "", 0, 0, {},
       "Channels (webhook,email,sms) for the clicks_unrecorded alarm. Empty: every configured channel."},
      {"alarm.postback_backlog.channels", ConfigType::kString, "", 0, 0, {},
       "Channels (webhook,email,sms) for the postback_backlog alarm. Empty: every configured channel."},
      {"alarm.postback_endpoint_failing.channels", ConfigType::kString, "", 0, 0, {},
       "Channels (webhook,email,sms) for the postback_endpoint_failing alarm. Empty: every configured channel."},
      {"alarm.postback_dead_letters.channels", ConfigType::kString, "", 0, 0, {},
       "Channels (webhook,email,sms) for the postback_dead_letters alarm. Empty: every configured channel."},
      {"alarm.postback_disabled.channels", ConfigType::kString, "", 0, 0, {},
       "Channels (webhook,email,sms) for the postback_disabled alarm. Empty: every configured channel."},
      {"journal.durability", ConfigType::kEnum, "group", 0, 0, {"group", "strict", "none"},
       "group: a click is written to the journal before its 302 and fsynced within "
       "journal.commit_delay_us (kill -9 loses nothing; power loss at most that window). "
       "strict: the 302 waits for the fsync. none: clicks are NOT recorded (benchmarks only)."},
      {"journal.commit_delay_us", ConfigType::kInt, "2000", 100, 1000000, {},
       "Group commit: the longest a written click waits for its fsync, in microseconds."},
      {"journal.segment_mb", ConfigType::kInt, "64", 1, 4096, {},
       "Size of a journal segment file; consumed segments are deleted whole."},
      {"tracker.nice", ConfigType::kInt, "10", 0, 19, {},
       "Nice value of the tracker thread: when it competes with the edge for a core, redirects "
       "win and the journal absorbs the backlog (0: equal priority)."},
      {"tracker.batch_max", ConfigType::kInt, "20000", 1, 1000000, {},
       "Most events the tracker applies in one store transaction (larger: faster catch-up, "
       "longer write locks)."},
      {"tracker.conversion_hold_s", ConfigType::kInt, "20", 0, 3600, {},
       "Distributed mode: a conversion naming a click that another edge may not have "
       "committed yet (the click is newer than the edges' committed heartbeats) waits up to "
       "this long for it, so it is attributed; then it is committed anyway. Keep it below "
       "edge.reship_after_s (the waiting conversion holds its journal's watermark). 0: never."},
      {"enrich.geoip_db", ConfigType::kString, "", 0, 0, {},
       "Country database (MaxMind mmdb: country_code or country.iso_code records). Empty: the "
       "pinned GeoLite2 copy of ip-location-db in third_party/npm. Missing: hits get no country."},
      {"enrich.uap_regexes", ConfigType::kString, "", 0, 0, {},
       "ua-parser's regexes.yaml for device, os and browser. Empty: the pinned uap-core in "
       "third_party/npm. Missing: hits get none of the three."},
      {"enrich.crawlers", ConfigType::kString, "", 0, 0, {},
       "crawler-user-agents.json, the list of bot User-Agents. Empty: the pinned copy in "
       "third_party/npm. Missing: only HEAD, prefetch and an empty User-Agent count as bots."},
      {"tracker.hits_retention_days", ConfigType::kInt, "0", 0, 36500, {},
       "Days raw hits (the click stream, /hits, and filtered reports) are kept; older ones are "
       "deleted in small batches every 10 minutes. Rollups, and so every unfiltered report, "
       "are kept forever. 0: keep raw hits forever."},
      {"tracker.hits_export_dir", ConfigType::kString, "", 0, 0, {},
       "Directory where raw hits are exported before the retention deletes them: one "
       "gzip-compressed NDJSON file per UTC day (hits-YYYY-MM-DD.ndjson.gz), written and "
       "fsynced before any of its hits is deleted. With it, only whole UTC days older than "
       "tracker.hits_retention_days expire. Empty: no export (hits are deleted)."},
      {"store.busy_timeout_ms", ConfigType::kInt, "5000", 0, 600000, {},
       "How long a store call waits for a lock held by another connection or process."},
      {"monitor.probe_interval_ms", ConfigType::kInt, "5000", 100, 600000, {},
       "How often the store is probed with a write-and-read round trip."},
      {"monitor.probe_timeout_ms", ConfigType::kInt, "2000", 50, 60000, {},
       "A store probe that has not answered by then counts as failed (also the probe's wait "
       "for a lock held elsewhere)."},
      {"monitor.rebuild_after_failures", ConfigType::kInt, "3", 1, 1000, {},
       "Consecutive failed store probes after which the store client is torn down and "
       "reopened (and again at every further multiple; at most once per 10 s)."},
      {"edge.id", ConfigType::kString, "", 0, 0, {},
       "Name of this edge in the reconciliation report (1-64 of A-Z a-z 0-9 . _ -). Empty: the "
       "host name (\"local\" if it is not a valid id). Keep it stable across restarts."},
      {"edge.stale_after_s", ConfigType::kInt, "600", 10, 30 * 86400, {},
       "Distributed mode (api and trackers): reports are complete (complete_until), and a "
       "conversion's click is looked for, only up to what every edge has committed; an edge "
       "whose watermark has not moved for this long while others did (a decommissioned or "
       "lost edge) is no longer waited for, and is logged."},
      {"api.operator_accounts", ConfigType::kString, "1", 0, 0, {},
       "Comma-separated account ids whose API keys have operator scope: the system-wide "
       "GET /api/v1/reconciliation. Default 1: the first account created. Empty: none."},
      {"ui.secure_cookie", ConfigType::kBool, "true", 0, 0, {},
       "The dashboard's session cookie carries Secure (browsers accept it on http://localhost "
       "and 127.0.0.1 too). false only to sign in over plain HTTP on another host."},
      {"ui.session_ttl_hours", ConfigType::kInt, "168", 1, 8760, {},
       "A dashboard session unused for this many hours ends (the expiry slides with use)."},
      {"nats.servers", ConfigType::kString, "", 0, 0, {},
       "Distributed mode: the NATS JetStream servers, comma separated nats://host:port."},
      {"nats.stream", ConfigType::kString, "CT_EVENTS", 0, 0, {},
       "Distributed mode: the JetStream stream of the events (subjects ct.events.<edge.id>); "
       "created at start if missing, checked if present."},
      {"nats.replicas", ConfigType::kInt, "3", 1, 5, {},
       "Distributed mode: replicas of the stream (3 on a 3-node cluster: one node may fail)."},
      {"nats.duplicate_window_s", ConfigType::kInt, "120", 1, 86400, {},
       "Distributed mode: JetStream's dedup window on Nats-Msg-Id. Only an optimisation: the "
       "store dedups on event ids whatever the window, so an outage longer than it loses "
       "nothing and counts nothing twice."},
      {"edge.reship_after_s", ConfigType::kInt, "30", 1, 86400, {},
       "Distributed mode: when the committed watermark has not moved for this long while the "
       "edge has shipped past it, the bus lost data: the edge re-ships from the watermark "
       "(the store's event-id dedup makes it harmless)."},
      {"postgres.url", ConfigType::kString, "", 0, 0, {},
       "Distributed mode: the PostgreSQL store, a libpq connection string or URI "
       "(postgresql://user@host:5432/clicktrail). Required by edge, tracker, notifier and api."},
      {"postgres.pool_size", ConfigType::kInt, "8", 1, 256, {},
       "Distributed mode: connections to PostgreSQL per process."},
      {"postgres.statement_timeout_ms", ConfigType::kInt, "10000", 100, 600000, {},
       "Distributed mode: a statement that has not answered by then fails (and its connection "
       "is rebuilt): a paused or silent server never hangs a caller."},
      {"postgres.tcp_user_timeout_ms", ConfigType::kInt, "10000", 1000, 600000, {},
       "Distributed mode: unacknowledged data on a PostgreSQL connection for this long breaks "
       "it (with TCP keepalives: a server whose packets are dropped is noticed)."},
      {"postgres.connect_timeout_s", ConfigType::kInt, "5", 1, 300, {},
       "Distributed mode: a connection attempt to PostgreSQL that has not completed by then "
       "fails."},
  };
  // clang-format on
  return keys;
}

}  // namespace ct
