// Shipper: the edge's side of distributed mode. Its own thread reads the local journal (through
// the embedded bus, bus/local_bus.h: only fsynced records) from the shipped cursor and publishes
// each record to JetStream (bus/wire.h), asynchronously with at most max_in_flight awaiting
// their acks. The cursor moves only over records whose publish was acked, and is persisted in
// <journal dir>/shipped_cursor (shipped_cursor.h).
//
// A publish ack is not durability (JetStream fsyncs on an interval, its dedup window is minutes),
// so the journal is deleted only below the store's watermark: trackers publish on
// ct.watermark.<edge> the position below which everything is committed, and the shipper
// releases the segments wholly below it (Bus::Ack, as the embedded tracker does, and never past
// the newest committed tally: journal/tally_recovery.h needs it). When the cursor is ahead of a
// watermark that has not moved for reship_after while trackers keep republishing it (so they
// and the store are up, yet nothing arrives), the bus lost data (all nodes killed before they
// fsynced, the stream deleted): the shipper re-ships from the watermark, each time waiting
// twice as long (up to 16x); the store's event-id dedup makes that harmless. While the trackers
// are silent (the store is down: they publish only what they could read from it) the re-ship
// clock stops: a store outage of hours never re-ships the backlog onto the bus
// (docs/deployment.md "Re-shipping").
//
// The bus unreachable: retries with exponential backoff and jitter; the journal absorbs the
// backlog; redirects never wait (they only append to the journal). A connection that keeps
// failing is rebuilt (bus/jetstream_client.h).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "bus/bus.h"
#include "bus/jetstream_client.h"
#include "common/clock.h"
#include "monitor/metrics.h"

namespace ct {

struct ShipperOptions {
  std::string edge_id;      // edge.id: the subject ct.events.<edge_id>, the watermark's edge
  std::string cursor_path;  // <journal dir>/shipped_cursor
  size_t max_in_flight = 4096;
  size_t fetch_max = 1024;
  std::chrono::milliseconds fetch_wait{100};
  std::chrono::milliseconds retry_min{100};
  std::chrono::milliseconds retry_max{30000};
  std::chrono::seconds reship_after{30};  // edge.reship_after_s
  // Trackers republish every edge's watermark every 2 s while they can read the store, and
  // say nothing when they cannot. No watermark heard for this long means the store (or every
  // tracker) is down: re-shipping then only piles copies onto the bus, so the re-ship clock
  // stops until they speak again.
  std::chrono::milliseconds silent_after{10000};
  std::chrono::milliseconds cursor_save_interval{200};
  int nice = 10;  // redirects come first (DESIGN promise 1), as for the embedded tracker
};

class Shipper {
 public:
  // `journal` (the embedded bus over the edge's journal) must outlive the shipper; the shipper
  // is its only consumer.
  Shipper(ShipperOptions options, NatsOptions nats, Bus* journal, MetricsRegistry* metrics,
          Clock* clock);
  ~Shipper();

  // Reads the cursor file and starts the thread (it connects, and keeps retrying, by itself).
  Status Start();
  // Waits up to 2 s for the acks in flight, saves the cursor, disconnects. Idempotent.
  void Stop();

  // Everything before this position has a publish ack.
  uint64_t AckedPosition() const { return acked_.load(); }
  // The newest watermark received (0 if none).
  uint64_t Watermark() const { return watermark_.load(); }
  bool WaitAcked(uint64_t position, std::chrono::milliseconds timeout);
  uint64_t reships() const { return reships_.load(); }
  // Times the re-ship clock was held because no tracker spoke for silent_after.
  uint64_t silences() const { return silences_.load(); }

 private:
  struct InFlight {
    uint64_t to = 0;
    bool acked = false;
    size_t bytes = 0;
    natsMsg* msg = nullptr;  // identity only (owned by the library once published)
  };

  void Run();
  // Connects and subscribes to the watermark; false if the bus is unreachable.
  bool EnsureConnected();
  // Fetches one batch and publishes it; false on a publish failure.
  bool ShipSome();
  bool Publish(uint8_t type, uint64_t from, uint64_t to, std::string_view payload,
               uint64_t record_position);
  // Forgets what is in flight and ships again from `position` (a record boundary).
  void Rewind(uint64_t position);
  void HandleWatermark();
  void SaveCursor(bool force);
  void UpdateGauges();
  void Backoff();
  void OnAck(natsMsg* msg, const std::string& error);
  void OnWatermark(std::string_view data);

  const ShipperOptions options_;
  Bus* const journal_;
  Clock* const clock_;
  JetStreamClient client_;  // its callbacks (OnAck, OnWatermark) end with its Reset()

  // Thread-only.
  uint64_t fetch_cursor_ = 0;  // where the next Fetch starts
  uint64_t chain_from_ = 0;    // Ct-From of the next message: the last message's Ct-To
  uint64_t saved_ = UINT64_MAX;
  std::chrono::steady_clock::time_point last_save_{};
  uint64_t released_ = 0;
  uint64_t tally_limit_ = UINT64_MAX;  // the newest committed tally: segments from it stay
  uint64_t seen_watermark_ = 0;
  std::chrono::steady_clock::time_point watermark_moved_at_{};
  int reship_factor_ = 1;
  std::chrono::milliseconds delay_{0};

  // Shared with the library's callback threads.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, InFlight> in_flight_;  // by Ct-From
  std::set<uint64_t> tallies_;              // positions of shipped tally records
  bool failed_ = false;
  std::string last_error_;
  std::atomic<uint64_t> acked_{0};
  std::atomic<uint64_t> watermark_{0};
  std::atomic<bool> watermark_received_{false};
  std::atomic<int64_t> last_ack_steady_us_{0};
  std::atomic<int64_t> last_watermark_steady_us_{0};  // when a watermark was last heard
  std::atomic<uint64_t> reships_{0};
  std::atomic<uint64_t> silences_{0};
  bool silent_ = false;  // thread-only: the trackers were silent at the last look
  std::chrono::steady_clock::time_point last_announce_{};  // thread-only: on ct.edges
  std::atomic<bool> stopping_{false};
  uint64_t acked_records_ = 0;  // under mu_: for the records-behind estimate
  uint64_t acked_bytes_ = 0;
  std::thread thread_;

  Counter* records_shipped_;
  Counter* publish_failures_;
  Counter* reships_counter_;
  Counter* rebuilds_;
  Counter* gaps_;
  Gauge* lag_bytes_;
  Gauge* lag_records_;
  Gauge* last_ack_age_;
  Gauge* acked_position_;
  Gauge* watermark_gauge_;
  Gauge* in_flight_gauge_;
};

}  // namespace ct
