// TallySink: an EventSink decorator that numbers what the edge journals, per UTC hour of the
// events' time, and appends those numbers to the journal itself as tally records
// (common/tally.h), so the tracker commits them with the hits and the reconciliation report can
// show answered = journaled = committed (README "Reconciliation").
//
// Counting is exact across kill -9 because it is tied to the journal's order: one mutex covers
// each inner Append together with its counting, and each tally's build, append and reset. So
// every event record before a tally in the journal is in that tally or an earlier one, and every
// one after it is in none. What a crash leaves untallied is therefore exactly the event records
// after the last tally: the next start counts them (journal/tally_recovery.h) and Begin() puts
// them in that run's first tally.
//
// Counts: an Append that succeeds counts its event records as answered and journaled. One that
// fails counts them as answered only (the edge answers anyway: "not journaled"), except through
// refusing(), whose caller tells its client the request failed (the S2S API's 503), so nothing
// was answered. The not-journaled counts live in memory until the next tally that the journal
// accepts: a kill -9 while the journal refuses appends loses them (the exposure window).
//
// Thread safety: every method is thread-safe. Ownership: borrows `inner`, `clock` and `metrics`.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "common/clock.h"
#include "common/event.h"
#include "common/status.h"
#include "journal/event_sink.h"
#include "journal/tally_recovery.h"
#include "monitor/metrics.h"

namespace ct::journal {

struct TallyOptions {
  std::string edge_id = "local";  // common/tally.h ValidEdgeId
  // A tally at most this long after a count changed.
  std::chrono::milliseconds interval{1000};
  // While nothing changes, an empty tally this often: its time tells the report how far the
  // tracker has caught up with this edge.
  std::chrono::milliseconds heartbeat{5000};
};

class TallySink : public EventSink {
 public:
  TallySink(EventSink* inner, TallyOptions options, Clock* clock, MetricsRegistry* metrics);
  ~TallySink() override;  // Stop()s (without a final tally if Stop was not called)

  // Appends this run's first tally (kTallyRecovery), carrying the events a previous run left
  // untallied. Call once, before anything else is appended.
  [[nodiscard]] Status Begin(const UntalliedScan& recovered);
  // Starts the thread that appends a tally every `interval` while counts change.
  void Start();
  // Stops the thread and appends the final tally (kTallyFinal). Call after every producer
  // (edge, API) stopped appending and before the journal is closed. Idempotent.
  [[nodiscard]] Status Stop();
  // Appends a tally now if counts changed (or the heartbeat is due, or `final`).
  [[nodiscard]] Status Flush(bool final = false);

  Result<uint64_t> Append(std::string_view framed) override;
  void WhenDurable(uint64_t position, std::function<void(const Status&)> done) override;
  uint64_t DurablePosition() const override;

  // The same sink for a caller that refuses its request when the append fails.
  EventSink* refusing() { return &refusing_; }

  const std::string& edge_id() const { return options_.edge_id; }

 private:
  class Refusing : public EventSink {
   public:
    explicit Refusing(TallySink* owner) : owner_(owner) {}
    Result<uint64_t> Append(std::string_view framed) override {
      return owner_->AppendCounted(framed, /*failure_answered=*/false);
    }
    void WhenDurable(uint64_t position, std::function<void(const Status&)> done) override {
      owner_->WhenDurable(position, std::move(done));
    }
    uint64_t DurablePosition() const override { return owner_->DurablePosition(); }

   private:
    TallySink* owner_;
  };
  struct Counts {
    uint64_t answered = 0;
    uint64_t journaled = 0;
  };

  Result<uint64_t> AppendCounted(std::string_view framed, bool failure_answered);
  void CountLocked(std::string_view framed, bool journaled);
  Status AppendTallyLocked(uint8_t flags);
  void Loop();

  EventSink* const inner_;
  const TallyOptions options_;
  Clock* const clock_;
  Counter* tallies_;
  Counter* tally_errors_;
  Refusing refusing_{this};
  const EventId run_;

  std::mutex mu_;  // held across inner_->Append: see the class comment
  std::map<int64_t, Counts> pending_;
  uint64_t seq_ = 0;
  std::chrono::steady_clock::time_point last_tally_;
  bool begun_ = false;
  bool stopped_ = false;

  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ct::journal
