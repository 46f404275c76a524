// EdgeCompleteness: the distributed mode's CompletenessSource (monitor/completeness.h). Every
// process that journals events (edges, and the api for server-to-server conversions) appends a
// tally record at least once a second, stamped with its own wall clock (journal/tally_sink.h);
// the commit whose watermark passes that record stores the stamp as the edge's
// committed_through (store.h EdgeProgress). Every event the edge stamped a little before it is
// then committed, so
//
//   complete_until = min(now, committed_through of every live edge) - kInFlight
//
// (kInFlight: monitor/completeness.h kStampToAppend). Which edges are live: store/edge_progress.h
// (a cleanly stopped edge is not waited for, nor one stale for `stale_after` while others moved;
// stale ones are named in the log and counted in clicktrail_completeness_stale_edges).
//
// Clock skew between edges does not matter: an edge's stamp bounds only its own events, stamped
// by the same clock. An edge never seen committing (a new one whose first events are in flight)
// is not waited for.
//
// Now() never waits on the store: a thread polls ListEdgeProgress every `poll`; while the store
// does not answer, the last answer stands (and ages, so the reports fall behind honestly).
//
// Thread safety: Now() from any thread. Ownership: borrows `store`, `clock`, `metrics`.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "monitor/completeness.h"
#include "monitor/metrics.h"
#include "store/store.h"

namespace ct::api {

struct EdgeCompletenessOptions {
  std::chrono::milliseconds poll{500};
  std::chrono::seconds stale_after{600};  // edge.stale_after_s
};

// The watermark from the edges' progress at `now_us`. `store_error`: why the last poll failed
// ("" if it did not): the stage to blame while the reports lag.
Completeness CompletenessFromEdges(const std::vector<EdgeProgress>& edges, int64_t now_us,
                                   std::chrono::seconds stale_after, const std::string& store_error,
                                   std::vector<std::string>* stale_edges = nullptr);

class EdgeCompleteness : public CompletenessSource {
 public:
  EdgeCompleteness(Store* store, EdgeCompletenessOptions options, Clock* clock,
                   MetricsRegistry* metrics);
  ~EdgeCompleteness() override;  // Stop()s

  // Starts the polling thread (it polls at once, then every `poll`). Until its first answer,
  // nothing is known to be complete.
  void Start();
  void Stop();

  Completeness Now() const override;

 private:
  void PollOnce();
  void Run(std::stop_token stop);

  Store* const store_;
  const EdgeCompletenessOptions options_;
  Clock* const clock_;
  Gauge* const stale_gauge_;
  mutable std::mutex mu_;
  std::condition_variable_any wake_;  // only waited on: a stop request wakes it
  bool polled_ = false;               // guarded by mu_: until then, nothing is known to be complete
  std::vector<EdgeProgress> edges_;   // guarded by mu_
  std::string store_error_;           // guarded by mu_
  std::vector<std::string> stale_logged_;  // the poll thread's
  std::jthread thread_;
};

}  // namespace ct::api
