#include "api/edge_completeness.h"

#include <algorithm>

#include "common/log.h"
#include "common/time_format.h"
#include "store/edge_progress.h"

namespace ct::api {
namespace {

const Logger& Log() {
  static const Logger log("completeness");
  return log;
}

int64_t Micros(std::chrono::seconds s) {
  return std::chrono::duration_cast<std::chrono::microseconds>(s).count();
}

}  // namespace

Completeness CompletenessFromEdges(const std::vector<EdgeProgress>& edges, int64_t now_us,
                                   std::chrono::seconds stale_after, const std::string& store_error,
                                   std::vector<std::string>* stale_edges) {
  EdgeHorizon h = LiveEdgeHorizon(edges, now_us, stale_after);
  if (stale_edges != nullptr) *stale_edges = std::move(h.stale);
  Completeness c;
  c.complete_until_us = h.through_us - Micros(kStampToAppend);
  if (now_us - c.complete_until_us <= Micros(kReportsLagAfter)) return c;
  if (!store_error.empty()) {
    c.lagging_stage = "store";
    c.lagging_reason = store_error;
  } else {
    c.lagging_stage = "pipeline";
    if (h.slowest != nullptr) {
      c.lagging_reason =
          "edge " + h.slowest->edge + " is committed through " +
          (h.slowest->committed_through_us > 0 ? FormatIso8601(h.slowest->committed_through_us)
                                               : std::string("nothing yet")) +
          " (its journal, the bus or the trackers hold the rest)";
    }
  }
  return c;
}

EdgeCompleteness::EdgeCompleteness(Store* store, EdgeCompletenessOptions options, Clock* clock,
                                   MetricsRegistry* metrics)
    : store_(store),
      options_(options),
      clock_(clock),
      stale_gauge_(metrics->AddGauge(
          "clicktrail_completeness_stale_edges",
          "Edges whose committed watermark stopped while others moved (edge.stale_after_s): "
          "reports no longer wait for them")) {}

EdgeCompleteness::~EdgeCompleteness() { Stop(); }

void EdgeCompleteness::Start() {
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

void EdgeCompleteness::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  thread_.join();
}

void EdgeCompleteness::Run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    PollOnce();
    std::unique_lock lock(mu_);
    // Returns at the poll interval, or at once when a stop is requested.
    wake_.wait_for(lock, stop, options_.poll, [] { return false; });
  }
}

void EdgeCompleteness::PollOnce() {
  Result<std::vector<EdgeProgress>> edges = store_->ListEdgeProgress();
  if (!edges.ok()) {
    std::lock_guard lock(mu_);
    store_error_ = edges.status().ToString();
    return;
  }
  std::vector<std::string> stale =
      LiveEdgeHorizon(*edges, clock_->NowMicros(), options_.stale_after).stale;
  {
    std::lock_guard lock(mu_);
    store_error_.clear();
    edges_ = std::move(*edges);
    polled_ = true;
  }
  stale_gauge_->Set(static_cast<double>(stale.size()));
  if (stale != stale_logged_) {
    for (const std::string& e : stale) {
      if (std::find(stale_logged_.begin(), stale_logged_.end(), e) == stale_logged_.end()) {
        Log().Warn(
            "edge {} has committed nothing for {} s while others did: reports no longer "
            "wait for it",
            e, options_.stale_after.count());
      }
    }
    stale_logged_ = std::move(stale);
  }
}

Completeness EdgeCompleteness::Now() const {
  const int64_t now = clock_->NowMicros();
  std::lock_guard lock(mu_);
  if (!polled_) {  // the store never answered: nothing is known to be committed
    Completeness c;
    c.lagging_stage = "store";
    c.lagging_reason = store_error_.empty() ? "not read yet" : store_error_;
    return c;
  }
  return CompletenessFromEdges(edges_, now, options_.stale_after, store_error_);
}

}  // namespace ct::api
