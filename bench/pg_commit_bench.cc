// pg_commit_bench: how fast PostgresStore::Commit takes tracker-sized batches into PostgreSQL,
// with 1 or more committers at once (the trackers of distributed mode, each with its own
// consumer position and its own edge's journal ranges).
//
// Each committer builds batches of B click events (default 1,000) over L links (default 1,000,
// 10 accounts), enriched like the tracker's (country, device, os, browser, referrer domain,
// language, destination; ~3% bots, ~5% HEADs), times spread over the current hour, visitors
// drawn from a pool so ~20% are repeat visits; each batch carries its journal range. Committers
// run for S seconds (default 20) after a warm-up batch; the figure is events committed per
// second over all committers, plus the commit latency p50/p99. The counts are then checked: the
// rows in hits and the sum of the day rollups must equal the events committed.
//
// The server: --url CONNINFO, or (default) a throwaway cluster started here as the tests do
// (testutil/pg_cluster.h: fsync on, synchronous_commit on, 64 MB shared_buffers).
//
// usage: pg_commit_bench [--url U] [--committers C] [--batch B] [--links L] [--seconds S]
// Prints one summary line starting "pg_commit_bench:" on stdout; exit 1 on an error or a count
// mismatch.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/event.h"
#include "store/postgres/postgres_store.h"
#include "testutil/pg_cluster.h"

using namespace ct;

namespace {

struct Args {
  std::string url;
  int committers = 1;
  int batch = 1000;
  int links = 1000;
  int seconds = 20;
};

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--url")
      a.url = v;
    else if (k == "--committers")
      a.committers = std::atoi(v.c_str());
    else if (k == "--batch")
      a.batch = std::atoi(v.c_str());
    else if (k == "--links")
      a.links = std::atoi(v.c_str());
    else if (k == "--seconds")
      a.seconds = std::atoi(v.c_str());
    else {
      std::fprintf(stderr, "unknown flag %s\n", k.c_str());
      std::exit(2);
    }
  }
  return a;
}

const char* kCountries[] = {"US", "DE", "FR", "GB", "IN", "BR", "", "JP"};
const char* kDevices[] = {"desktop", "mobile", "mobile", "tablet"};
const char* kOs[] = {"windows", "ios", "android", "macos", "linux"};
const char* kBrowsers[] = {"chrome", "safari", "firefox", "edge"};
const char* kReferrers[] = {"", "news.example", "t.co", "google.com", ""};
const char* kLanguages[] = {"en", "de", "fr", "es", ""};

}  // namespace

int main(int argc, char** argv) {
  const Args args = Parse(argc, argv);
  std::unique_ptr<test::PgCluster> cluster;
  std::string url = args.url;
  if (url.empty()) {
    cluster = std::make_unique<test::PgCluster>();
    if (!cluster->running()) return 1;
    url = cluster->conninfo();
  }
  PostgresOptions o;
  o.url = url;
  o.pool_size = args.committers + 2;
  Result<std::unique_ptr<Store>> opened = OpenPostgresStore(o);
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  Store* store = opened->get();
  std::vector<std::pair<int64_t, int64_t>> links;  // (account, link)
  {
    std::vector<int64_t> accounts;
    const std::string run = std::to_string(Clock::System()->NowMicros());
    for (int a = 0; a < 10; ++a) {
      Result<int64_t> id = store->CreateAccount(
          {"bench-" + run + "-" + std::to_string(a), "k" + run + std::to_string(a), "k"});
      if (!id.ok()) return std::fprintf(stderr, "%s\n", id.status().ToString().c_str()), 1;
      accounts.push_back(*id);
    }
    std::vector<NewLink> batch;
    for (int i = 0; i < args.links; ++i) {
      batch.push_back({.account_id = accounts[i % 10],
                       .slug = "b" + run + "-" + std::to_string(i),
                       .destination = "https://example.com/landing/" + std::to_string(i)});
    }
    Result<std::vector<LinkRow>> rows = store->CreateLinks(batch);
    if (!rows.ok()) return std::fprintf(stderr, "%s\n", rows.status().ToString().c_str()), 1;
    for (const LinkRow& r : *rows) links.emplace_back(r.account_id, r.id);
  }

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> committed{0}, failed{0};
  std::mutex lat_mu;
  std::vector<double> latencies_ms;
  const int64_t hour = Clock::System()->NowMicros() / 3'600'000'000 * 3'600'000'000;
  auto committer = [&](int id) {
    std::mt19937_64 rng(static_cast<uint64_t>(id) * 7919 + 1);
    EventIdGenerator ids;
    const std::string consumer =
        "bench-" + std::to_string(id) + "-" + std::to_string(Clock::System()->NowMicros());
    const std::string edge = "edge-" + consumer;
    uint64_t pos = 0, journal = 0;
    std::vector<std::string> visitors;
    for (int i = 0; i < 5000; ++i) visitors.push_back(std::to_string(rng()).substr(0, 16));
    for (bool warm = true; warm || !stop.load(); warm = false) {
      CommitBatch b;
      b.consumer = consumer;
      b.from_position = pos;
      b.to_position = pos + 1;
      b.edge = edge;
      for (int i = 0; i < args.batch; ++i) {
        HitRecord h;
        const auto& [account, link] = links[rng() % links.size()];
        h.event.time_us = hour + static_cast<int64_t>(rng() % 3'600'000'000);
        h.event.id = ids.Next(h.event.time_us);
        h.event.kind = rng() % 20 == 0 ? EventKind::kHead : EventKind::kClick;
        h.event.account_id = account;
        h.event.link_id = link;
        h.event.ip = "198.51.100." + std::to_string(rng() % 250);
        h.event.user_agent =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0 Safari/537.36";
        h.event.referrer = "https://news.example/article/" + std::to_string(rng() % 100);
        h.event.accept_language = "en-US,en;q=0.9";
        h.event.destination = "https://example.com/landing/" + std::to_string(link);
        h.visitor_key = visitors[rng() % visitors.size()];
        h.enrichment.country = kCountries[rng() % 8];
        h.enrichment.device = kDevices[rng() % 4];
        h.enrichment.os = kOs[rng() % 5];
        h.enrichment.browser = kBrowsers[rng() % 4];
        h.enrichment.referrer_domain = kReferrers[rng() % 5];
        h.enrichment.language = kLanguages[rng() % 5];
        h.enrichment.bot = rng() % 33 == 0;
        b.hits.push_back(std::move(h));
      }
      const uint64_t bytes = static_cast<uint64_t>(args.batch) * 300;
      b.edge_ranges = {{edge, journal, journal + bytes}};
      const auto t0 = std::chrono::steady_clock::now();
      Result<CommitResult> r = store->Commit(b);
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (!r.ok()) {
        std::fprintf(stderr, "commit: %s\n", r.status().ToString().c_str());
        ++failed;
        return;
      }
      ++pos;
      journal += bytes;
      if (warm) continue;
      committed += r->applied;
      std::lock_guard lock(lat_mu);
      latencies_ms.push_back(ms);
    }
  };
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < args.committers; ++i) threads.emplace_back(committer, i);
  std::this_thread::sleep_for(std::chrono::seconds(args.seconds));
  stop = true;
  for (std::thread& t : threads) t.join();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    return latencies_ms.empty()
               ? 0.0
               : latencies_ms[std::min(latencies_ms.size() - 1,
                                       static_cast<size_t>(p * latencies_ms.size()))];
  };
  // Verify: every committed event is one hit row and one count in the day rollups (warm-up
  // batches included on both sides).
  const uint64_t warmup = static_cast<uint64_t>(args.committers) * args.batch;
  int64_t day_total = 0;
  std::set<int64_t> accounts;
  for (const auto& [acc, l] : links) accounts.insert(acc);
  for (int64_t acc : accounts) {
    Result<std::optional<LinkStats>> s = store->GetLinkStats(
        {.account_id = acc, .from_us = hour - 86'400'000'000, .to_us = hour + 86'400'000'000});
    if (!s.ok() || !s->has_value()) return 1;
    day_total += (*s)->total + (*s)->bots + (*s)->head;
  }
  const bool match = static_cast<uint64_t>(day_total) == committed.load() + warmup;
  std::printf(
      "pg_commit_bench: committers=%d batch=%d links=%d seconds=%.1f events=%llu "
      "events_per_s=%.0f commit_ms_p50=%.1f p99=%.1f failed=%llu counts_match=%s\n",
      args.committers, args.batch, args.links, secs,
      static_cast<unsigned long long>(committed.load()), committed.load() / secs, pct(0.5),
      pct(0.99), static_cast<unsigned long long>(failed.load()), match ? "yes" : "NO");
  return failed.load() == 0 && match ? 0 : 1;
}
