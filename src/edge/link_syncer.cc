#include "edge/link_syncer.h"

#include <cstdint>

#include "common/log.h"

namespace ct::edge {
namespace {
const Logger& Log() {
  static const Logger log("edge");
  return log;
}
}  // namespace

LinkSyncer::LinkSyncer(Store* store, LinkTable* table, MetricsRegistry* metrics,
                       std::chrono::milliseconds interval)
    : store_(store),
      table_(table),
      sync_errors_(metrics->AddCounter("clicktrail_edge_link_sync_errors_total",
                                       "Polls of the store for link changes that failed")),
      links_skipped_(metrics->AddCounter(
          "clicktrail_edge_links_skipped_total",
          "Links not served because their destination is unsafe in a Location header")),
      interval_(interval) {}

LinkSyncer::~LinkSyncer() { Stop(); }

void LinkSyncer::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void LinkSyncer::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard poll_lock(poll_mu_);
  if (snapshot_ != nullptr) {
    if (Status s = snapshot_->SaveIfDirty(true); !s.ok()) {
      Log().Warn("saving the link snapshot {}: {}", snapshot_->path(), s.ToString());
    }
  }
}

void LinkSyncer::SyncNow() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

int64_t LinkSyncer::version() const {
  std::lock_guard lock(mu_);
  return version_;
}

Status LinkSyncer::PollOnce() {
  std::lock_guard poll_lock(poll_mu_);
  int64_t since = version();
  Result<LinkChanges> changes = store_->LinksChangedSince(since);
  if (!changes.ok()) {
    // Keep serving the last table: a store outage must not take redirects down with it.
    sync_errors_->Inc();
    Log().Warn("link sync from version {} failed: {}", since, changes.status().ToString());
    if (snapshot_ != nullptr && !table_->loaded()) LoadSnapshot();
    return changes.status();
  }
  bool domains = since == 0 || changes->domains_changed;
  ApplyChanges(*changes, domains, true);
  {
    std::lock_guard lock(mu_);
    version_ = changes->max_version;
  }
  if (!table_->loaded()) table_->set_loaded();
  if (snapshot_ != nullptr) {
    snapshot_->Merge(*changes, domains);
    if (Status s = snapshot_->SaveIfDirty(false); !s.ok()) {
      Log().Warn("saving the link snapshot {}: {}", snapshot_->path(), s.ToString());
    }
  }
  return Status::Ok();
}

void LinkSyncer::ApplyChanges(const LinkChanges& changes, bool domains, bool seed_from_store) {
  if (!changes.links.empty() || domains) {
    LinkTable::SeedClicks seed;
    LinkTable::SeedDestinations seed_destinations;
    if (seed_from_store) {  // else no seeds: the counters start from 0
      seed = [this](const LinkRow& row) { return CommittedClicks(row); };
      seed_destinations = [this](const LinkRow& row) { return CommittedClicksByDestination(row); };
    }
    size_t skipped =
        table_->Apply(changes.links, domains ? &changes.domains : nullptr, seed, seed_destinations);
    if (skipped > 0) {
      links_skipped_->Inc(skipped);
      Log().Warn("{} link(s) with an unsafe destination not served", skipped);
    }
  }
  // Goals share the store's version counter with links, so the same poll carries them.
  if (!changes.goals.empty()) table_->ApplyGoals(changes.goals);
}

void LinkSyncer::LoadSnapshot() {
  Result<LinkChanges> snap = snapshot_->Load();
  if (!snap.ok()) {
    if (snap.status().code() != StatusCode::kNotFound) {
      Log().Error("link snapshot unusable, nothing to serve until the store answers: {}",
                  snap.status().ToString());
    }
    return;
  }
  ApplyChanges(*snap, true, false);
  {
    std::lock_guard lock(mu_);
    version_ = snap->max_version;
  }
  table_->set_loaded();
  Log().Warn(
      "store unreachable: serving {} link(s) from the snapshot {} (version {}); max_clicks and "
      "spillover counters start from 0 until the store answers",
      snap->links.size(), snapshot_->path(), snap->max_version);
}

int64_t LinkSyncer::CommittedClicks(const LinkRow& row) {
  // Every redirect the store has committed for the link, humans and bots alike: the edge
  // counts every GET toward max_clicks. Daily rollups over all time: a few thousand rows.
  StatsQuery q;
  q.account_id = row.account_id;
  q.link_id = row.id;
  q.from_us = 0;
  q.to_us = INT64_MAX / 2;
  q.interval = Interval::kDay;
  Result<std::optional<LinkStats>> stats = store_->GetLinkStats(q);
  if (!stats.ok()) {
    // Start from 0 rather than not serve the link; the cap may let a few extra clicks through.
    Log().Warn("max_clicks of link {}: click count unavailable: {}", row.id,
               stats.status().ToString());
    return 0;
  }
  return *stats ? (*stats)->total + (*stats)->bots : 0;
}

std::unordered_map<std::string, int64_t> LinkSyncer::CommittedClicksByDestination(
    const LinkRow& row) {
  // The destination breakdown (hourly dim_rollups, kept forever) over all time: every GET the
  // store committed per destination template, humans and bots, as the edge counts them.
  StatsQuery q;
  q.account_id = row.account_id;
  q.link_id = row.id;
  q.from_us = 0;
  q.to_us = INT64_MAX / 2;
  q.interval = Interval::kDay;
  std::unordered_map<std::string, int64_t> out;
  Result<std::optional<std::vector<BreakdownRow>>> rows =
      store_->GetBreakdown(q, Dimension::kDestination, kMaxSeededDestinations);
  if (!rows.ok()) {
    // As for max_clicks: serve the link from 0 rather than not at all.
    Log().Warn("spillover of link {}: clicks per destination unavailable: {}", row.id,
               rows.status().ToString());
    return out;
  }
  if (!*rows) return out;
  for (const BreakdownRow& b : **rows) {
    if (!b.value.empty()) out[b.value] = b.total + b.bots;
  }
  return out;
}

void LinkSyncer::Run() {
  for (;;) {
    Status s = PollOnce();  // errors are logged and counted inside; retried next interval
    (void)s;
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, interval_, [this] { return stop_ || wake_; });
    if (stop_) return;
    wake_ = false;
  }
}

}  // namespace ct::edge
