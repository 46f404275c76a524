// `clicktrail serve`: every role in one process on the embedded engines — the edge journals to
// local segments, the tracker reads them in-process (LocalBus) and commits to SQLite, the API
// and the edge share one listener.
//
// Start order: store (behind a RebuildingStore), journal (recovery runs here, then the tally
// recovery: journal/tally_recovery.h), enrichment data, notifier, tracker, store prober, link
// table, API, listener.
// Stop order on SIGTERM/SIGINT (F15): close the listener and finish in-flight requests; fsync
// the journal; let the tracker commit everything durable; stop it; stop the notifier (attempts
// in flight get a grace period; the rest keep their outbox rows and go out on the next start);
// stop the prober; close the journal. The store is destroyed last (declared first).
//
// Monitoring (DESIGN.md promise 4): the edge appends through a LagTrackingSink and the tracker
// reports its commits, so `lag` knows the age of the oldest uncommitted click; `prober` probes
// the store with a deadline; both the prober and the tracker rebuild the store client after
// repeated failures. Every figure has a getter on these objects (for the alarm engine), a
// metric, and a row in GET /api/v1/status.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "api/destination.h"
#include "api/http_util.h"
#include "api/router.h"
#include "app/alarm_setup.h"
#include "app/commands.h"
#include "app/flags.h"
#include "app/serve_options.h"
#include "bus/local_bus.h"
#include "common/log.h"
#include "common/time_format.h"
#include "config/config.h"
#include "edge/edge_server.h"
#include "edge/link_syncer.h"
#include "edge/link_table.h"
#include "enrich/enricher.h"
#include "journal/file_env.h"
#include "journal/first_event_time.h"
#include "journal/lag_tracking_sink.h"
#include "journal/reader.h"
#include "journal/tally_recovery.h"
#include "journal/tally_sink.h"
#include "journal/writer.h"
#include "monitor/disk_usage.h"
#include "monitor/health.h"
#include "monitor/journal_completeness.h"
#include "monitor/lag_tracker.h"
#include "monitor/metrics.h"
#include "monitor/store_prober.h"
#include "notify/notifier.h"
#include "postback/ssrf.h"
#include "store/rebuilding_store.h"
#include "store/sqlite/sqlite_store.h"
#include "tracker/hit_retention.h"
#include "tracker/tracker.h"

namespace ct::app {
namespace {

const Logger& Log() {
  static const Logger log("serve");
  return log;
}

// How long a clean stop waits for the tracker to commit what the journal holds; past it, the
// rest is committed on the next start (nothing is lost either way: it is in the journal).
constexpr auto kDrainTimeout = std::chrono::seconds(20);

void PrintUsage(FILE* out) {
  std::fprintf(out,
               "usage: clicktrail serve [--config FILE] [--data DIR] [--listen HOST:PORT] "
               "[--set KEY=VALUE]...\n"
               "  Runs every role in one process on the embedded store (SQLite) and journal.\n"
               "  --config FILE       configuration file (key = value lines)\n"
               "  --data DIR          data directory (default ./data; key data_dir)\n"
               "  --listen HOST:PORT  listener (default 127.0.0.1:8080; port 0 = any; key listen)\n"
               "  --set KEY=VALUE     set any configuration key below\n\n"
               "configuration keys:\n%s",
               Config::HelpText().c_str());
}

int Fail(const std::string& what, const Status& s) {
  Log().Error("{}: {}", what, s.ToString());
  return 1;
}

}  // namespace

int ServeCommand(int argc, char** argv) {
  // Block the stop signals before any thread starts, so only sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto flags = ParseFlags(argc, argv, 2, {"config", "data", "listen"});
  if (!flags.ok()) {
    std::fprintf(stderr, "clicktrail serve: %s\n", flags.status().message().c_str());
    return 2;
  }
  if (flags->help) {
    PrintUsage(stdout);
    return 0;
  }
  if (!flags->positional.empty()) {
    std::fprintf(stderr, "clicktrail serve: unexpected argument '%s'\n",
                 flags->positional[0].c_str());
    return 2;
  }
  std::vector<std::pair<std::string, std::string>> overrides = flags->sets;
  if (auto d = flags->Get("data")) overrides.emplace_back("data_dir", *d);
  if (auto l = flags->Get("listen")) overrides.emplace_back("listen", *l);
  auto config = Config::Load(flags->Get("config"), overrides);
  if (!config.ok()) {
    std::fprintf(stderr, "clicktrail serve: %s\n", config.status().message().c_str());
    return 2;
  }
  const Config& cfg = *config;
  if (Status s = ValidateAlarmConfig(cfg); !s.ok()) {
    std::fprintf(stderr, "clicktrail serve: %s\n", s.message().c_str());
    return 2;
  }
  // Our own public host is never a postback target (a loop through the edge).
  std::vector<std::string> own_hosts;
  if (std::string h = edge::HostOfUrl(cfg.Str("public_url")); !h.empty()) own_hosts.push_back(h);
  auto nopts = NotifierOptionsFrom(cfg, own_hosts);
  if (!nopts.ok()) {
    std::fprintf(stderr, "clicktrail serve: %s\n", nopts.status().message().c_str());
    return 2;
  }

  auto edge_id = EdgeId(cfg);
  auto operator_accounts = ParseAccountIds(cfg.Str("api.operator_accounts"));
  for (const Status& s : {edge_id.status(), operator_accounts.status()}) {
    if (!s.ok()) {
      std::fprintf(stderr, "clicktrail serve: %s\n", s.message().c_str());
      return 2;
    }
  }

  const std::string data = cfg.Str("data_dir");
  std::error_code ec;
  std::filesystem::create_directories(data, ec);
  if (ec) return Fail("creating " + data, Status::IoError(ec.message()));

  MetricsRegistry metrics;
  Clock* clock = Clock::System();

  SqliteStoreOptions store_opts;
  store_opts.path = data + "/clicktrail.db";
  store_opts.busy_timeout = std::chrono::milliseconds(cfg.Int("store.busy_timeout_ms"));
  store_opts.probe_timeout = std::chrono::milliseconds(cfg.Int("monitor.probe_timeout_ms"));
  auto opened = OpenSqliteStore(store_opts);
  if (!opened.ok()) return Fail("opening the store", opened.status());
  // One store client shared by the tracker, the API and the link syncer, torn down and reopened
  // when it keeps failing (a client is not trusted forever: DESIGN.md promise 4).
  RebuildingStore store(
      std::move(opened).value(), [store_opts] { return OpenSqliteStore(store_opts); }, &metrics,
      clock);
  auto rebuild_store = [&store](const char* who, int failures) {
    Log().Warn("{}: {} store failures in a row, rebuilding the store client", who, failures);
    if (Status s = store.Rebuild(); !s.ok()) Log().Warn("store rebuild: {}", s.ToString());
  };
  LagTracker lag(&metrics, clock);

  journal::JournalOptions jopts;
  jopts.dir = data + "/journal";
  jopts.segment_bytes = static_cast<uint64_t>(cfg.Int("journal.segment_mb")) << 20;
  jopts.commit_delay = std::chrono::microseconds(cfg.Int("journal.commit_delay_us"));
  auto writer = journal::JournalWriter::Open(jopts, journal::FileEnv::Posix(), &metrics, clock);
  if (!writer.ok()) return Fail("opening the journal", writer.status());
  journal::JournalReader reader(jopts.dir, journal::FileEnv::Posix(), &metrics);
  LocalBus bus(writer->get(), &reader);
  journal::LagTrackingSink lag_sink(writer->get(), &lag);
  // Reconciliation: every record the edge and the API journal is counted per hour and the
  // counts are journaled as tallies. What a kill -9 left untallied is counted now, before the
  // tracker starts (it may release segments) and before anything new is appended.
  auto untallied = journal::ScanUntallied(jopts.dir, journal::FileEnv::Posix());
  if (!untallied.ok()) return Fail("scanning the journal for untallied events", untallied.status());
  journal::TallySink tally(&lag_sink, journal::TallyOptions{.edge_id = *edge_id}, clock, &metrics);
  if (Status s = tally.Begin(*untallied); !s.ok()) return Fail("journaling the first tally", s);
  tally.Start();
  DiskUsage journal_disk(jopts.dir, &metrics, "clicktrail_journal_disk_used_percent",
                         "Percent of the journal's filesystem in use (as df counts it).");

  // Enrichment data, loaded once: each source that cannot be loaded is logged and left out
  // (its dimensions stay ""), never a reason not to serve. The sources are shared read-only,
  // so the edge can look up the same GeoDb / UserAgentParser for targeting.
  const enrich::EnrichSources enrich_sources = enrich::LoadEnrichSources(
      cfg.Str("enrich.geoip_db"), cfg.Str("enrich.uap_regexes"), cfg.Str("enrich.crawlers"));

  // Postbacks: the tracker writes outbox rows in its commits and wakes the notifier, which
  // delivers them (DESIGN promise 3).
  const bool postbacks_enabled = cfg.Bool("postbacks.enabled");
  notify::Notifier notifier(*nopts, &store, &metrics, clock);
  if (postbacks_enabled) {
    if (Status s = notifier.Start(); !s.ok()) return Fail("starting the notifier", s);
  } else {
    Log().Warn("postbacks.enabled is false: postbacks are written to the outbox but not sent");
  }

  TrackerOptions topts;
  topts.enricher = enrich::Enricher(enrich_sources);
  topts.batch_max = static_cast<size_t>(cfg.Int("tracker.batch_max"));
  topts.edge_id = *edge_id;
  topts.nice = static_cast<int>(cfg.Int("tracker.nice"));
  topts.on_commit = [&lag](uint64_t position, int64_t) { lag.OnCommitted(position); };
  topts.on_repeated_failures = [&rebuild_store](int n) { rebuild_store("tracker", n); };
  topts.on_deliveries = [&notifier](uint64_t) { notifier.Wake(); };
  Tracker tracker(topts, &bus, &store, &metrics, clock);
  if (Status s = tracker.Start(); !s.ok()) return Fail("starting the tracker", s);
  // What the journal held before this start has no append time: its age counts from now. Its
  // event times are bounded by its first record's (journal/first_event_time.h); unknown: 0.
  const uint64_t backlog_from = tracker.CommittedPosition();
  const std::optional<int64_t> backlog_first = journal::FirstEventTime(
      jopts.dir, journal::FileEnv::Posix(), backlog_from, (*writer)->WrittenPosition());
  const int64_t backlog_floor =
      backlog_first ? *backlog_first - std::chrono::duration_cast<std::chrono::microseconds>(
                                           JournalCompleteness::kInFlight)
                                           .count()
                    : 0;
  lag.Seed((*writer)->WrittenPosition(), backlog_from, backlog_floor);

  HitRetentionOptions ropts;
  ropts.retention_days = cfg.Int("tracker.hits_retention_days");
  ropts.export_dir = cfg.Str("tracker.hits_export_dir");
  HitRetention retention(ropts, &store, clock);
  retention.Start();

  StoreProberOptions popts;
  popts.interval = std::chrono::milliseconds(cfg.Int("monitor.probe_interval_ms"));
  popts.timeout = std::chrono::milliseconds(cfg.Int("monitor.probe_timeout_ms"));
  popts.rebuild_after = static_cast<int>(cfg.Int("monitor.rebuild_after_failures"));
  popts.on_repeated_failures = [&rebuild_store](int n) { rebuild_store("store probe", n); };
  // The lag's age and the disk grow with time alone: refresh their gauges every interval.
  popts.on_tick = [&lag, &journal_disk] {
    lag.Refresh();
    (void)journal_disk.UsedPercent();
  };
  StoreProber prober(
      popts, [&store] { return store.Probe(); }, &metrics);
  prober.Start();

  HealthReport health(clock);
  auto health_figures = [&] {
    HealthFigures f;
    f.clicks_unrecorded = CounterValue(metrics, "clicktrail_edge_clicks_unrecorded_total");
    f.journal_failed = !(*writer)->health().ok();
    f.journal_disk_used_percent = journal_disk.UsedPercent();
    f.journal_corruption = CounterValue(metrics, "clicktrail_journal_corrupt_bytes_total") +
                           CounterValue(metrics, "clicktrail_journal_quarantined_segments_total");
    f.journal_fsync_errors = CounterValue(metrics, "clicktrail_journal_fsync_errors_total");
    f.journal_backlog_bytes = lag.BacklogBytes();
    f.tracker_lag_seconds = lag.OldestUnconsumedAgeSeconds();
    f.tracker_commit_failures = tracker.ConsecutiveCommitFailures();
    f.tracker_events_per_second = tracker.EventsPerSecond();
    f.store_probe_failures = prober.ConsecutiveFailures();
    f.store_probe_latency_seconds = prober.LastLatencySeconds();
    f.store_probe_error = prober.LastError();
    f.notifier_running = postbacks_enabled;
    f.outbox_pending = notifier.PendingDeliveries();
    f.outbox_oldest_age_seconds = notifier.OldestPendingAgeSeconds();
    f.outbox_dead = notifier.DeadDeliveries();
    f.postbacks_disabled = notifier.DisabledPostbacks();
    f.postback_endpoint_failures = notifier.MaxConsecutiveEndpointFailures();
    return f;
  };

  // Alarms read the same in-process figures as the status page and keep their state in a
  // local file: they must not depend on the store or the bus they watch.
  auto alarms = BuildAlarmEngine(cfg, health_figures, data + "/alarms.json", &metrics, clock);
  if (!alarms.ok()) return Fail("configuring alarms", alarms.status());
  if (Status s = (*alarms)->Start(); !s.ok()) return Fail("starting alarms", s);

  // complete_until of every report: what the lag tracker still holds back (embedded mode).
  JournalCompleteness completeness(
      &lag, clock, [&health, &health_figures] { return health.Evaluate(health_figures()); });

  edge::LinkTable links;
  edge::LinkSyncer syncer(&store, &links, &metrics,
                          std::chrono::milliseconds(cfg.Int("edge.link_sync_ms")));
  syncer.Start();

  api::ApiContext ctx;
  // Server-to-server conversions are journaled like the edge's events (answered without
  // waiting on the store), and validated against the edge's in-memory goals.
  ctx.options = ApiOptionsFrom(cfg, nopts->ssrf, *operator_accounts);
  ctx.store = &store;
  ctx.metrics = &metrics;
  ctx.clock = clock;
  ConnectApiToLinks(&links, &syncer, &ctx);
  ctx.status = [&health, &health_figures] { return health.Evaluate(health_figures()); };
  ctx.completeness = &completeness;
  ctx.alarms = [&alarms] { return AlarmsJson((*alarms)->Snapshot()); };
  EventIdGenerator conversion_ids;
  ctx.events = tally.refusing();  // a failed append is a 503: nothing was answered
  ctx.event_ids = &conversion_ids;
  // The API is built once the listener is bound (the short-URL base needs the real port when
  // `listen` says port 0); until then API requests get a 503.
  std::atomic<api::ApiRouter*> router{nullptr};

  edge::EdgeOptions eopts = EdgeOptionsFrom(cfg);
  // The same GeoDb and User-Agent parser as the tracker's (either may be null: rules on country
  // or device/os then never match).
  eopts.geo = enrich_sources.geo;
  eopts.user_agents = enrich_sources.ua;
  edge::EdgeServer server(
      eopts, &links, eopts.durability == edge::Durability::kNone ? nullptr : &tally,
      [&router](const ApiRequest& req) {
        api::ApiRouter* r = router.load(std::memory_order_acquire);
        if (r == nullptr) {
          return api::ErrorResponse(503, "unavailable", "starting up; try again");
        }
        return r->Handle(req);
      },
      &metrics, clock);
  if (Status s = server.Start(); !s.ok()) return Fail("starting the listener", s);
  ctx.options.public_url = BoundPublicUrl(ctx.options.public_url, eopts.host, server.port());
  api::ApiRouter live_router(ctx);
  router.store(&live_router, std::memory_order_release);

  Log().Info("clicktrail serve listening on {}:{} (data {}, journal durability {})", eopts.host,
             server.port(), data, cfg.Str("journal.durability"));

  int sig = 0;
  sigwait(&stop_signals, &sig);
  Log().Info("received {}, stopping: closing the listener and draining", strsignal(sig));

  server.Stop();
  syncer.Stop();
  // The final tally, after the last record of this run and before the tracker drains, so the
  // report sees this run's hours closed.
  if (Status s = tally.Stop(); !s.ok()) Log().Warn("final tally: {}", s.ToString());
  if (!tracker.Drain((*writer)->WrittenPosition(), kDrainTimeout)) {
    Log().Warn(
        "tracker did not catch up with the journal in {} s; the rest is committed on the "
        "next start",
        std::chrono::duration_cast<std::chrono::seconds>(kDrainTimeout).count());
  }
  tracker.Stop();
  notifier.Stop();
  retention.Stop();
  prober.Stop();
  if (Status s = (*writer)->Close(); !s.ok()) return Fail("closing the journal", s);
  (*alarms)->Stop();  // last: it watched everything above until it stopped
  Log().Info("stopped cleanly");
  return 0;
}

}  // namespace ct::app
