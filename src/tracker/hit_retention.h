// HitRetention: deletes raw hits older than tracker.hits_retention_days, in small batches on a
// thread of its own, so the database does not grow forever with the click stream. Rollups (all
// unfiltered reports) are never touched; the click stream (/hits) and filtered reports cover
// the retention window only.
//
// The same sweep prunes the IP sightings of ip_30min unique counting (Store::ExpireIpSightings)
// older than kIpSightingsKeepUs, whatever the hits retention (so the thread always runs).
//
// Each batch is one short write transaction (Store::ExpireHits bounds it), with a pause between
// batches so the tracker's commits interleave and never wait behind a long delete.
//
// With an export directory (tracker.hits_export_dir), hits are exported before they are
// deleted (tracker/hit_export.h): whole UTC days only — a day expires once all of it is older
// than the retention — each day's hits written durably to hits-YYYY-MM-DD.ndjson.gz first, and
// then exactly the exported hits deleted (Store::DeleteHits, batch_rows per transaction). A
// late hit of an already exported day is appended to its file by the next sweep.
// Thread safety: Start/Stop from one thread; RunOnce may be called from any one thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"
#include "tracker/hit_export.h"

namespace ct {

struct HitRetentionOptions {
  int64_t retention_days = 0;                   // 0: keep every hit (only sightings are pruned)
  std::chrono::milliseconds interval{600'000};  // between sweeps
  int64_t batch_rows = 5000;                    // rows per ExpireHits transaction
  std::chrono::milliseconds pause{20};          // between batches of one sweep
  std::string export_dir;                       // "" = delete without exporting
};

class HitRetention {
 public:
  HitRetention(HitRetentionOptions options, Store* store, Clock* clock);
  ~HitRetention();  // stops the thread

  void Start();
  void Stop();
  // One sweep: batches until one deletes fewer than batch_rows (or Stop). Returns the number
  // of hits deleted; the first store error ends the sweep (retried at the next interval).
  Result<int64_t> RunOnce();
  // One sweep of the IP sightings, batched the same way. Returns the number deleted.
  Result<int64_t> PruneIpSightings();

 private:
  void Loop();
  Result<int64_t> ExportAndExpire();
  // Waits `d` unless Stop() is called first; true when stopping.
  bool StopRequested(std::chrono::milliseconds d);

  const HitRetentionOptions options_;
  Store* store_;
  Clock* clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace ct
