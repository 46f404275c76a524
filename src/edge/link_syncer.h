// LinkSyncer: keeps a LinkTable in step with the store. One thread polls
// Store::LinksChangedSince(version) every `interval` (API changes must reach the edge within a
// second) and applies the changes (links, conversion goals, and the custom domains when they
// changed). A link with max_clicks gets its counter seeded from the store's committed clicks
// (GetLinkStats), and a spillover rotation its per-destination counters from the destination
// breakdown (GetBreakdown). On a store error it keeps serving the last table, logs (rate-limited),
// counts clicktrail_edge_link_sync_errors_total and retries next interval.
//
// With a LinkSnapshot (distributed mode: the store is remote), every successful poll is folded
// into it and saved (at most every few seconds, and at Stop); when the store cannot be reached
// before the table was ever loaded, the snapshot is loaded instead and polling resumes from its
// version. Counters of max_clicks and spillover links then start from 0 (the store that knows
// their committed clicks is the one that is down), so a cap may let a few extra clicks through.
//
// Ownership: borrows the Store, the LinkTable and the registry; all must outlive the syncer.
// Thread safety: Start/Stop from one thread; SyncNow() and loaded() from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "common/status.h"
#include "edge/link_snapshot.h"
#include "edge/link_table.h"
#include "monitor/metrics.h"
#include "store/store.h"

namespace ct::edge {

class LinkSyncer {
 public:
  static constexpr std::chrono::milliseconds kDefaultInterval{200};

  LinkSyncer(Store* store, LinkTable* table, MetricsRegistry* metrics,
             std::chrono::milliseconds interval = kDefaultInterval);
  ~LinkSyncer();  // Stop()s
  LinkSyncer(const LinkSyncer&) = delete;
  LinkSyncer& operator=(const LinkSyncer&) = delete;

  // Keeps `snapshot` (borrowed; outlives the syncer) as described above. Before Start().
  void set_snapshot(LinkSnapshot* snapshot) { snapshot_ = snapshot; }

  // Starts the polling thread; its first poll is a full load (version 0).
  void Start();
  // Wakes the thread and joins it. Idempotent.
  void Stop();
  // Asks for a poll now (e.g. the API after a change) instead of at the next interval.
  void SyncNow();

  // One poll, on the caller's thread: the syncer's thread calls it, and so may the API right
  // after a change, so that a link answers as soon as its 201 is sent. Polls are serialised:
  // two overlapping polls could apply an older change after a newer one.
  Status PollOnce();

  // True after the first successful full load (the table is also marked loaded).
  bool loaded() const { return table_->loaded(); }
  int64_t version() const;

 private:
  void Run();
  // Applies one poll's (or the snapshot's) changes to the table. `seed_from_store`: read the
  // committed clicks of capped and spillover links from the store (else they start at 0).
  void ApplyChanges(const LinkChanges& changes, bool domains, bool seed_from_store);
  // The store is unreachable and nothing was ever loaded: serve the snapshot, if there is one.
  void LoadSnapshot();
  int64_t CommittedClicks(const LinkRow& row);  // seed of a max_clicks counter
  // Seeds of spillover counters: committed clicks per destination URL.
  std::unordered_map<std::string, int64_t> CommittedClicksByDestination(const LinkRow& row);
  // Rows of the destination breakdown read for the seeds, the most clicked first: more than
  // the 51 x 100 rotation URLs a link can hold, so only old destinations could fall off.
  static constexpr int kMaxSeededDestinations = 10'000;

  Store* store_;
  LinkTable* table_;
  Counter* sync_errors_;
  Counter* links_skipped_;
  std::chrono::milliseconds interval_;
  LinkSnapshot* snapshot_ = nullptr;  // guarded by poll_mu_ once started

  mutable std::mutex mu_;
  std::mutex poll_mu_;  // held for a whole PollOnce
  std::condition_variable cv_;
  bool stop_ = false;
  bool wake_ = false;
  int64_t version_ = 0;  // guarded by mu_; only the polling thread writes it
  std::thread thread_;
};

}  // namespace ct::edge
