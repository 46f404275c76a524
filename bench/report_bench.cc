// report_bench: report API latency for an account with 10,000 links and 100 M clicks.
//
// 1. Fill (not timed): `clicktrail account create` makes the account and its key; the store
//    makes the links (Store::CreateLinks); the rollup tables are then filled by SQL at rollup
//    level (raw hits are not needed by any report): rollups (hour, day), account_rollups,
//    dim_rollups, account_dim_rollups, combo_rollups and account_combo_rollups (then
//    account_pair_rollups and account_destination_links by the v13 backfill), all derived from
//    one generated set of combination rows so every table agrees with the others, as the tracker
//    would write them. Shape: link i gets clicks in proportion to 1/(i+1) (Zipf), spread over a
//    contiguous campaign window of D days (default 90) ending at the current hour, about 200 clicks
//    per active link-hour (the hottest links are active every hour of the 90 days), and at most 12
//    combinations of dimension values per link-hour drawn from skewed pools (8 countries, 3
//    devices, 4 OSes, 4 browsers, 5 referrers, 4 languages, 1 destination). Minute rollups are not
//    filled (no report below reads them).
// 2. Timed: the real binary (`clicktrail serve` on 127.0.0.1) answers report requests over
//    HTTP, one at a time, after 5 untimed warm-up requests per kind; p50/p99 per kind over the
//    100 hottest links (the most rows), the range the 30 days ending at the current hour.
//
// usage: report_bench [--links L] [--clicks N] [--days D] [--requests R] [--only SUBSTR]
// Prints one line per report kind: "report_bench: <kind> p50=... p99=... ms (n=R)".
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "store/sqlite/db.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/http_client.h"
#include "testutil/server.h"

namespace {

using Steady = std::chrono::steady_clock;
constexpr int64_t kHourUs = 3'600'000'000LL;
constexpr int64_t kDayUs = 24 * kHourUs;

const char* const kCountries[] = {"US", "DE", "GB", "FR", "IN", "BR", "JP", "CA"};
const char* const kDevices[] = {"mobile", "desktop", "tablet"};
const char* const kOses[] = {"ios", "android", "windows", "macos"};
const char* const kBrowsers[] = {"safari", "chrome", "firefox", "edge"};
const char* const kReferrers[] = {"", "t.co", "google.com", "facebook.com", "news.example.org"};
const char* const kLanguages[] = {"en", "de", "fr", "es"};

struct Options {
  int64_t links = 10'000;
  int64_t clicks = 100'000'000;
  int64_t days = 90;
  int requests = 200;
  std::string only;  // time only the kinds whose name contains this
};

double Seconds(Steady::time_point since) {
  return std::chrono::duration<double>(Steady::now() - since).count();
}

std::string Iso(int64_t us) {
  time_t t = static_cast<time_t>(us / 1'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// A skewed pick: index k with weight 1/(k+1).
template <size_t N>
const char* Skewed(const char* const (&pool)[N], std::mt19937_64& rng) {
  static thread_local std::vector<double> w;
  w.assign(N, 0);
  for (size_t k = 0; k < N; ++k) w[k] = 1.0 / static_cast<double>(k + 1);
  std::discrete_distribution<size_t> d(w.begin(), w.end());
  return pool[d(rng)];
}

bool Exec(ct::sqlite::Db* db, const std::string& sql) {
  ct::Status s = db->Exec(sql);
  if (!s.ok()) std::fprintf(stderr, "report_bench: %s: %s\n", sql.c_str(), s.ToString().c_str());
  return s.ok();
}

struct Counts {
  int64_t total = 0, unique = 0, bots = 0;
  void Add(const Counts& c) {
    total += c.total;
    unique += c.unique;
    bots += c.bots;
  }
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> int64_t { return i + 1 < argc ? std::atoll(argv[++i]) : 0; };
    if (a == "--links") {
      o.links = next();
    } else if (a == "--clicks") {
      o.clicks = next();
    } else if (a == "--days") {
      o.days = next();
    } else if (a == "--only" && i + 1 < argc) {
      o.only = argv[++i];
    } else if (a == "--requests") {
      o.requests = static_cast<int>(next());
    } else {
      std::fprintf(stderr,
                   "usage: report_bench [--links L] [--clicks N] [--days D] [--requests R] [--only "
                   "SUBSTR]\n");
      return 2;
    }
  }
  // The per-key rate limit would answer 429 to a bench: lifted.
  ct::test::ServerHarness server(
      {"--set", "api.rate_per_second=1000000", "--set", "api.rate_burst=1000000"});
  const std::string key = server.CreateAccount("bench");
  if (key.empty()) {
    std::fprintf(stderr, "report_bench: account create failed\n");
    return 1;
  }
  const std::string path = server.data_dir() + "/clicktrail.db";
  const int64_t account = 1;  // the fresh file's first account
  const auto fill_start = Steady::now();
  {
    ct::SqliteStoreOptions sopts;
    sopts.path = path;
    auto store = ct::OpenSqliteStore(sopts);
    if (!store.ok()) return 1;
    std::vector<ct::NewLink> links;
    for (int64_t i = 0; i < o.links; ++i) {
      ct::NewLink l;
      l.account_id = account;
      l.slug = "l" + std::to_string(i);
      l.destination = "https://example.com/landing/" + std::to_string(i);
      links.push_back(std::move(l));
    }
    auto made = (*store)->CreateLinks(links);
    if (!made.ok() || made->front().id != 1) {
      std::fprintf(stderr, "report_bench: CreateLinks failed or ids do not start at 1\n");
      return 1;
    }
  }
  auto opened = ct::sqlite::Db::Open(path, {});
  if (!opened.ok()) return 1;
  ct::sqlite::Db* db = opened->get();
  if (!Exec(db, "PRAGMA cache_size = -400000; PRAGMA synchronous = OFF; BEGIN")) return 1;

  const int64_t hours = o.days * 24;
  const int64_t now_hour = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count() /
                           kHourUs * kHourUs;
  const int64_t first_hour = now_hour - hours * kHourUs;
  // Clicks and campaign window per link.
  double harmonic = 0;
  for (int64_t i = 0; i < o.links; ++i) harmonic += 1.0 / static_cast<double>(i + 1);
  std::mt19937_64 rng(42);
  struct Window {
    int64_t start, length, per_hour;
  };
  std::vector<Window> windows(static_cast<size_t>(o.links));
  std::vector<std::vector<int64_t>> active(static_cast<size_t>(hours));  // hour -> links
  int64_t planned = 0;
  for (int64_t i = 0; i < o.links; ++i) {
    const int64_t n =
        std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(o.clicks) / harmonic /
                                                  static_cast<double>(i + 1)));
    const int64_t length = std::clamp<int64_t>(n / 200, 1, hours);
    const int64_t start = static_cast<int64_t>(rng() % static_cast<uint64_t>(hours - length + 1));
    windows[static_cast<size_t>(i)] = {start, length, std::max<int64_t>(1, n / length)};
    for (int64_t h = start; h < start + length; ++h)
      active[static_cast<size_t>(h)].push_back(i + 1);
    planned += windows[static_cast<size_t>(i)].per_hour * length;
  }

  auto prep = [&](const char* sql) { return db->Prepare(sql); };
  int64_t rows = 0, clicks = 0;
  std::map<std::tuple<int64_t, int64_t, std::string>, Counts> account_dims;  // day, dim, value
  std::map<int64_t, Counts> account_days;
  std::map<std::pair<int64_t, int64_t>, Counts> link_days;  // link, day
  std::map<std::pair<int64_t, std::vector<std::string>>, Counts>
      account_day_combos;  // day, values without destination
  for (int64_t h = 0; h < hours; ++h) {
    const int64_t hour = first_hour + h * kHourUs;
    Counts account_hour;
    std::map<std::pair<int64_t, std::string>, Counts> account_hour_dims;
    std::map<std::vector<std::string>, Counts> account_hour_combos;  // without destination
    for (int64_t link : active[static_cast<size_t>(h)]) {
      const int64_t n = windows[static_cast<size_t>(link - 1)].per_hour;
      const int64_t k = std::clamp<int64_t>(n / 8, 1, 12);
      std::map<std::vector<std::string>, Counts> combos;
      for (int64_t c = 0; c < k; ++c) {
        std::vector<std::string> v = {Skewed(kCountries, rng),
                                      Skewed(kDevices, rng),
                                      Skewed(kOses, rng),
                                      Skewed(kBrowsers, rng),
                                      Skewed(kReferrers, rng),
                                      Skewed(kLanguages, rng),
                                      "https://example.com/landing/" + std::to_string(link - 1)};
        const int64_t share = n / k + (c < n % k ? 1 : 0);
        Counts& x = combos[v];
        const int64_t bots = share / 20;
        x.total += share - bots;
        x.bots += bots;
        x.unique += (share - bots) * 7 / 10;
      }
      Counts link_hour;
      std::map<std::pair<int64_t, std::string>, Counts> dims;
      {
        auto s =
            prep("INSERT INTO combo_rollups VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)");
        if (!s.ok()) return 1;
        for (const auto& [v, x] : combos) {
          if (!s->BindAll(hour, link, std::string_view(v[0]), std::string_view(v[1]),
                          std::string_view(v[2]), std::string_view(v[3]), std::string_view(v[4]),
                          std::string_view(v[5]), std::string_view(v[6]), x.total, x.unique, x.bots)
                   .ok() ||
              !s->Run().ok()) {
            return 1;
          }
          ++rows;
          link_hour.Add(x);
          account_hour_combos[std::vector<std::string>(v.begin(), v.end() - 1)].Add(x);
          for (int64_t d = 0; d < 7; ++d) {
            if (v[static_cast<size_t>(d)].empty()) continue;
            dims[{d, v[static_cast<size_t>(d)]}].Add(x);
          }
        }
      }
      auto s = prep(
          "INSERT INTO dim_rollups (link_id, dim, bucket_start_us, value, total, unique_count, "
          "bots, conversions, value_micros) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0)");
      if (!s.ok()) return 1;
      for (const auto& [dv, x] : dims) {
        if (!s->BindAll(link, dv.first, hour, std::string_view(dv.second), x.total, x.unique,
                        x.bots)
                 .ok() ||
            !s->Run().ok()) {
          return 1;
        }
        ++rows;
        account_hour_dims[dv].Add(x);
      }
      auto r = prep(
          "INSERT INTO rollups (link_id, granularity, bucket_start_us, total, unique_count, head, "
          "bots, conversions, value_micros) VALUES (?, 3600, ?, ?, ?, 0, ?, 0, 0)");
      if (!r.ok() ||
          !r->BindAll(link, hour, link_hour.total, link_hour.unique, link_hour.bots).ok() ||
          !r->Run().ok()) {
        return 1;
      }
      ++rows;
      clicks += link_hour.total + link_hour.bots;
      account_hour.Add(link_hour);
      link_days[{link, hour / kDayUs * kDayUs}].Add(link_hour);
    }
    auto a = prep(
        "INSERT INTO account_rollups (account_id, granularity, bucket_start_us, total, "
        "unique_count, bots, head, conversions, value_micros) VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0)");
    if (!a.ok() ||
        !a->BindAll(account, int64_t{3600}, hour, account_hour.total, account_hour.unique,
                    account_hour.bots)
             .ok() ||
        !a->Run().ok()) {
      return 1;
    }
    account_days[hour / kDayUs * kDayUs].Add(account_hour);
    auto ad = prep("INSERT INTO account_dim_rollups VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0)");
    if (!ad.ok()) return 1;
    for (const auto& [dv, x] : account_hour_dims) {
      if (!ad->BindAll(account, dv.first, int64_t{3600}, hour, std::string_view(dv.second), x.total,
                       x.unique, x.bots)
               .ok() ||
          !ad->Run().ok()) {
        return 1;
      }
      account_dims[{hour / kDayUs * kDayUs, dv.first, dv.second}].Add(x);
    }
    auto ac = prep(
        "INSERT INTO account_combo_rollups VALUES (?, 3600, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)");
    if (!ac.ok()) return 1;
    for (const auto& [v, x] : account_hour_combos) {
      if (!ac->BindAll(account, hour, std::string_view(v[0]), std::string_view(v[1]),
                       std::string_view(v[2]), std::string_view(v[3]), std::string_view(v[4]),
                       std::string_view(v[5]), x.total, x.unique, x.bots)
               .ok() ||
          !ac->Run().ok()) {
        return 1;
      }
      ++rows;
      account_day_combos[{hour / kDayUs * kDayUs, v}].Add(x);
    }
    if (h % 240 == 239) {
      if (!Exec(db, "COMMIT; BEGIN")) return 1;
      std::fprintf(stderr,
                   "report_bench: fill %" PRId64 "/%" PRId64 " hours, %" PRId64 " rows, %.0f s\n",
                   h + 1, hours, rows, Seconds(fill_start));
    }
  }
  {
    auto r = prep(
        "INSERT INTO rollups (link_id, granularity, bucket_start_us, total, unique_count, head, "
        "bots, conversions, value_micros) VALUES (?, 86400, ?, ?, ?, 0, ?, 0, 0)");
    if (!r.ok()) return 1;
    for (const auto& [ld, x] : link_days) {
      if (!r->BindAll(ld.first, ld.second, x.total, x.unique, x.bots).ok() || !r->Run().ok()) {
        return 1;
      }
    }
    auto a = prep(
        "INSERT INTO account_rollups (account_id, granularity, bucket_start_us, total, "
        "unique_count, bots, head, conversions, value_micros) VALUES (?, 86400, ?, ?, ?, ?, 0, 0, "
        "0)");
    if (!a.ok()) return 1;
    for (const auto& [day, x] : account_days) {
      if (!a->BindAll(account, day, x.total, x.unique, x.bots).ok() || !a->Run().ok()) return 1;
    }
    auto ad = prep("INSERT INTO account_dim_rollups VALUES (?, ?, 86400, ?, ?, ?, ?, ?, 0, 0)");
    if (!ad.ok()) return 1;
    for (const auto& [k, x] : account_dims) {
      const auto& [day, dim, value] = k;
      if (!ad->BindAll(account, dim, day, std::string_view(value), x.total, x.unique, x.bots)
               .ok() ||
          !ad->Run().ok()) {
        return 1;
      }
    }
    auto ac = prep(
        "INSERT INTO account_combo_rollups VALUES (?, 86400, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)");
    if (!ac.ok()) return 1;
    for (const auto& [k, x] : account_day_combos) {
      const auto& [day, v] = k;
      if (!ac->BindAll(account, day, std::string_view(v[0]), std::string_view(v[1]),
                       std::string_view(v[2]), std::string_view(v[3]), std::string_view(v[4]),
                       std::string_view(v[5]), x.total, x.unique, x.bots)
               .ok() ||
          !ac->Run().ok()) {
        return 1;
      }
    }
    rows += static_cast<int64_t>(link_days.size() + account_days.size() + account_dims.size() +
                                 account_day_combos.size());
  }
  // account_pair_rollups and account_destination_links: derived from the tables above by the
  // v13 migration's own backfill, which gives the rows the tracker would have written.
  if (!Exec(db, std::string(ct::sqlite::V13BackfillSql()))) return 1;
  if (!Exec(db, "COMMIT; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)")) return 1;
  opened->reset();
  std::printf("report_bench: filled %" PRId64 " links, %" PRId64 " clicks (planned %" PRId64
              ") in %" PRId64 " rollup rows over %" PRId64 " days, %.0f s\n",
              o.links, clicks, planned, rows, o.days, Seconds(fill_start));
  std::fflush(stdout);

  if (!server.Start(std::chrono::seconds(120))) {
    std::fprintf(stderr, "report_bench: serve did not start\n%s\n", server.Log().c_str());
    return 1;
  }
  const std::string range = "from=" + Iso(now_hour - 30 * kDayUs) + "&to=" + Iso(now_hour);
  struct Kind {
    std::string name;
    std::function<std::string(int64_t link)> target;
  };
  auto link_base = [](int64_t link) { return "/api/v1/links/" + std::to_string(link) + "/stats?"; };
  const std::vector<Kind> kinds = {
      {"link series, hour, 30 d",
       [&](int64_t l) { return link_base(l) + "interval=hour&" + range; }},
      {"link series, day, 30 d", [&](int64_t l) { return link_base(l) + "interval=day&" + range; }},
      {"account series, day, 30 d (+ top links)",
       [&](int64_t) { return "/api/v1/stats?interval=day&" + range; }},
      {"account series, hour, 30 d (+ top links)",
       [&](int64_t) { return "/api/v1/stats?interval=hour&" + range; }},
      {"account breakdown by country, 30 d",
       [&](int64_t) { return "/api/v1/stats?interval=day&group_by=country&" + range; }},
      {"link breakdown by country, 30 d",
       [&](int64_t l) { return link_base(l) + "interval=day&group_by=country&" + range; }},
      {"link filtered country=US&device=mobile, hour, 30 d",
       [&](int64_t l) { return link_base(l) + "interval=hour&country=US&device=mobile&" + range; }},
      {"link filtered os=ios + group_by=referrer, 30 d",
       [&](int64_t l) { return link_base(l) + "interval=day&os=ios&group_by=referrer&" + range; }},
      {"link compare=previous, day, 30 d",
       [&](int64_t l) { return link_base(l) + "interval=day&compare=previous&" + range; }},
      {"link series csv, hour, 30 d",
       [&](int64_t l) { return link_base(l) + "interval=hour&format=csv&" + range; }},
      {"account filtered country=US, day, 30 d",
       [&](int64_t) { return "/api/v1/stats?interval=day&country=US&" + range; }},
      {"account filtered country=US&device=mobile, hour, 30 d",
       [&](int64_t) { return "/api/v1/stats?interval=hour&country=US&device=mobile&" + range; }},
      {"account filtered os=ios + group_by=referrer, 30 d",
       [&](int64_t) { return "/api/v1/stats?interval=day&os=ios&group_by=referrer&" + range; }},
      {"account filtered device=mobile + group_by=country, 30 d",
       [&](int64_t) {
         return "/api/v1/stats?interval=day&device=mobile&group_by=country&" + range;
       }},
      {"account filtered destination + group_by=country, 30 d",
       [&](int64_t) {
         return "/api/v1/stats?interval=day&group_by=country&"
                "destination=https%3A%2F%2Fexample.com%2Flanding%2F0&" +
                range;
       }},
      {"account filtered destination, day, 30 d",
       [&](int64_t) {
         return "/api/v1/stats?interval=day&destination=https%3A%2F%2Fexample.com%2Flanding%2F0&" +
                range;
       }},
      {"account group_by=destination, day, 30 d",
       [&](int64_t) { return "/api/v1/stats?interval=day&group_by=destination&" + range; }},
      {"account filtered destination+country, day, 30 d",
       [&](int64_t) {
         return "/api/v1/stats?interval=day&country=US&"
                "destination=https%3A%2F%2Fexample.com%2Flanding%2F0&" +
                range;
       }},
  };
  int failures = 0;
  for (const Kind& k : kinds) {
    if (k.name.find(o.only) == std::string::npos) continue;
    std::vector<double> ms;
    const int n = o.requests;
    // Warm-up, not timed: a serving process has its pages cached; a cold first read of a
    // 10k-link account costs disk reads no steady state pays.
    for (int r = 0; r < 5; ++r) (void)ct::test::ApiCall(server.port(), "GET", k.target(1), key);
    for (int r = 0; r < n; ++r) {
      const int64_t link = 1 + r % std::min<int64_t>(100, o.links);
      const std::string target = k.target(link);
      const auto t0 = Steady::now();
      ct::test::HttpResponse resp = ct::test::ApiCall(server.port(), "GET", target, key);
      ms.push_back(Seconds(t0) * 1000);
      if (resp.status != 200) {
        if (++failures < 5)
          std::fprintf(stderr, "report_bench: %s -> %d %s\n", target.c_str(), resp.status,
                       resp.body.substr(0, 200).c_str());
      }
    }
    std::sort(ms.begin(), ms.end());
    auto at = [&](double q) {
      return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))];
    };
    std::printf("report_bench: %-52s p50=%7.1f ms p99=%7.1f ms (n=%d)\n", k.name.c_str(), at(0.5),
                at(0.99), n);
    std::fflush(stdout);
  }
  server.Terminate();
  return failures == 0 ? 0 : 1;
}
