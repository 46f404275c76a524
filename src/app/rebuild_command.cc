// `clicktrail rebuild --from TIME --to TIME [--link ID] [--restart] [--config FILE | --data DIR]`:
// recomputes the rollups of a range from the raw hits (store/sqlite/rebuilder.h), with the
// enrichment rules of the configuration, while `serve` keeps running on the same file.
// SIGINT/SIGTERM stop it after the slice in progress; the same command then resumes.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/flags.h"
#include "app/progress_line.h"
#include "common/time_format.h"
#include "config/config.h"
#include "enrich/enricher.h"
#include "store/sqlite/rebuilder.h"

namespace ct::app {
namespace {

constexpr char kUsage[] =
    "usage: clicktrail rebuild --from TIME --to TIME [--link ID] [--restart]\n"
    "                          [--config FILE] [--data DIR] [--set KEY=VALUE]\n"
    "  Recomputes the rollups (links, accounts, breakdowns, goals), uniques and each hit's\n"
    "  enrichment (bot, device, os, browser, country) from the raw hits and conversions, with\n"
    "  the current enrichment rules, while the server keeps running.\n"
    "  --from, --to   ISO 8601 (e.g. 2026-01-01 or 2026-01-01T00:00:00Z); widened to whole UTC\n"
    "                 days, since a unique depends on the visitor's earlier clicks that day\n"
    "  --link ID      only this link (and its account's totals)\n"
    "  --restart      start over instead of resuming an interrupted job of the same range\n"
    "  --config FILE  the server's configuration (data_dir, enrich.*)\n"
    "  --data DIR     data directory (default ./data; key data_dir)\n"
    "  Exit 0 done, 1 failed (e.g. the range is past the raw-hit retention), 2 bad usage,\n"
    "  130 interrupted (run the same command to resume).\n";

volatile std::sig_atomic_t g_stop = 0;
extern "C" void OnStopSignal(int) { g_stop = 1; }

int Usage(const std::string& why) {
  std::fprintf(stderr, "clicktrail rebuild: %s\n%s", why.c_str(), kUsage);
  return 2;
}

}  // namespace

int RebuildCommand(int argc, char** argv) {
  // --restart takes no value; ParseFlags only knows flags with one.
  std::vector<char*> args;
  bool restart = false;
  for (int i = 0; i < argc; ++i) {
    if (i >= 2 && std::string(argv[i]) == "--restart") {
      restart = true;
    } else {
      args.push_back(argv[i]);
    }
  }
  auto flags = ParseFlags(static_cast<int>(args.size()), args.data(), 2,
                          {"from", "to", "link", "config", "data"});
  if (!flags.ok()) return Usage(flags.status().message());
  if (flags->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!flags->positional.empty())
    return Usage("unexpected argument '" + flags->positional[0] + "'");
  if (!flags->Get("from") || !flags->Get("to")) return Usage("--from and --to are required");
  Result<int64_t> from = ParseIso8601(*flags->Get("from"));
  if (!from.ok()) return Usage("--from: " + from.status().message());
  Result<int64_t> to = ParseIso8601(*flags->Get("to"));
  if (!to.ok()) return Usage("--to: " + to.status().message());
  int64_t link_id = 0;
  if (auto l = flags->Get("link")) {
    try {
      size_t used = 0;
      link_id = std::stoll(*l, &used);
      if (used != l->size() || link_id <= 0) throw std::invalid_argument(*l);
    } catch (const std::exception&) {
      return Usage("--link must be a link id (a positive integer)");
    }
  }
  std::vector<std::pair<std::string, std::string>> overrides = flags->sets;
  if (auto d = flags->Get("data")) overrides.emplace_back("data_dir", *d);
  auto config = Config::Load(flags->Get("config"), overrides);
  if (!config.ok()) return Usage(config.status().message());
  const Config& cfg = *config;

  // The same rules as the tracker's (serve_command.cc), from the same keys.
  const enrich::Enricher enricher(enrich::LoadEnrichSources(
      cfg.Str("enrich.geoip_db"), cfg.Str("enrich.uap_regexes"), cfg.Str("enrich.crawlers")));
  sqlite::RebuildOptions opts;
  opts.db_path = cfg.Str("data_dir") + "/clicktrail.db";
  opts.from_us = *from;
  opts.to_us = *to;
  opts.link_id = link_id;
  opts.classifier = enricher.classifier();
  opts.reclassify = [&enricher](const Event& raw, std::string_view stored_country) {
    return enricher.Reenrich(raw, stored_country);
  };
  opts.restart = restart;
  auto rebuilder = sqlite::Rebuilder::Start(std::move(opts));
  if (!rebuilder.ok()) {
    std::fprintf(stderr, "clicktrail rebuild: %s\n", rebuilder.status().ToString().c_str());
    return rebuilder.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  sqlite::Rebuilder& r = **rebuilder;
  const sqlite::RebuildProgress& p = r.progress();
  std::fprintf(stderr, "clicktrail rebuild: %s .. %s, %s, classifier %lld, %lld raw hits%s\n",
               FormatIso8601(p.from_us).c_str(), FormatIso8601(p.to_us).c_str(),
               link_id ? ("link " + std::to_string(link_id)).c_str() : "every link",
               static_cast<long long>(enricher.classifier()),
               static_cast<long long>(p.events_total),
               p.resumed ? (", resuming at " + FormatIso8601(p.day_us)).c_str() : "");

  // Handlers, not the default action: the slice in progress commits (or rolls back) and the
  // checkpoint stays exact. No SA_RESTART is needed: nothing blocks in a system call for long.
  struct sigaction sa = {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  ProgressLine line(stderr, "rebuild", "events", p.events_total, p.events_done,
                    isatty(fileno(stderr)) != 0);
  for (;;) {
    if (g_stop) {
      line.Finish(p.events_done);
      std::fprintf(stderr,
                   "clicktrail rebuild: interrupted at %s after %lld slices; the checkpoint is "
                   "saved: run the same command to resume (or add --restart)\n",
                   FormatIso8601(p.day_us).c_str(), static_cast<long long>(p.slices_done));
      return 130;
    }
    Result<bool> more = r.Step();
    if (!more.ok()) {
      line.Finish(p.events_done);
      std::fprintf(stderr, "clicktrail rebuild: %s\n", more.status().ToString().c_str());
      return 1;
    }
    if (!*more) break;
    line.Update(p.events_done);
  }
  line.Finish(p.events_done);
  // "Rewritten": enrichment, unique flag or classifier version changed (store/sqlite/rebuilder.h).
  std::printf("rebuilt %lld events in %lld slices (%.0f events/s); %lld hits rewritten\n",
              static_cast<long long>(p.events_done), static_cast<long long>(p.slices_done),
              line.Rate(p.events_done), static_cast<long long>(p.changed_hits));
  return 0;
}

}  // namespace ct::app
