// `clicktrail serve`: every role in one process on the embedded engines — the edge journals to
// local segments, the tracker reads them in-process (LocalBus) and commits to SQLite, the API
// and the edge share one listener.
//
// Start order: store, journal (recovery runs here), tracker, link table, API, listener.
// Stop order on SIGTERM/SIGINT (F15): close the listener and finish in-flight requests; fsync
// the journal; let the tracker commit everything durable; stop it; close the journal.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "api/http_util.h"
#include "api/router.h"
#include "app/commands.h"
#include "app/flags.h"
#include "bus/local_bus.h"
#include "common/log.h"
#include "config/config.h"
#include "edge/edge_server.h"
#include "edge/link_syncer.h"
#include "edge/link_table.h"
#include "journal/file_env.h"
#include "journal/reader.h"
#include "journal/writer.h"
#include "monitor/metrics.h"
#include "store/sqlite/sqlite_store.h"
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

edge::Durability ParseDurability(const std::string& s) {
  if (s == "strict") return edge::Durability::kStrict;
  if (s == "none") return edge::Durability::kNone;
  return edge::Durability::kGroupCommit;
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

  const std::string data = cfg.Str("data_dir");
  std::error_code ec;
  std::filesystem::create_directories(data, ec);
  if (ec) return Fail("creating " + data, Status::IoError(ec.message()));

  MetricsRegistry metrics;
  Clock* clock = Clock::System();

  SqliteStoreOptions store_opts;
  store_opts.path = data + "/clicktrail.db";
  store_opts.busy_timeout = std::chrono::milliseconds(cfg.Int("store.busy_timeout_ms"));
  auto store = OpenSqliteStore(store_opts);
  if (!store.ok()) return Fail("opening the store", store.status());

  journal::JournalOptions jopts;
  jopts.dir = data + "/journal";
  jopts.segment_bytes = static_cast<uint64_t>(cfg.Int("journal.segment_mb")) << 20;
  jopts.commit_delay = std::chrono::microseconds(cfg.Int("journal.commit_delay_us"));
  auto writer = journal::JournalWriter::Open(jopts, journal::FileEnv::Posix(), &metrics, clock);
  if (!writer.ok()) return Fail("opening the journal", writer.status());
  journal::JournalReader reader(jopts.dir, journal::FileEnv::Posix(), &metrics);
  LocalBus bus(writer->get(), &reader);

  TrackerOptions topts;
  topts.batch_max = static_cast<size_t>(cfg.Int("tracker.batch_max"));
  Tracker tracker(topts, &bus, store->get(), &metrics, clock);
  if (Status s = tracker.Start(); !s.ok()) return Fail("starting the tracker", s);

  edge::LinkTable links;
  edge::LinkSyncer syncer(store->get(), &links, &metrics,
                          std::chrono::milliseconds(cfg.Int("edge.link_sync_ms")));
  syncer.Start();

  auto [host, port] = cfg.HostPort("listen");
  api::ApiContext ctx;
  ctx.options.public_url = cfg.Str("public_url");
  ctx.options.rate_per_second = cfg.Int("api.rate_per_second");
  ctx.options.rate_burst = cfg.Int("api.rate_burst");
  ctx.store = store->get();
  ctx.metrics = &metrics;
  ctx.clock = clock;
  ctx.ready = [&links] { return links.loaded(); };
  ctx.links_changed = [&syncer] { syncer.SyncNow(); };
  // The API is built once the listener is bound (the short-URL base needs the real port when
  // `listen` says port 0); until then API requests get a 503.
  std::atomic<api::ApiRouter*> router{nullptr};

  edge::EdgeOptions eopts;
  eopts.host = host;
  eopts.port = port;
  eopts.threads = static_cast<int>(cfg.Int("edge.threads"));
  eopts.durability = ParseDurability(cfg.Str("journal.durability"));
  eopts.header_timeout = std::chrono::seconds(cfg.Int("edge.header_timeout_s"));
  eopts.idle_timeout = std::chrono::seconds(cfg.Int("edge.idle_timeout_s"));
  eopts.api_threads = static_cast<int>(cfg.Int("api.threads"));
  eopts.max_connections = static_cast<size_t>(cfg.Int("edge.max_connections"));
  edge::EdgeServer server(
      eopts, &links, eopts.durability == edge::Durability::kNone ? nullptr : writer->get(),
      [&router](const ApiRequest& req) {
        api::ApiRouter* r = router.load(std::memory_order_acquire);
        if (r == nullptr) {
          return api::ErrorResponse(503, "unavailable", "starting up; try again");
        }
        return r->Handle(req);
      },
      &metrics, clock);
  if (Status s = server.Start(); !s.ok()) return Fail("starting the listener", s);
  if (ctx.options.public_url.empty()) {
    ctx.options.public_url = "http://" + host + ":" + std::to_string(server.port());
  }
  while (!ctx.options.public_url.empty() && ctx.options.public_url.back() == '/') {
    ctx.options.public_url.pop_back();
  }
  api::ApiRouter live_router(ctx);
  router.store(&live_router, std::memory_order_release);

  Log().Info("clicktrail serve listening on {}:{} (data {}, journal durability {})", host,
             server.port(), data, cfg.Str("journal.durability"));

  int sig = 0;
  sigwait(&stop_signals, &sig);
  Log().Info("received {}, stopping: closing the listener and draining", strsignal(sig));

  server.Stop();
  syncer.Stop();
  if (!tracker.Drain((*writer)->WrittenPosition(), kDrainTimeout)) {
    Log().Warn("tracker did not catch up with the journal in {} s; the rest is committed on the "
               "next start",
               std::chrono::duration_cast<std::chrono::seconds>(kDrainTimeout).count());
  }
  tracker.Stop();
  if (Status s = (*writer)->Close(); !s.ok()) return Fail("closing the journal", s);
  Log().Info("stopped cleanly");
  return 0;
}

}  // namespace ct::app
