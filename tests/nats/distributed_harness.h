// The pieces of distributed mode wired together in one process for tests: a 3-node JetStream
// cluster, edges (journal + LocalBus + Shipper) and trackers (BusTracker) over one SQLite
// store (the Store interface; PostgreSQL implements the same). Every wait is bounded.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bus/local_bus.h"
#include "common/event.h"
#include "common/tally.h"
#include "journal/format.h"
#include "journal/reader.h"
#include "journal/writer.h"
#include "ship/shipped_cursor.h"
#include "ship/shipper.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/nats_cluster.h"
#include "testutil/temp_dir.h"
#include "tracker/bus_tracker.h"

namespace ct::test {

inline constexpr int64_t kDay0 = 1'704'067'200'000'000;  // 2024-01-01T00:00:00Z

// One edge: its journal and its shipper.
struct TestEdge {
  std::string id;
  std::string dir;
  MetricsRegistry metrics;
  std::unique_ptr<journal::JournalWriter> writer;
  std::unique_ptr<journal::JournalReader> reader;
  std::unique_ptr<LocalBus> bus;
  std::unique_ptr<Shipper> shipper;
  uint64_t next_event = 0;
  uint64_t next_tally = 0;

  // Opens the journal (segments of `segment_bytes`).
  void OpenJournal(uint64_t segment_bytes) {
    journal::JournalOptions o;
    o.dir = dir;
    o.segment_bytes = segment_bytes;
    o.commit_delay = std::chrono::microseconds(1000);
    o.preallocate = false;
    auto w = journal::JournalWriter::Open(o, journal::FileEnv::Posix(), &metrics, Clock::System());
    if (!w.ok()) throw std::runtime_error(w.status().ToString());
    writer = std::move(*w);
    reader = std::make_unique<journal::JournalReader>(dir, journal::FileEnv::Posix(), &metrics);
    bus = std::make_unique<LocalBus>(writer.get(), reader.get());
  }
  void StartShipper(ShipperOptions o, NatsOptions nats) {
    o.edge_id = id;
    o.cursor_path = dir + "/" + ship::kCursorFileName;
    shipper = std::make_unique<Shipper>(o, nats, bus.get(), &metrics, Clock::System());
    Status s = shipper->Start();
    if (!s.ok()) throw std::runtime_error(s.ToString());
  }
  void StopShipper() { shipper.reset(); }
  void Close() {
    StopShipper();
    bus.reset();
    if (writer) (void)writer->Close();
    reader.reset();
    writer.reset();
  }
  ~TestEdge() { Close(); }

  // Journals `n` click events of (account, link), ids unique per edge and number.
  void Journal(int64_t account, int64_t link, uint64_t n) {
    std::string framed;
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t k = next_event++;
      Event e;
      e.kind = EventKind::kClick;
      std::memset(e.id.data(), 0, e.id.size());
      std::memcpy(e.id.data(), id.data(), std::min<size_t>(id.size(), 8));
      std::memcpy(e.id.data() + 8, &k, 8);
      e.time_us = kDay0 + static_cast<int64_t>(k % 3600) * 1'000'000;
      e.link_id = link;
      e.account_id = account;
      e.ip = "192.0.2." + std::to_string(k % 250);
      e.user_agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0";
      std::string payload;
      EncodeEvent(e, &payload);
      journal::AppendRecord(&framed, journal::RecordType::kEvent, payload);
      if (framed.size() > 64 * 1024) {
        if (!writer->Append(framed).ok()) throw std::runtime_error("journal append failed");
        framed.clear();
      }
    }
    if (!framed.empty() && !writer->Append(framed).ok()) {
      throw std::runtime_error("journal append failed");
    }
  }
  // Journals one event as it is.
  void JournalEvent(const Event& e) {
    std::string payload, framed;
    EncodeEvent(e, &payload);
    journal::AppendRecord(&framed, journal::RecordType::kEvent, payload);
    if (!writer->Append(framed).ok()) throw std::runtime_error("journal append failed");
  }
  // Journals a heartbeat tally (no rows) stamped `as_of_us`, as the edge's TallySink does.
  void JournalTally(int64_t as_of_us) {
    Tally t;
    t.edge = id;
    t.run[0] = 7;
    t.seq = next_tally++;
    t.as_of_us = as_of_us;
    std::string payload, framed;
    EncodeTally(t, &payload);
    journal::AppendRecord(&framed, journal::RecordType::kTally, payload);
    if (!writer->Append(framed).ok()) throw std::runtime_error("journal append failed");
  }
  size_t Segments() const {
    size_t n = 0;
    for (const auto& f : std::filesystem::directory_iterator(dir)) {
      if (f.path().extension() == journal::kSegmentSuffix) ++n;
    }
    return n;
  }
};

// Options for fast tests: short backoffs, a short re-ship delay.
inline ShipperOptions FastShipper() {
  ShipperOptions o;
  o.retry_min = std::chrono::milliseconds(50);
  o.retry_max = std::chrono::milliseconds(1000);
  o.reship_after = std::chrono::seconds(2);
  o.silent_after = std::chrono::seconds(1);  // trackers republish every 500 ms (FastTracker)
  o.nice = 0;
  return o;
}

inline BusTrackerOptions FastTracker() {
  BusTrackerOptions o;
  o.retry_min = std::chrono::milliseconds(50);
  o.retry_max = std::chrono::milliseconds(1000);
  o.fetch_wait = std::chrono::milliseconds(200);
  o.watermark_every = std::chrono::milliseconds(500);
  o.nak_delay = std::chrono::milliseconds(200);
  return o;
}

// A bounded poll: true once `pred` holds.
template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

// COUNT(*) of a query on the store's file, through a separate read-only connection.
inline int64_t CountRows(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  int64_t n = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return n;
}

}  // namespace ct::test
