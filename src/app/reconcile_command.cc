// `clicktrail reconcile [--data DIR | --config FILE] [--from ISO] [--to ISO] [--strict]`: the
// reconciliation report (store/reconciliation.h) as a table, for cron and alarms. Reads the
// store only (SQLite WAL), so it works while `serve` runs on the same data.
//
// Exit status: 0 when no hour is a mismatch (in-flight hours are printed but pass: the tracker
// will get there); 1 when an hour is a mismatch — or, with --strict, still in flight — or the
// store cannot be read; 2 on bad usage.
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <string>

#include "api/reconciliation_handler.h"
#include "app/commands.h"
#include "app/flags.h"
#include "common/clock.h"
#include "common/time_format.h"
#include "config/config.h"
#include "store/reconciliation.h"
#include "store/sqlite/sqlite_store.h"

namespace ct::app {
namespace {

constexpr char kUsage[] =
    "usage: clicktrail reconcile [--data DIR | --config FILE] [--from ISO8601] [--to ISO8601] "
    "[--strict]\n"
    "  Per edge and UTC hour: answered = journaled = committed, in flight, or a mismatch and\n"
    "  why. Hours starting in [from, to); default: the 48 hours up to the end of this one.\n"
    "  --data DIR     data directory of the server (default ./data)\n"
    "  --config FILE  the server's configuration file (its data_dir)\n"
    "  --strict       exit 1 when an hour is still in flight, too\n"
    "  Exit 0: every hour reconciles (or is in flight); 1: a mismatch, or the store cannot be\n"
    "  read; 2: bad usage.\n";

std::string Reasons(const ReconciledHour& h) {
  std::string out;
  for (const ReconcileReason& r : h.reasons) {
    if (!out.empty()) out += ", ";
    out += r.reason + " " + std::to_string(r.count);
  }
  return out;
}

void PrintReport(const ReconcileReport& report) {
  std::printf("%-17s %-16s %10s %10s %10s %6s %6s %7s %9s  %-9s %s\n", "hour (UTC)", "edge",
              "answered", "journaled", "committed", "dup", "dead", "corrupt", "in_flight", "status",
              "reasons");
  for (const ReconciledHour& h : report.hours) {
    std::string hour = FormatIso8601(h.row.hour_us).substr(0, 16) + "Z";
    std::printf("%-17s %-16s %10" PRId64 " %10" PRId64 " %10" PRId64 " %6" PRId64 " %6" PRId64
                " %7" PRId64 " %9" PRId64 "  %-9s %s\n",
                hour.c_str(), h.row.edge.c_str(), h.row.answered, h.row.journaled, h.row.committed,
                h.row.duplicates, h.row.dead_lettered, h.row.corrupted, h.in_flight,
                std::string(ReconcileStatusName(h.status)).c_str(), Reasons(h).c_str());
  }
  std::printf("%zu hour(s): %d ok, %d in flight, %d mismatch\n", report.hours.size(), report.ok,
              report.in_flight, report.mismatch);
}

}  // namespace

int ReconcileCommand(int argc, char** argv) {
  auto flags = ParseFlags(argc, argv, 2, {"data", "config", "from", "to"}, {"strict"});
  if (!flags.ok()) {
    std::fprintf(stderr, "clicktrail reconcile: %s\n%s", flags.status().message().c_str(), kUsage);
    return 2;
  }
  if (flags->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!flags->positional.empty() || !flags->sets.empty() ||
      (flags->Get("data") && flags->Get("config"))) {
    std::fprintf(stderr, "clicktrail reconcile: unexpected arguments\n%s", kUsage);
    return 2;
  }
  std::string data = flags->Get("data").value_or("./data");
  if (auto file = flags->Get("config")) {
    auto config = Config::Load(file, {});
    if (!config.ok()) {
      std::fprintf(stderr, "clicktrail reconcile: %s\n", config.status().message().c_str());
      return 2;
    }
    data = config->Str("data_dir");
  }
  const int64_t now = Clock::System()->NowMicros();
  auto range = api::ReconciliationRangeFrom(flags->Get("from"), flags->Get("to"), now);
  if (!range.ok()) {
    std::fprintf(stderr, "clicktrail reconcile: %s\n", range.status().message().c_str());
    return 2;
  }
  const std::string path = data + "/clicktrail.db";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    std::fprintf(stderr, "clicktrail reconcile: no store at %s\n", path.c_str());
    return 1;
  }
  SqliteStoreOptions opts;
  opts.path = path;
  opts.read_connections = 1;
  auto store = OpenSqliteStore(opts);
  if (!store.ok()) {
    std::fprintf(stderr, "clicktrail reconcile: %s\n", store.status().ToString().c_str());
    return 1;
  }
  auto rows = (*store)->GetReconciliation(range->from_us, range->to_us);
  if (!rows.ok()) {
    std::fprintf(stderr, "clicktrail reconcile: %s\n", rows.status().ToString().c_str());
    return 1;
  }
  const ReconcileReport report = Reconcile(*rows, now);
  std::printf("reconciliation %s .. %s\n", FormatIso8601(range->from_us).c_str(),
              FormatIso8601(range->to_us).c_str());
  PrintReport(report);
  if (report.mismatch > 0) return 1;
  if (flags->switches.count("strict") && report.in_flight > 0) return 1;
  return 0;
}

}  // namespace ct::app
