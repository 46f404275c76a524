// link_table_memory: what the edge's LinkTable costs at scale. Loads N LinkRows (default
// 1,000,000: 6-8 character slugs, ~60-byte destinations, 5% with options — rotation, a
// targeting rule, UTM, some with max_clicks) and prints the process RSS before and after, bytes
// per link, the full-load time, and the Apply time of a 1-link change (median of 200), which
// rebuilds one of the 256 shards.
//
// usage: build/link_table_memory [N [OPTIONS_EVERY]]   (OPTIONS_EVERY 0: no link has options)
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "edge/link_table.h"

namespace {

long RssKiB() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

// 6-8 characters, distinct for every i < 62^6: i times a constant coprime to 62, modulo 62^6,
// is a bijection, written in base 62 (6 characters), then 0-2 more characters.
std::string Slug(uint64_t i) {
  static const char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const uint64_t kSpace = 56'800'235'584ull;  // 62^6
  uint64_t x = (i * 2'654'435'761ull) % kSpace;
  std::string s;
  for (int k = 0; k < 6; ++k) {
    s.push_back(kAlphabet[x % 62]);
    x /= 62;
  }
  s.append(i % 3, kAlphabet[(i / 3) % 62]);
  return s;
}

int g_options_every = 20;  // 1 link in 20 (5%) has options

ct::LinkRow MakeRow(int64_t id) {
  ct::LinkRow r;
  r.id = id;
  r.account_id = 1 + id % 50;
  r.slug = Slug(static_cast<uint64_t>(id));
  // ~60 bytes: https://www.example-shop.com/products/category/item-123456?ref=nl
  r.destination =
      "https://www.example-shop.com/products/category/item-" + std::to_string(id) + "?ref=nl";
  if (g_options_every > 0 && id % g_options_every == 0) {
    r.options.rotation = {{r.destination, 70},
                          {"https://www.example-shop.com/b/" + std::to_string(id), 30}};
    ct::TargetingRule rule;
    rule.countries = {"DE", "AT", "CH"};
    rule.destination = "https://www.example-shop.de/item-" + std::to_string(id);
    r.options.rules = {rule};
    r.options.utm.source = "newsletter";
    r.options.utm.campaign = "spring";
    if (id % 100 == 0) r.options.max_clicks = 1000;
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t n = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  if (argc > 2) g_options_every = std::atoi(argv[2]);
  // The rows are built in batches and freed, as the LinkSyncer's pages are: only the table
  // stays.
  malloc_trim(0);
  long before = RssKiB();
  ct::edge::LinkTable table;
  auto t0 = std::chrono::steady_clock::now();
  const int64_t kBatch = 10'000;
  for (int64_t start = 1; start <= n; start += kBatch) {
    std::vector<ct::LinkRow> rows;
    for (int64_t id = start; id < start + kBatch && id <= n; ++id) rows.push_back(MakeRow(id));
    table.Apply(rows, nullptr, [](const ct::LinkRow&) { return int64_t{0}; });
  }
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  malloc_trim(0);
  long after = RssKiB();
  size_t size = table.Size();
  // Unique slugs check (a collision would lower the count and flatter the figure).
  std::printf("links loaded:        %zu of %lld (distinct (domain, slug) keys)\n", size,
              static_cast<long long>(n));
  std::printf("RSS before / after:  %.1f MiB / %.1f MiB\n", before / 1024.0, after / 1024.0);
  std::printf("table memory:        %.1f MiB = %.0f bytes per link\n", (after - before) / 1024.0,
              (after - before) * 1024.0 / static_cast<double>(size));
  std::printf("full load:           %.2f s (batches of %lld rows)\n", load_s,
              static_cast<long long>(kBatch));
  std::vector<double> us;
  for (int i = 0; i < 200; ++i) {
    ct::LinkRow r = MakeRow(1 + (i * 7919) % n);
    r.destination += "&v=" + std::to_string(i);
    auto a = std::chrono::steady_clock::now();
    table.Apply({r});
    us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a).count());
  }
  std::sort(us.begin(), us.end());
  std::printf("Apply of 1 link:     median %.0f us, p90 %.0f us, max %.0f us (200 changes)\n",
              us[us.size() / 2], us[us.size() * 9 / 10], us.back());
  auto snap = table.Current();
  const ct::edge::LinkEntry* e = snap->Find(MakeRow(12345).slug);
  std::printf("lookup check:        %s\n",
              e != nullptr && e->link_id() == 12345 ? "ok" : "FAILED (slug collision?)");
  return 0;
}
