// tracker_bench: how fast the real tracker moves clicks from the journal into SQLite.
//
// 1. Pre-fill (not timed in the result): a JournalWriter in a temp dir on disk receives N click
//    events (default 10,000,000) spread over L links (default 10,000, ids 1..L, 100 links per
//    account), with realistic fields: an IPv4 address, one of a handful of ~110-byte user
//    agents, a referrer (or none), an Accept-Language; event times spread evenly over one UTC
//    day (yesterday); ~20% of the events are repeat visits (same ip + user agent + link as an
//    earlier event that day). The journal is fsynced before the tracker starts. The links and
//    their accounts are created in the store beforehand through Store::CreateLink, so the stats
//    API path (GetLinkStats) can read them back.
// 2. Timed: a fresh SqliteStore file, LocalBus over a JournalReader + the writer, and the real
//    Tracker from position 0 until its committed position reaches the journal's end.
// 3. Verify: the sum over all links of GetLinkStats(interval=day).total, the rows in `hits`
//    and the sum of the day rollups must all equal N.
//
// usage: tracker_bench [--events N] [--links L] [--batch B] [--max-seconds S] [--dir DIR]
//                      [--keep] [--repeat-pct P]
// Prints progress lines on stderr and a one-line summary (starting "tracker_bench:") on stdout.
// Exit status: 0 when everything was committed and the counts match, 1 otherwise (including a
// run stopped by --max-seconds: partial throughput is still reported).
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bus/local_bus.h"
#include "common/clock.h"
#include "common/event.h"
#include "enrich/enricher.h"
#include "journal/file_env.h"
#include "journal/format.h"
#include "journal/reader.h"
#include "journal/writer.h"
#include "monitor/metrics.h"
#include "store/sqlite/sqlite_store.h"
#include "tracker/tracker.h"

namespace {

using Steady = std::chrono::steady_clock;
constexpr int64_t kDayUs = 86'400'000'000LL;
constexpr const char* kDestination = "https://example.com/landing";

struct Options {
  uint64_t events = 10'000'000;
  int64_t links = 10'000;
  size_t batch = 20000;  // tracker.batch_max default
  double max_seconds = 900;
  int repeat_pct = 20;
  std::string dir;
  bool keep = false;
};

[[noreturn]] void Usage(int code) {
  std::fprintf(
      code == 0 ? stdout : stderr,
      "usage: tracker_bench [--events N] [--links L] [--batch B] [--max-seconds S]\n"
      "                     [--dir DIR] [--keep] [--repeat-pct P]\n"
      "  --events N       click events pre-filled in the journal (default 10000000)\n"
      "  --links L        links the events are spread over (default 10000)\n"
      "  --batch B        tracker.batch_max, events per store transaction (default 20000)\n"
      "  --max-seconds S  stop the tracker phase after S seconds, report partial (900)\n"
      "  --dir DIR        parent of the temp dir (default $TMPDIR or /tmp; must be disk)\n"
      "  --keep           keep the temp dir (journal consumed, database kept)\n"
      "  --repeat-pct P   share of events that are repeat visits (default 20)\n");
  std::exit(code);
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        Usage(2);
      }
      return argv[++i];
    };
    if (a == "--events")
      o.events = std::strtoull(next().c_str(), nullptr, 10);
    else if (a == "--links")
      o.links = std::strtoll(next().c_str(), nullptr, 10);
    else if (a == "--batch")
      o.batch = std::strtoull(next().c_str(), nullptr, 10);
    else if (a == "--max-seconds")
      o.max_seconds = std::strtod(next().c_str(), nullptr);
    else if (a == "--repeat-pct")
      o.repeat_pct = std::atoi(next().c_str());
    else if (a == "--dir")
      o.dir = next();
    else if (a == "--keep")
      o.keep = true;
    else if (a == "-h" || a == "--help")
      Usage(0);
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      Usage(2);
    }
  }
  if (o.events == 0 || o.links <= 0 || o.batch == 0 || o.max_seconds <= 0 || o.repeat_pct < 0 ||
      o.repeat_pct > 100) {
    Usage(2);
  }
  return o;
}

double Seconds(Steady::duration d) { return std::chrono::duration<double>(d).count(); }

// VmHWM / VmRSS from /proc/self/status, in KiB.
long ProcStatusKb(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  size_t n = std::strlen(key);
  while (std::getline(f, line)) {
    if (line.compare(0, n, key) == 0 && line.size() > n && line[n] == ':') {
      return std::strtol(line.c_str() + n + 1, nullptr, 10);
    }
  }
  return -1;
}

// Resets VmHWM to the current RSS (Linux >= 4.0), so the peak covers the tracker phase only.
bool ResetPeakRss() {
  std::ofstream f("/proc/self/clear_refs");
  if (!f) return false;
  f << "5";
  f.flush();
  return static_cast<bool>(f);
}

uint64_t FileSize(const std::string& p) {
  std::error_code ec;
  auto s = std::filesystem::file_size(p, ec);
  return ec ? 0 : s;
}

uint64_t DirSize(const std::string& d) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto& e : std::filesystem::recursive_directory_iterator(d, ec)) {
    if (e.is_regular_file(ec)) total += e.file_size(ec);
  }
  return total;
}

int64_t SqlInt(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    v = sqlite3_column_int64(st, 0);
  } else {
    std::fprintf(stderr, "sql failed: %s: %s\n", sql, sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  return v;
}

// A handful of real-looking user agents of about 110 bytes.
const char* const kUserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.6045.163 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0 "
    "(compatible; en-US build 2023)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Safari/537.36 Edg/119.0.2151.72",
};
const char* const kReferrers[] = {
    "",  // direct / app: no Referer
    "https://www.google.com/",
    "https://t.co/",
    "https://news.ycombinator.com/item?id=38400000",
    "https://www.linkedin.com/feed/",
    "https://mail.example.org/inbox/message/123456",
};
const char* const kLanguages[] = {
    "en-US,en;q=0.9",          "en-GB,en;q=0.8", "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7",
    "de-DE,de;q=0.9,en;q=0.8", "es-ES,es;q=0.9", "",
};

struct Visit {
  int64_t link = 0;
  uint32_t ip = 0;
  uint8_t ua = 0;
};

std::string IpString(uint32_t ip) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
                ip & 255);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ct;
  Options opt = ParseArgs(argc, argv);

  std::string parent = opt.dir;
  if (parent.empty()) {
    const char* t = std::getenv("TMPDIR");
    parent = t && *t ? t : "/tmp";
  }
  std::string tmpl = parent + "/tracker_bench.XXXXXX";
  std::vector<char> tbuf(tmpl.begin(), tmpl.end());
  tbuf.push_back('\0');
  if (mkdtemp(tbuf.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::string dir = tbuf.data();
  struct Cleanup {
    std::string dir;
    bool keep;
    ~Cleanup() {
      if (keep) {
        std::fprintf(stderr, "kept %s\n", dir.c_str());
        return;
      }
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } cleanup{dir, opt.keep};
  std::fprintf(stderr,
               "tracker_bench: dir %s, %" PRIu64 " events over %" PRId64
               " links, batch %zu, max %.0f s\n",
               dir.c_str(), opt.events, opt.links, opt.batch, opt.max_seconds);

  MetricsRegistry metrics;
  Clock* clock = Clock::System();

  // ---- the store, with its accounts and links (setup, not timed) --------------------------
  auto t_setup = Steady::now();
  SqliteStoreOptions sopts;
  sopts.path = dir + "/clicktrail.db";
  auto store = OpenSqliteStore(sopts);
  if (!store.ok()) {
    std::fprintf(stderr, "open store: %s\n", store.status().ToString().c_str());
    return 1;
  }
  std::vector<int64_t> link_ids(opt.links + 1), link_account(opt.links + 1);
  {
    int64_t account = 0;
    for (int64_t i = 1; i <= opt.links; ++i) {
      if ((i - 1) % 100 == 0) {
        std::string h = std::to_string(i);
        h.resize(64, '0');
        auto a = (*store)->CreateAccount({"bench" + std::to_string(i), h, "ct_bench"});
        if (!a.ok()) {
          std::fprintf(stderr, "create account: %s\n", a.status().ToString().c_str());
          return 1;
        }
        account = *a;
      }
      auto l = (*store)->CreateLink(
          {account, "b" + std::to_string(i), "https://example.com/landing/" + std::to_string(i)});
      if (!l.ok()) {
        std::fprintf(stderr, "create link: %s\n", l.status().ToString().c_str());
        return 1;
      }
      link_ids[i] = l->id;
      link_account[i] = account;
    }
  }
  std::fprintf(stderr, "setup: %" PRId64 " links created in %.1f s\n", opt.links,
               Seconds(Steady::now() - t_setup));

  // ---- pre-fill the journal (not timed in the result) ---------------------------------------
  journal::JournalOptions jopts;
  jopts.dir = dir + "/journal";
  auto writer = journal::JournalWriter::Open(jopts, journal::FileEnv::Posix(), &metrics, clock);
  if (!writer.ok()) {
    std::fprintf(stderr, "open journal: %s\n", writer.status().ToString().c_str());
    return 1;
  }
  auto t_fill = Steady::now();
  {
    std::mt19937_64 rng(42);
    EventIdGenerator ids;
    const int64_t day_start = (clock->NowMicros() / kDayUs - 1) * kDayUs;  // yesterday, UTC
    // Earlier visits that a repeat visit copies (same visitor, same link): a ring of recent ones.
    std::vector<Visit> recent(1 << 16);
    size_t recent_n = 0;
    uint32_t next_ip = 0x0A000001;  // 10.0.0.1, then a scrambled walk through the space
    std::string payload, framed;
    payload.reserve(512);
    framed.reserve(1 << 20);
    constexpr size_t kRecordsPerAppend = 256;
    size_t in_frame = 0;
    uint64_t payload_bytes = 0;
    for (uint64_t i = 0; i < opt.events; ++i) {
      Visit v;
      if (recent_n > 0 && static_cast<int>(rng() % 100) < opt.repeat_pct) {
        v = recent[rng() % std::min(recent_n, recent.size())];
      } else {
        v.link = 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(opt.links));
        next_ip = next_ip * 1664525u + 1013904223u;  // distinct for 2^32 steps
        v.ip = next_ip;
        v.ua = static_cast<uint8_t>(rng() % std::size(kUserAgents));
        recent[recent_n % recent.size()] = v;
        ++recent_n;
      }
      const int64_t t = day_start + static_cast<int64_t>((static_cast<__int128>(i) * kDayUs) /
                                                         static_cast<__int128>(opt.events));
      payload.clear();
      const std::string ip = IpString(v.ip);
      EventView ev;
      ev.id = ids.Next();
      ev.time_us = t;
      ev.link_id = link_ids[v.link];
      ev.account_id = link_account[v.link];
      ev.ip = ip;
      ev.user_agent = kUserAgents[v.ua];
      ev.referrer = kReferrers[rng() % std::size(kReferrers)];
      ev.accept_language = kLanguages[rng() % std::size(kLanguages)];
      ev.destination = kDestination;  // as the v2 edge records it: one dim_rollups row per hour
      EncodeEventView(ev, &payload);
      payload_bytes += payload.size();
      journal::AppendRecord(&framed, journal::RecordType::kEvent, payload);
      if (++in_frame == kRecordsPerAppend || i + 1 == opt.events) {
        auto pos = (*writer)->Append(framed);
        if (!pos.ok()) {
          std::fprintf(stderr, "journal append: %s\n", pos.status().ToString().c_str());
          return 1;
        }
        framed.clear();
        in_frame = 0;
      }
      if ((i + 1) % 1'000'000 == 0) {
        std::fprintf(stderr, "pre-fill: %" PRIu64 " events, %.1f s\n", i + 1,
                     Seconds(Steady::now() - t_fill));
      }
    }
    // Wait until the group commit has fsynced everything.
    const uint64_t end = (*writer)->WrittenPosition();
    for (int k = 0; k < 60000 && (*writer)->DurablePosition() < end; ++k) usleep(1000);
    if ((*writer)->DurablePosition() < end) {
      std::fprintf(stderr, "journal did not become durable\n");
      return 1;
    }
    std::fprintf(stderr,
                 "pre-fill: %" PRIu64
                 " events (%.0f B payload each on average), "
                 "journal %.2f GB, %.1f s\n",
                 opt.events, static_cast<double>(payload_bytes) / opt.events,
                 static_cast<double>(DirSize(jopts.dir)) / 1e9, Seconds(Steady::now() - t_fill));
  }
  const uint64_t journal_end = (*writer)->WrittenPosition();

  // ---- the timed part: the real tracker from position 0 -------------------------------------
  journal::JournalReader reader(jopts.dir, journal::FileEnv::Posix(), &metrics);
  LocalBus bus(writer->get(), &reader);
  TrackerOptions topts;
  topts.batch_max = opt.batch;
  // Enrichment as `serve` does it: the pinned GeoDb, uap-core and crawler list (loaded before
  // the clock starts; a missing one is logged and left out, as in the server).
  topts.enricher = enrich::Enricher(enrich::LoadEnrichSources("", "", ""));
  Tracker tracker(topts, &bus, store->get(), &metrics, clock);
  Counter* committed_events = metrics.AddCounter("clicktrail_tracker_events_committed_total", "");
  Histogram* commit_hist =
      metrics.AddHistogram("clicktrail_tracker_commit_seconds", "", LatencyBuckets());
  const bool peak_reset = ResetPeakRss();
  const long rss_before_kb = ProcStatusKb("VmRSS");

  auto t0 = Steady::now();
  if (Status s = tracker.Start(); !s.ok()) {
    std::fprintf(stderr, "tracker start: %s\n", s.ToString().c_str());
    return 1;
  }
  bool done = false;
  auto last_report = t0;
  while (true) {
    done = tracker.WaitCommitted(journal_end, std::chrono::milliseconds(200));
    auto now = Steady::now();
    if (done) break;
    if (Seconds(now - t0) >= opt.max_seconds) break;
    if (Seconds(now - last_report) >= 10) {
      last_report = now;
      uint64_t c = committed_events->Value();
      std::fprintf(stderr,
                   "tracker: %" PRIu64
                   " events committed in %.0f s (%.0f/s), RSS %ld MB, "
                   "db %.2f GB\n",
                   c, Seconds(now - t0), c / Seconds(now - t0), ProcStatusKb("VmRSS") / 1024,
                   static_cast<double>(FileSize(sopts.path) + FileSize(sopts.path + "-wal")) / 1e9);
    }
  }
  const double elapsed = Seconds(Steady::now() - t0);
  const uint64_t committed = committed_events->Value();
  tracker.Stop();
  const long peak_kb = peak_reset ? ProcStatusKb("VmHWM") : -1;
  const uint64_t commits = commit_hist->Count();
  const double commit_mean_ms = commits ? commit_hist->Sum() / commits * 1e3 : 0;
  const double dead = metrics.Value("clicktrail_tracker_dead_letters_total");
  const double dups = metrics.Value("clicktrail_tracker_duplicates_total");
  const double errors = metrics.Value("clicktrail_tracker_commit_errors_total");
  if (Status s = (*writer)->Close(); !s.ok()) {
    std::fprintf(stderr, "journal close: %s\n", s.ToString().c_str());
  }
  const uint64_t db_bytes = FileSize(sopts.path) + FileSize(sopts.path + "-wal");

  // ---- verify --------------------------------------------------------------------------------
  const int64_t now_us = clock->NowMicros();
  int64_t stats_total = 0, stats_unique = 0;
  bool stats_ok = true;
  for (int64_t i = 1; i <= opt.links; ++i) {
    StatsQuery q{link_account[i], link_ids[i], (now_us / kDayUs - 2) * kDayUs, now_us,
                 Interval::kDay};
    auto s = (*store)->GetLinkStats(q);
    if (!s.ok() || !s->has_value()) {
      std::fprintf(stderr, "stats of link %" PRId64 ": %s\n", link_ids[i],
                   s.ok() ? "missing" : s.status().ToString().c_str());
      stats_ok = false;
      break;
    }
    stats_total += (*s)->total;
    stats_unique += (*s)->unique;
  }
  int64_t hits_rows = -1, day_rollup_sum = -1, minute_rollup_sum = -1;
  {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(sopts.path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      hits_rows = SqlInt(db, "SELECT count(*) FROM hits");
      day_rollup_sum = SqlInt(db, "SELECT sum(total) FROM rollups WHERE granularity = 86400");
      minute_rollup_sum = SqlInt(db, "SELECT sum(total) FROM rollups WHERE granularity = 60");
    }
    sqlite3_close(db);
  }
  const int64_t n = static_cast<int64_t>(opt.events);
  const bool counts_ok = done && stats_ok && stats_total == n && hits_rows == n &&
                         day_rollup_sum == n && minute_rollup_sum == n && committed == opt.events;

  std::fprintf(stderr,
               "tracker: %s after %.1f s; committed %" PRIu64 " of %" PRIu64 " events; %" PRIu64
               " commits, mean %.1f ms; duplicates %.0f, dead letters %.0f, commit errors %.0f\n",
               done ? "caught up" : "STOPPED (max-seconds)", elapsed, committed, opt.events,
               commits, commit_mean_ms, dups, dead, errors);
  std::fprintf(stderr,
               "verify: GetLinkStats day total %" PRId64 " (unique %" PRId64 "), hits rows %" PRId64
               ", day rollups %" PRId64 ", minute rollups %" PRId64 ", expected %" PRId64 ": %s\n",
               stats_total, stats_unique, hits_rows, day_rollup_sum, minute_rollup_sum, n,
               counts_ok ? "OK" : "MISMATCH");
  std::fprintf(stderr, "memory: RSS before tracker %ld MB, peak during tracker %s\n",
               rss_before_kb / 1024,
               peak_kb >= 0 ? (std::to_string(peak_kb / 1024) + " MB").c_str() : "n/a");
  std::printf("tracker_bench: events=%" PRIu64 " committed=%" PRIu64
              " batch=%zu seconds=%.1f "
              "events_per_sec=%.0f peak_rss_mb=%ld db_mb=%.0f bytes_per_event=%.0f "
              "stats_total=%" PRId64 " unique=%" PRId64 " status=%s\n",
              opt.events, committed, opt.batch, elapsed, committed / elapsed,
              peak_kb >= 0 ? peak_kb / 1024 : -1, db_bytes / 1e6,
              committed ? static_cast<double>(db_bytes) / committed : 0.0, stats_total,
              stats_unique,
              !done       ? "PARTIAL"
              : counts_ok ? "OK"
                          : "MISMATCH");
  return counts_ok ? 0 : 1;
}
