// `clicktrail export-hits --data DIR [--from ISO] [--to ISO] --out FILE [--format ndjson|csv]`:
// writes the raw hits with time in [from, to) of every account to one file, oldest first, in
// the format of the retention's export (tracker/hit_json.h); gzip-compressed when FILE ends in
// ".gz". The file appears whole or not at all (temp, fsync, rename). Read-only on the store, so
// it runs while a server runs on the same data.
#include <boost/json.hpp>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "api/csv.h"
#include "app/commands.h"
#include "app/flags.h"
#include "common/time_format.h"
#include "store/sqlite/sqlite_store.h"
#include "tracker/export_file.h"
#include "tracker/hit_json.h"

namespace ct::app {
namespace {

constexpr char kUsage[] =
    "usage: clicktrail export-hits --out FILE [--data DIR] [--from ISO8601] [--to ISO8601]\n"
    "                              [--format ndjson|csv]\n"
    "  Exports the raw hits with time in [from, to) (default: all of them) to FILE, oldest\n"
    "  first; gzip-compressed when FILE ends in .gz. NDJSON: one JSON object per hit; CSV: a\n"
    "  header row, then one row per hit (RFC 4180).\n"
    "  --data DIR   data directory of the server (default ./data)\n";

constexpr int kPageRows = 5000;

std::string CsvValue(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  return boost::json::serialize(v);
}

int Usage(const std::string& why) {
  std::fprintf(stderr, "clicktrail export-hits: %s\n%s", why.c_str(), kUsage);
  return 2;
}

}  // namespace

int ExportHitsCommand(int argc, char** argv) {
  auto flags = ParseFlags(argc, argv, 2, {"data", "from", "to", "out", "format"});
  if (!flags.ok()) return Usage(flags.status().message());
  if (flags->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!flags->positional.empty())
    return Usage("unexpected argument '" + flags->positional[0] + "'");
  const std::optional<std::string> out = flags->Get("out");
  if (!out || out->empty()) return Usage("--out FILE is required");
  const std::string format = flags->Get("format").value_or("ndjson");
  if (format != "ndjson" && format != "csv") return Usage("--format must be ndjson or csv");
  int64_t from = std::numeric_limits<int64_t>::min();
  int64_t to = std::numeric_limits<int64_t>::max();
  for (auto [name, bound] : {std::pair{"from", &from}, std::pair{"to", &to}}) {
    if (auto v = flags->Get(name)) {
      Result<int64_t> t = ParseIso8601(*v);
      if (!t.ok()) return Usage(std::string("--") + name + ": " + t.status().message());
      *bound = *t;
    }
  }

  SqliteStoreOptions opts;
  opts.path = flags->Get("data").value_or("./data") + "/clicktrail.db";
  opts.read_connections = 1;
  auto store = OpenSqliteStore(opts);
  if (!store.ok()) {
    std::fprintf(stderr, "clicktrail export-hits: %s\n", store.status().ToString().c_str());
    return 1;
  }
  const bool gzip = out->size() > 3 && out->ends_with(".gz");
  auto file = ExportFile::Create(*out, gzip);
  if (!file.ok()) {
    std::fprintf(stderr, "clicktrail export-hits: %s\n", file.status().ToString().c_str());
    return 1;
  }
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "clicktrail export-hits: %s\n", s.ToString().c_str());
    return 1;
  };
  int64_t count = 0;
  bool header = format == "csv";
  std::optional<HitCursor> after;
  for (;;) {
    auto page = (*store)->ScanHits(from, to, after, kPageRows);
    if (!page.ok()) return fail(page.status());
    std::string chunk;
    for (const ExportedHit& h : *page) {
      if (format == "ndjson") {
        chunk += HitJsonLine(h);
        continue;
      }
      const boost::json::object o = HitJson(h);
      std::vector<std::string> fields;
      if (header) {
        for (const auto& kv : o) fields.emplace_back(kv.key());
        chunk += api::CsvLine(fields);
        fields.clear();
        header = false;
      }
      for (const auto& kv : o) fields.push_back(CsvValue(kv.value()));
      chunk += api::CsvLine(fields);
    }
    if (Status s = (*file)->Write(chunk); !s.ok()) return fail(s);
    count += static_cast<int64_t>(page->size());
    if (page->size() < static_cast<size_t>(kPageRows)) break;
    after = HitCursor{page->back().row.time_us, page->back().row.event_id};
  }
  if (Status s = (*file)->Commit(); !s.ok()) return fail(s);
  std::fprintf(stderr, "clicktrail export-hits: %lld hits written to %s\n",
               static_cast<long long>(count), out->c_str());
  return 0;
}

}  // namespace ct::app
