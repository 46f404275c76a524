// `clicktrail edge|tracker|notifier|api --config FILE`: one role of distributed mode per
// process (docs/deployment.md), against NATS JetStream (the bus) and PostgreSQL (the store).
//
//   edge      the listener for redirects, pixels and conversion pixels; journals every event
//             locally exactly as `serve` does, and a shipper (ship/shipper.h) publishes the
//             journal to JetStream. Links come from PostgreSQL through the link syncer and are
//             kept in a local snapshot (edge/link_snapshot.h), so an edge restarted while the
//             store is down still redirects every link it knew.
//   tracker   a durable JetStream consumer shared by every tracker (tracker/bus_tracker.h):
//             decode, enrich, commit to PostgreSQL, ack after commit, publish watermarks.
//   notifier  delivers postbacks from the PostgreSQL outbox (claims are SKIP LOCKED leases, so
//             several notifiers never send one row at once).
//   api       the REST API and the dashboard; also an edge (server-to-server conversions are
//             journaled and shipped like clicks, so it needs edge.id and the bus too).
//
// Every role answers /healthz, /readyz and /metrics on its listener. A bad flag or config value
// exits 2 with one line naming it; a failure to start exits 1.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "api/edge_completeness.h"
#include "api/http_util.h"
#include "api/router.h"
#include "app/commands.h"
#include "app/distributed_options.h"
#include "app/flags.h"
#include "app/role_monitor.h"
#include "app/serve_options.h"
#include "bus/local_bus.h"
#include "common/log.h"
#include "config/config.h"
#include "edge/edge_server.h"
#include "edge/link_snapshot.h"
#include "edge/link_syncer.h"
#include "edge/link_table.h"
#include "enrich/enricher.h"
#include "journal/file_env.h"
#include "journal/lag_tracking_sink.h"
#include "journal/reader.h"
#include "journal/tally_recovery.h"
#include "journal/tally_sink.h"
#include "journal/writer.h"
#include "monitor/lag_tracker.h"
#include "monitor/metrics.h"
#include "notify/notifier.h"
#include "ship/shipped_cursor.h"
#include "ship/shipper.h"
#include "store/postgres/pg_change_listener.h"
#include "store/postgres/postgres_store.h"
#include "store/rebuilding_store.h"
#include "tracker/bus_tracker.h"

namespace ct::app {
namespace {

const Logger& Log() {
  static const Logger log("role");
  return log;
}

constexpr auto kShipDrainTimeout = std::chrono::seconds(10);

void PrintUsage(FILE* out, const char* role) {
  std::fprintf(out,
               "usage: clicktrail %s --config FILE [--data DIR] [--listen HOST:PORT] "
               "[--set KEY=VALUE]...\n"
               "  One role of distributed mode (docs/deployment.md): edge, tracker, notifier or "
               "api,\n"
               "  against NATS JetStream (nats.*) and PostgreSQL (postgres.*).\n"
               "  --config FILE       configuration file (key = value lines; required)\n"
               "  --data DIR          local state: the journal and link snapshot of edge/api\n"
               "  --listen HOST:PORT  listener (redirects on edge/api; /metrics, /healthz, "
               "/readyz on all)\n"
               "  --set KEY=VALUE     set any configuration key below\n\n"
               "configuration keys:\n%s",
               role, Config::HelpText().c_str());
}

int Fail(const std::string& what, const Status& s) {
  Log().Error("{}: {}", what, s.ToString());
  return 1;
}

int BadConfig(const char* role, const Status& s) {
  std::fprintf(stderr, "clicktrail %s: %s\n", role, s.message().c_str());
  return 2;
}

// Opens PostgreSQL (migrations applied); if it cannot be reached, a client that connects on
// first use, so a role starts during an outage and works once the server is back (the store
// client is rebuilt by the RebuildingStore after repeated failures, which applies the
// migrations then).
std::unique_ptr<Store> OpenStore(const PostgresOptions& options) {
  auto opened = OpenPostgresStore(options);
  if (opened.ok()) return std::move(opened).value();
  Log().Warn("PostgreSQL not reachable at start ({}); retrying in the background",
             opened.status().ToString());
  return std::make_unique<PostgresStore>(options);
}

// /healthz, /readyz and /metrics for the roles without the REST API; anything else is a 404
// that says which role serves it.
ApiResponse OpsResponse(const ApiRequest& req, const MetricsRegistry& metrics, bool ready,
                        const std::string& role) {
  std::string_view path = std::string_view(req.target).substr(0, req.target.find('?'));
  ApiResponse r;
  r.content_type = "text/plain";
  if (path == "/healthz") {
    r.body = "ok\n";
  } else if (path == "/readyz") {
    r.status = ready ? 200 : 503;
    r.body = ready ? "ready\n" : "not ready\n";
  } else if (path == "/metrics") {
    r.content_type = "text/plain; version=0.0.4";
    r.body = metrics.RenderPrometheus();
  } else {
    return api::ErrorResponse(404, "not_found",
                              "this is a clicktrail " + role +
                                  "; the REST API and the dashboard are served by `clicktrail "
                                  "api`");
  }
  return r;
}

// What every role shares: the parsed config, its metrics, the stop signals.
struct RoleBase {
  std::string role;
  Config cfg = Config::Defaults();
  MetricsRegistry metrics;
  Clock* clock = Clock::System();
  sigset_t stop_signals{};

  // The alarms' local state: one file per role, so roles sharing a data_dir keep theirs apart.
  std::string AlarmStateFile() const {
    const std::string data = cfg.Str("data_dir");
    std::error_code ec;
    std::filesystem::create_directories(data, ec);
    return data + "/alarms-" + role + ".json";
  }

  int WaitForStop() {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    Log().Info("{}: received {}, stopping", role, strsignal(sig));
    return sig;
  }
};

// A listener that only answers the ops endpoints (tracker, notifier).
struct OpsListener {
  edge::LinkTable empty_links;
  std::unique_ptr<edge::EdgeServer> server;

  Status Start(RoleBase& base, std::function<bool()> ready) {
    edge::EdgeOptions eopts = EdgeOptionsFrom(base.cfg);
    eopts.durability = edge::Durability::kNone;
    empty_links.set_loaded();
    server = std::make_unique<edge::EdgeServer>(
        eopts, &empty_links, nullptr,
        [&base, ready = std::move(ready)](const ApiRequest& req) {
          return OpsResponse(req, base.metrics, ready(), base.role);
        },
        &base.metrics, base.clock);
    CT_RETURN_IF_ERROR(server->Start());
    Log().Info("clicktrail {} listening on {}:{} (/metrics, /healthz, /readyz)", base.role,
               eopts.host, server->port());
    return Status::Ok();
  }
  void Stop() {
    if (server) server->Stop();
  }
};

// The hook that rebuilds a role's store client after `who` saw repeated failures.
std::function<void(int)> RebuildOnFailures(RebuildingStore* store, const char* who) {
  return [store, who](int n) {
    Log().Warn("{}: {} store failures in a row, rebuilding the store client", who, n);
    if (Status s = store->Rebuild(); !s.ok()) Log().Warn("store rebuild: {}", s.ToString());
  };
}

int RunTracker(RoleBase& base, const PostgresOptions& pg, const NatsOptions& nats) {
  const Config& cfg = base.cfg;
  RebuildingStore store(
      OpenStore(pg), [pg] { return OpenPostgresStore(pg); }, &base.metrics, base.clock);
  const enrich::EnrichSources sources = enrich::LoadEnrichSources(
      cfg.Str("enrich.geoip_db"), cfg.Str("enrich.uap_regexes"), cfg.Str("enrich.crawlers"));
  BusTrackerOptions topts;
  topts.enricher = enrich::Enricher(sources);
  topts.batch_max = static_cast<int>(cfg.Int("tracker.batch_max"));
  topts.nice = static_cast<int>(cfg.Int("tracker.nice"));
  topts.on_repeated_failures = RebuildOnFailures(&store, "tracker");
  topts.conversion_hold.max_hold = std::chrono::seconds(cfg.Int("tracker.conversion_hold_s"));
  topts.conversion_hold.stale_after = std::chrono::seconds(cfg.Int("edge.stale_after_s"));
  BusTracker tracker(topts, nats, ConsumerOptions{}, &store, &base.metrics, base.clock);
  if (Status s = tracker.Start(); !s.ok()) return Fail("starting the tracker", s);
  RoleMonitor monitor(cfg,
                      {.role = base.role,
                       .store = &store,
                       .tracker = &tracker,
                       .on_store_failures = RebuildOnFailures(&store, "store probe")},
                      &base.metrics, base.clock);
  if (Status s = monitor.Start(base.AlarmStateFile()); !s.ok()) return Fail("starting alarms", s);
  OpsListener ops;
  if (Status s = ops.Start(base, [] { return true; }); !s.ok()) {
    return Fail("starting the listener", s);
  }
  base.WaitForStop();
  ops.Stop();
  monitor.Stop();
  tracker.Stop();
  Log().Info("stopped cleanly");
  return 0;
}

int RunNotifier(RoleBase& base, const PostgresOptions& pg, const notify::NotifierOptions& nopts) {
  RebuildingStore store(
      OpenStore(pg), [pg] { return OpenPostgresStore(pg); }, &base.metrics, base.clock);
  notify::Notifier notifier(nopts, &store, &base.metrics, base.clock);
  if (Status s = notifier.Start(); !s.ok()) return Fail("starting the notifier", s);
  RoleMonitor monitor(base.cfg,
                      {.role = base.role,
                       .store = &store,
                       .notifier = &notifier,
                       .on_store_failures = RebuildOnFailures(&store, "store probe")},
                      &base.metrics, base.clock);
  if (Status s = monitor.Start(base.AlarmStateFile()); !s.ok()) return Fail("starting alarms", s);
  OpsListener ops;
  if (Status s = ops.Start(base, [] { return true; }); !s.ok()) {
    return Fail("starting the listener", s);
  }
  base.WaitForStop();
  ops.Stop();
  monitor.Stop();
  notifier.Stop();
  Log().Info("stopped cleanly");
  return 0;
}

// The edge, and the api (an edge that also serves the REST API and the dashboard).
int RunEdge(RoleBase& base, const PostgresOptions& pg, const NatsOptions& nats,
            const std::string& edge_id, const notify::NotifierOptions* api_nopts) {
  const Config& cfg = base.cfg;
  const std::string data = cfg.Str("data_dir");
  std::error_code ec;
  std::filesystem::create_directories(data, ec);
  if (ec) return Fail("creating " + data, Status::IoError(ec.message()));

  // A plain edge only reads links and must start at once even when PostgreSQL is silent (its
  // snapshot serves meanwhile): a client that connects on first use, no migrations (the other
  // roles apply them). The api writes, so it opens with migrations like them.
  std::unique_ptr<Store> first_store;
  RebuildingStore::Factory factory;
  if (api_nopts != nullptr) {
    first_store = OpenStore(pg);
    factory = [pg] { return OpenPostgresStore(pg); };
  } else {
    first_store = std::make_unique<PostgresStore>(pg);
    factory = [pg]() -> Result<std::unique_ptr<Store>> {
      return std::unique_ptr<Store>(std::make_unique<PostgresStore>(pg));
    };
  }
  RebuildingStore store(std::move(first_store), std::move(factory), &base.metrics, base.clock);

  journal::JournalOptions jopts;
  jopts.dir = data + "/journal";
  jopts.segment_bytes = static_cast<uint64_t>(cfg.Int("journal.segment_mb")) << 20;
  jopts.commit_delay = std::chrono::microseconds(cfg.Int("journal.commit_delay_us"));
  auto writer =
      journal::JournalWriter::Open(jopts, journal::FileEnv::Posix(), &base.metrics, base.clock);
  if (!writer.ok()) return Fail("opening the journal", writer.status());
  journal::JournalReader reader(jopts.dir, journal::FileEnv::Posix(), &base.metrics);
  LocalBus bus(writer->get(), &reader);
  // The pipeline lag, from this journal to the store's commit (the watermark the trackers
  // publish): what the edge's events wait for, whichever stage holds them.
  LagTracker lag(&base.metrics, base.clock);
  journal::LagTrackingSink lag_sink(writer->get(), &lag);
  // What the journal holds at start has no append time: its age counts from now, until the
  // first watermark says how much of it the store already has.
  lag.Seed((*writer)->WrittenPosition(), 0);
  auto untallied = journal::ScanUntallied(jopts.dir, journal::FileEnv::Posix());
  if (!untallied.ok()) return Fail("scanning the journal for untallied events", untallied.status());
  // A tally every second even while idle (a heartbeat, not the default 5 s): its time is how
  // far reports are complete for this edge (api/edge_completeness.h).
  journal::TallySink tally(
      &lag_sink,
      journal::TallyOptions{.edge_id = edge_id, .heartbeat = std::chrono::milliseconds(1000)},
      base.clock, &base.metrics);
  if (Status s = tally.Begin(*untallied); !s.ok()) return Fail("journaling the first tally", s);
  tally.Start();

  ShipperOptions sopts;
  sopts.edge_id = edge_id;
  sopts.cursor_path = jopts.dir + "/" + ship::kCursorFileName;
  sopts.reship_after = std::chrono::seconds(cfg.Int("edge.reship_after_s"));
  Shipper shipper(sopts, nats, &bus, &base.metrics, base.clock);
  if (Status s = shipper.Start(); !s.ok()) return Fail("starting the shipper", s);
  RoleMonitor monitor(cfg,
                      {.role = base.role,
                       // A plain edge only reads links (its snapshot covers an outage): the
                       // roles that write probe the store, so one outage pages once per role.
                       .store = api_nopts != nullptr ? &store : nullptr,
                       .writer = writer->get(),
                       .journal_dir = jopts.dir,
                       .lag = &lag,
                       .committed_below = [&shipper] { return shipper.Watermark(); },
                       .on_store_failures = RebuildOnFailures(&store, "store probe")},
                      &base.metrics, base.clock);
  if (Status s = monitor.Start(base.AlarmStateFile()); !s.ok()) return Fail("starting alarms", s);

  const enrich::EnrichSources sources = enrich::LoadEnrichSources(
      cfg.Str("enrich.geoip_db"), cfg.Str("enrich.uap_regexes"), cfg.Str("enrich.crawlers"));
  edge::LinkTable links;
  edge::LinkSnapshot snapshot(data + "/links.snapshot");
  edge::LinkSyncer syncer(&store, &links, &base.metrics,
                          std::chrono::milliseconds(cfg.Int("edge.link_sync_ms")));
  syncer.set_snapshot(&snapshot);
  syncer.Start();
  // Link changes reach the edge on PostgreSQL's notification; the poll is the safety net.
  PgChangeListener listener(
      pg, [&syncer] { syncer.SyncNow(); }, &base.metrics);
  listener.Start();

  // The api role: the REST API over the PostgreSQL store; conversions are journaled here and
  // shipped like the edge's events.
  api::ApiContext ctx;
  std::unique_ptr<api::EdgeCompleteness> completeness;
  EventIdGenerator conversion_ids;
  const bool serves_api = api_nopts != nullptr;
  std::atomic<api::ApiRouter*> router{nullptr};
  if (serves_api) {
    auto operator_accounts = ParseAccountIds(cfg.Str("api.operator_accounts"));
    if (!operator_accounts.ok()) return BadConfig(base.role.c_str(), operator_accounts.status());
    ctx.options = ApiOptionsFrom(cfg, api_nopts->ssrf, *operator_accounts);
    ctx.store = &store;
    ctx.metrics = &base.metrics;
    ctx.clock = base.clock;
    ConnectApiToLinks(&links, &syncer, &ctx);
    ctx.events = tally.refusing();
    ctx.event_ids = &conversion_ids;
    completeness = std::make_unique<api::EdgeCompleteness>(
        &store,
        api::EdgeCompletenessOptions{.stale_after =
                                         std::chrono::seconds(cfg.Int("edge.stale_after_s"))},
        base.clock, &base.metrics);
    completeness->Start();
    ctx.completeness = completeness.get();
    // This process's stages and alarms (each role alarms on what it runs: role_monitor.h).
    ctx.status = [&monitor] { return monitor.Stages(); };
    ctx.alarms = [&monitor] { return monitor.AlarmsJson(); };
  }

  edge::EdgeOptions eopts = EdgeOptionsFrom(cfg);
  eopts.geo = sources.geo;
  eopts.user_agents = sources.ua;
  edge::EdgeServer server(
      eopts, &links, eopts.durability == edge::Durability::kNone ? nullptr : &tally,
      [&](const ApiRequest& req) {
        if (serves_api) {
          api::ApiRouter* r = router.load(std::memory_order_acquire);
          if (r == nullptr) return api::ErrorResponse(503, "unavailable", "starting up; try again");
          return r->Handle(req);
        }
        return OpsResponse(req, base.metrics, links.loaded(), base.role);
      },
      &base.metrics, base.clock);
  if (Status s = server.Start(); !s.ok()) return Fail("starting the listener", s);
  std::unique_ptr<api::ApiRouter> live_router;
  if (serves_api) {
    ctx.options.public_url = BoundPublicUrl(ctx.options.public_url, eopts.host, server.port());
    live_router = std::make_unique<api::ApiRouter>(ctx);
    router.store(live_router.get(), std::memory_order_release);
  }
  Log().Info("clicktrail {} {} listening on {}:{} (data {}, bus {}, store {})", base.role, edge_id,
             eopts.host, server.port(), data, cfg.Str("nats.servers"),
             serves_api ? "postgresql, API on" : "postgresql");

  base.WaitForStop();
  server.Stop();
  listener.Stop();
  syncer.Stop();
  if (Status s = tally.Stop(); !s.ok()) Log().Warn("final tally: {}", s.ToString());
  // Publish what the journal holds before stopping; whatever is left ships on the next start.
  if (!shipper.WaitAcked((*writer)->WrittenPosition(), kShipDrainTimeout)) {
    Log().Warn(
        "the bus did not acknowledge the whole journal in {} s; the rest ships on the "
        "next start",
        std::chrono::duration_cast<std::chrono::seconds>(kShipDrainTimeout).count());
  }
  monitor.Stop();
  shipper.Stop();
  router.store(nullptr, std::memory_order_release);
  if (completeness) completeness->Stop();
  if (Status s = (*writer)->Close(); !s.ok()) return Fail("closing the journal", s);
  Log().Info("stopped cleanly");
  return 0;
}

}  // namespace

int DistributedRoleCommand(int argc, char** argv) {
  RoleBase base;
  base.role = argv[1];
  const char* role = argv[1];
  sigemptyset(&base.stop_signals);
  sigaddset(&base.stop_signals, SIGTERM);
  sigaddset(&base.stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &base.stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto flags = ParseFlags(argc, argv, 2, {"config", "data", "listen"});
  if (!flags.ok()) return BadConfig(role, flags.status());
  if (flags->help) {
    PrintUsage(stdout, role);
    return 0;
  }
  if (!flags->positional.empty()) {
    std::fprintf(stderr, "clicktrail %s: unexpected argument '%s'\n", role,
                 flags->positional[0].c_str());
    return 2;
  }
  if (!flags->Get("config")) {
    std::fprintf(stderr, "clicktrail %s: --config FILE is required (docs/deployment.md)\n", role);
    return 2;
  }
  std::vector<std::pair<std::string, std::string>> overrides = flags->sets;
  if (auto d = flags->Get("data")) overrides.emplace_back("data_dir", *d);
  if (auto l = flags->Get("listen")) overrides.emplace_back("listen", *l);
  auto config = Config::Load(flags->Get("config"), overrides);
  if (!config.ok()) return BadConfig(role, config.status());
  base.cfg = std::move(*config);

  auto pg = PostgresOptionsFrom(base.cfg);
  if (!pg.ok()) return BadConfig(role, pg.status());
  std::vector<std::string> own_hosts;
  if (std::string h = edge::HostOfUrl(base.cfg.Str("public_url")); !h.empty()) {
    own_hosts.push_back(h);
  }
  auto nopts = NotifierOptionsFrom(base.cfg, own_hosts);
  if (!nopts.ok()) return BadConfig(role, nopts.status());
  if (base.role == "notifier") return RunNotifier(base, *pg, *nopts);

  auto nats = NatsOptionsFrom(base.cfg);
  if (!nats.ok()) return BadConfig(role, nats.status());
  if (base.role == "tracker") return RunTracker(base, *pg, *nats);

  auto edge_id = RequiredEdgeId(base.cfg);
  if (!edge_id.ok()) return BadConfig(role, edge_id.status());
  return RunEdge(base, *pg, *nats, *edge_id, base.role == "api" ? &*nopts : nullptr);
}

}  // namespace ct::app
