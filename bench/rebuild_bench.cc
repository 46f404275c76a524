// rebuild_bench: how fast `clicktrail rebuild` recomputes rollups from raw hits.
//
// 1. Fill (not timed): a fresh SqliteStore file receives N raw hits (default 10,000,000)
//    through Store::Commit, as the tracker writes them: L links (default 1,000; 100 per
//    account), event times spread evenly over D UTC days (default 10) ending at the start of
//    today, a pool of visitors so that most visitors click more than once a day, realistic
//    IPs, user agents (one in ten a crawler's), referrers and languages, enriched by the real
//    Enricher (the pinned uap-core and crawler-user-agents data).
// 2. Timed: sqlite::Rebuilder over the whole range with the same Enricher, as
//    `clicktrail rebuild --from ... --to ...` runs it (link-day slices, one transaction each,
//    re-enriching every hit).
// 3. Verify: the hour rollups count every hit once (total + bots + head == N).
//
// usage: rebuild_bench [--hits N] [--links L] [--days D] [--dir DIR] [--keep]
// Prints a one-line summary starting "rebuild_bench:" on stdout; exit 1 if the counts differ.
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "enrich/enricher.h"
#include "store/sqlite/db.h"
#include "store/sqlite/rebuilder.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using Steady = std::chrono::steady_clock;
constexpr int64_t kDayUs = 86'400'000'000LL;
constexpr size_t kBatch = 20000;  // tracker.batch_max default

const char* const kAgents[] = {
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
};
const char* const kReferrers[] = {"", "https://t.co/abc", "https://www.google.com/",
                                  "https://news.example.org/story", ""};
const char* const kLanguages[] = {"en-US,en;q=0.9", "de-DE,de;q=0.9", "fr-FR", "", "es"};

struct Options {
  int64_t hits = 10'000'000;
  int64_t links = 1000;
  int64_t days = 10;
  std::string dir;
  bool keep = false;
};

double Seconds(Steady::time_point since) {
  return std::chrono::duration<double>(Steady::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--hits") {
      o.hits = std::atoll(next().c_str());
    } else if (a == "--links") {
      o.links = std::atoll(next().c_str());
    } else if (a == "--days") {
      o.days = std::atoll(next().c_str());
    } else if (a == "--dir") {
      o.dir = next();
    } else if (a == "--keep") {
      o.keep = true;
    } else {
      std::fprintf(stderr,
                   "usage: rebuild_bench [--hits N] [--links L] [--days D] [--dir DIR] [--keep]\n");
      return 2;
    }
  }
  if (o.hits <= 0 || o.links <= 0 || o.days <= 0) return 2;
  if (o.dir.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rebuild-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) return 1;
    o.dir = tmpl;
  }
  const std::string path = o.dir + "/clicktrail.db";
  std::filesystem::remove(path);

  const ct::enrich::Enricher enricher(ct::enrich::LoadEnrichSources("", "", ""));
  ct::SqliteStoreOptions sopts;
  sopts.path = path;
  sopts.read_connections = 1;
  auto store = ct::OpenSqliteStore(sopts);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  std::vector<int64_t> link_ids, link_accounts;
  int64_t account = 0;
  for (int64_t l = 0; l < o.links; ++l) {
    if (l % 100 == 0) {
      auto a = (*store)->CreateAccount(
          {"bench" + std::to_string(l / 100), "h" + std::to_string(l), "b"});
      if (!a.ok()) return 1;
      account = *a;
    }
    auto row = (*store)->CreateLink({.account_id = account,
                                     .slug = "b" + std::to_string(l),
                                     .destination = "https://example.com/landing"});
    if (!row.ok()) return 1;
    link_ids.push_back(row->id);
    link_accounts.push_back(account);
  }

  // Fill, in time order (as a tracker keeping up commits them).
  const int64_t today = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count() /
                        kDayUs * kDayUs;
  const int64_t from = today - o.days * kDayUs;
  const int64_t step = o.days * kDayUs / o.hits;
  std::mt19937_64 rng(42);
  const int64_t visitors = std::max<int64_t>(1, o.hits / o.days / 4);  // ~4 clicks a day each
  ct::EventIdGenerator ids;
  const auto fill_start = Steady::now();
  uint64_t position = 0;
  ct::CommitBatch batch;
  batch.consumer = "bench";
  for (int64_t n = 0; n < o.hits; ++n) {
    ct::HitRecord h;
    ct::Event& e = h.event;
    e.time_us = from + n * step;
    e.id = ids.Next(e.time_us);
    const size_t l = rng() % link_ids.size();
    e.link_id = link_ids[l];
    e.account_id = link_accounts[l];
    const uint64_t v = rng() % static_cast<uint64_t>(visitors);
    e.ip = std::to_string(10 + v % 200) + "." + std::to_string(v / 200 % 250) + ".7." +
           std::to_string(1 + v % 250);
    e.user_agent = kAgents[v % std::size(kAgents)];
    e.referrer = kReferrers[rng() % std::size(kReferrers)];
    e.accept_language = kLanguages[v % std::size(kLanguages)];
    e.destination = "https://example.com/landing";
    h.visitor_key.assign(16, '\0');
    std::memcpy(h.visitor_key.data(), &v, sizeof v);
    h.enrichment = enricher.Enrich(e);
    batch.hits.push_back(std::move(h));
    if (batch.hits.size() == kBatch || n + 1 == o.hits) {
      batch.from_position = position;
      batch.to_position = position += batch.hits.size();
      auto r = (*store)->Commit(batch);
      if (!r.ok()) {
        std::fprintf(stderr, "commit: %s\n", r.status().ToString().c_str());
        return 1;
      }
      batch.hits.clear();
      if (position % 1'000'000 < kBatch) {
        std::fprintf(stderr, "fill: %" PRIu64 " hits, %.0f/s\n", position,
                     static_cast<double>(position) / Seconds(fill_start));
      }
    }
  }
  const double fill_s = Seconds(fill_start);
  store->reset();

  // Timed: the rebuild, as the command runs it.
  ct::sqlite::RebuildOptions ro;
  ro.db_path = path;
  ro.from_us = from;
  ro.to_us = today;
  ro.classifier = enricher.classifier();
  ro.reclassify = [&enricher](const ct::Event& raw, std::string_view country) {
    return enricher.Reenrich(raw, country);
  };
  ro.restart = true;
  const auto start = Steady::now();
  auto rb = ct::sqlite::Rebuilder::Start(std::move(ro));
  if (!rb.ok()) {
    std::fprintf(stderr, "rebuild: %s\n", rb.status().ToString().c_str());
    return 1;
  }
  for (;;) {
    auto more = (*rb)->Step();
    if (!more.ok()) {
      std::fprintf(stderr, "rebuild: %s\n", more.status().ToString().c_str());
      return 1;
    }
    if (!*more) break;
  }
  const double secs = Seconds(start);
  const ct::sqlite::RebuildProgress p = (*rb)->progress();
  rb->reset();

  auto db = ct::sqlite::Db::Open(path, {});
  if (!db.ok()) return 1;
  auto counted =
      (*db)->QueryInt("SELECT SUM(total + bots + head) FROM rollups WHERE granularity = 3600");
  const bool ok = counted.ok() && *counted == o.hits && p.events_done == o.hits;
  std::printf("rebuild_bench: %" PRId64 " hits, %" PRId64 " links, %" PRId64
              " days: fill %.1f s; rebuild %.1f s = %.0f events/s (%" PRId64 " slices, %" PRId64
              " hits rewritten); counts %s\n",
              o.hits, o.links, o.days, fill_s, secs, static_cast<double>(o.hits) / secs,
              p.slices_done, p.changed_hits, ok ? "match" : "DIFFER");
  db->reset();
  if (!o.keep) std::filesystem::remove_all(o.dir);
  return ok ? 0 : 1;
}
