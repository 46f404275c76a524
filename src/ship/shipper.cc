#include "ship/shipper.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

#include "bus/wire.h"
#include "common/log.h"
#include "common/random.h"
#include "ship/shipped_cursor.h"

namespace ct {
namespace {

const Logger& Log() {
  static const Logger log("shipper");
  return log;
}

constexpr uint8_t kTallyRecordType = 2;  // journal/format.h RecordType::kTally

int64_t SteadyMicros(const Clock* clock) {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             clock->SteadyNow().time_since_epoch())
      .count();
}

std::string HeaderOf(natsMsg* msg, const char* name) {
  const char* v = nullptr;
  if (natsMsgHeader_Get(msg, name, &v) != NATS_OK || v == nullptr) return "";
  return v;
}

}  // namespace

Shipper::Shipper(ShipperOptions options, NatsOptions nats, Bus* journal, MetricsRegistry* m,
                 Clock* clock)
    : options_(std::move(options)), journal_(journal), clock_(clock), client_(std::move(nats)) {
  const std::string edge = "edge=\"" + options_.edge_id + "\"";
  records_shipped_ = m->AddCounter("clicktrail_ship_records_total",
                                   "Journal records acknowledged by JetStream.", edge);
  publish_failures_ = m->AddCounter("clicktrail_ship_publish_failures_total",
                                    "Publishes that failed or timed out (shipped again).", edge);
  reships_counter_ =
      m->AddCounter("clicktrail_ship_reships_total",
                    "Times the edge re-shipped from the watermark (the bus lost data).", edge);
  rebuilds_ = m->AddCounter("clicktrail_ship_connection_rebuilds_total",
                            "NATS connections torn down after failing repeatedly.", edge);
  gaps_ = m->AddCounter("clicktrail_ship_gaps_total",
                        "Gap messages shipped for journal bytes lost to corruption.", edge);
  lag_bytes_ = m->AddGauge("clicktrail_ship_lag_bytes",
                           "Durable journal bytes not yet acknowledged by JetStream.", edge);
  lag_records_ = m->AddGauge(
      "clicktrail_ship_lag_records",
      "Records not yet acknowledged by JetStream (lag bytes / mean shipped record size).", edge);
  last_ack_age_ = m->AddGauge("clicktrail_ship_last_ack_age_seconds",
                              "Seconds since the last publish ack.", edge);
  acked_position_ = m->AddGauge("clicktrail_ship_acked_position",
                                "Journal position up to which every record is acked.", edge);
  watermark_gauge_ = m->AddGauge("clicktrail_ship_watermark",
                                 "Journal position below which the store has committed.", edge);
  in_flight_gauge_ =
      m->AddGauge("clicktrail_ship_in_flight", "Published records awaiting their ack.", edge);
  client_.EnablePublishAsync(static_cast<int64_t>(options_.max_in_flight),
                             [this](natsMsg* msg, const std::string& error) { OnAck(msg, error); });
}

Shipper::~Shipper() { Stop(); }

Status Shipper::Start() {
  if (!wire::ValidEdgeId(options_.edge_id)) {
    return Status::InvalidArgument("edge.id must be 1-64 of A-Z a-z 0-9 . _ - in distributed mode");
  }
  Result<uint64_t> cursor = ship::ReadShippedCursor(options_.cursor_path);
  if (!cursor.ok()) return cursor.status();
  acked_ = *cursor;
  fetch_cursor_ = chain_from_ = saved_ = *cursor;
  last_ack_steady_us_ = SteadyMicros(clock_);
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void Shipper::Stop() {
  stopping_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Shipper::WaitAcked(uint64_t position, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return acked_.load() >= position; });
}

void Shipper::Run() {
  if (options_.nice != 0) {
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), options_.nice) != 0) {
      Log().Warn("could not lower the shipper thread's priority to nice {}", options_.nice);
    }
  }
  uint64_t last_acked = acked_.load();
  while (!stopping_) {
    UpdateGauges();
    if (!EnsureConnected()) {
      Backoff();
      continue;
    }
    HandleWatermark();
    if (acked_.load() != last_acked) {  // progress: the bus works
      last_acked = acked_.load();
      delay_ = std::chrono::milliseconds(0);
      client_.ReportSuccess();
    }
    SaveCursor(false);
    bool failed = false;
    std::string error;
    {
      std::lock_guard lock(mu_);
      failed = failed_;
      error = last_error_;
    }
    if (!failed && natsConnection_Status(client_.connection()) != NATS_CONN_STATUS_CONNECTED) {
      // The library is reconnecting: publishing now would only fill its buffer. The acks in
      // flight time out meanwhile (nats.request_timeout) and are shipped again.
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, options_.fetch_wait, [&] { return stopping_.load() || failed_; });
      continue;
    }
    if (!failed && ShipSome()) continue;
    {
      std::lock_guard lock(mu_);
      error = last_error_;
    }
    publish_failures_->Inc();
    Log().Warn("publishing to JetStream failed, shipping again from {}: {}", acked_.load(), error);
    if (client_.ReportFailure()) rebuilds_->Inc();
    Rewind(acked_.load());
    Backoff();
  }
  {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(2), [&] { return in_flight_.empty() || failed_; });
  }
  SaveCursor(true);
  // After this no library callback runs into this object (jetstream_client.h): the destructor
  // may follow at once.
  client_.Reset();
}

bool Shipper::EnsureConnected() {
  if (client_.connected() && client_.subscribed()) return true;
  Status s = client_.Connect();
  if (!s.ok()) {
    Log().Warn("NATS unreachable (the journal keeps the backlog): {}", s.ToString());
    return false;
  }
  s = client_.Subscribe(wire::WatermarkSubject(options_.edge_id),
                        [this](std::string_view data) { OnWatermark(data); });
  if (!s.ok()) {
    Log().Warn("{}", s.ToString());
    client_.Reset();
    return false;
  }
  Log().Info("connected to NATS; shipping from {}", acked_.load());
  Rewind(acked_.load());  // what was in flight on an older connection is shipped again
  return true;
}

bool Shipper::ShipSome() {
  size_t room = 0;
  {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, options_.fetch_wait, [&] {
      return in_flight_.size() < options_.max_in_flight || failed_ || stopping_.load();
    });
    if (failed_) return false;
    if (in_flight_.size() >= options_.max_in_flight) return true;
    room = options_.max_in_flight - in_flight_.size();
  }
  Result<BusBatch> batch =
      journal_->Fetch(fetch_cursor_, std::min(room, options_.fetch_max), options_.fetch_wait);
  if (!batch.ok()) {
    Log().Warn("reading the journal failed: {}", batch.status().ToString());
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, options_.retry_min, [&] { return stopping_.load(); });
    return true;
  }
  std::vector<BusLoss> losses = batch->losses;
  std::sort(losses.begin(), losses.end(),
            [](const BusLoss& a, const BusLoss& b) { return a.position < b.position; });
  size_t li = 0;
  uint64_t lost = 0;
  for (const BusRecord& r : batch->records) {
    while (li < losses.size() && losses[li].position < r.position) lost += losses[li++].records;
    if (lost > 0 && r.position > chain_from_) {
      // The bytes the reader skipped before this record: a gap message lets the watermark
      // pass them and reconciliation count them.
      if (!Publish(wire::kGapType, chain_from_, r.position, wire::GapPayload(lost), chain_from_)) {
        return false;
      }
      gaps_->Inc();
      chain_from_ = r.position;
      lost = 0;
    }
    if (!Publish(r.type, chain_from_, r.next_position, r.payload, r.position)) return false;
    chain_from_ = r.next_position;
  }
  while (li < losses.size()) lost += losses[li++].records;
  if (lost > 0 && batch->next_position > chain_from_) {
    if (!Publish(wire::kGapType, chain_from_, batch->next_position, wire::GapPayload(lost),
                 chain_from_)) {
      return false;
    }
    gaps_->Inc();
    chain_from_ = batch->next_position;
  }
  fetch_cursor_ = batch->next_position;
  return true;
}

bool Shipper::Publish(uint8_t type, uint64_t from, uint64_t to, std::string_view payload,
                      uint64_t record_position) {
  const std::string subject = wire::EventsSubject(options_.edge_id);
  natsMsg* msg = nullptr;
  natsStatus s = natsMsg_Create(&msg, subject.c_str(), nullptr, payload.data(),
                                static_cast<int>(payload.size()));
  if (s == NATS_OK) {
    const std::string id = wire::MsgId(options_.edge_id, type, from, payload);
    const std::string type_s = std::to_string(type);
    const std::string from_s = std::to_string(from);
    const std::string to_s = std::to_string(to);
    s = natsMsgHeader_Set(msg, wire::kMsgIdHeader, id.c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, wire::kEdgeHeader, options_.edge_id.c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, wire::kTypeHeader, type_s.c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, wire::kFromHeader, from_s.c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, wire::kToHeader, to_s.c_str());
  }
  if (s == NATS_OK) {
    std::lock_guard lock(mu_);
    in_flight_[from] = {to, false, payload.size(), msg};
    if (type == kTallyRecordType) tallies_.insert(record_position);
  }
  if (s == NATS_OK) {
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = client_.options().request_timeout.count();
    s = js_PublishMsgAsync(client_.js(), &msg, &po);  // takes the message on success
  }
  if (s == NATS_OK) return true;
  if (msg != nullptr) natsMsg_Destroy(msg);
  std::lock_guard lock(mu_);
  in_flight_.erase(from);
  failed_ = true;
  last_error_ = NatsStatus(s, "publishing").ToString();
  return false;
}

void Shipper::OnAck(natsMsg* msg, const std::string& error) {
  Result<uint64_t> from = wire::ParseDecimal(HeaderOf(msg, wire::kFromHeader));
  Result<uint64_t> to = wire::ParseDecimal(HeaderOf(msg, wire::kToHeader));
  if (!from.ok() || !to.ok()) return;
  uint64_t n = 0;
  {
    std::lock_guard lock(mu_);
    auto it = in_flight_.find(*from);
    // Another message for the same range (shipped again after a rewind) proves the same
    // thing when it is acked, but its failure is no longer ours to act on. One for another
    // range from the same start (a gap cut where another fetch ended) proves nothing.
    if (it == in_flight_.end() || it->second.to != *to) return;
    if (!error.empty()) {
      if (it->second.msg == msg) {
        failed_ = true;
        last_error_ = error;
        cv_.notify_all();
      }
      return;
    }
    it->second.acked = true;
    while (!in_flight_.empty() && in_flight_.begin()->second.acked) {
      const InFlight& f = in_flight_.begin()->second;
      acked_ = f.to;
      ++acked_records_;
      acked_bytes_ += f.bytes;
      in_flight_.erase(in_flight_.begin());
      ++n;
    }
  }
  if (n > 0) {
    records_shipped_->Inc(n);
    last_ack_steady_us_ = SteadyMicros(clock_);
    cv_.notify_all();
  }
}

void Shipper::OnWatermark(std::string_view data) {
  Result<uint64_t> w = wire::ParseDecimal(data);
  if (!w.ok()) return;
  // The largest wins: trackers' periodic republishes may carry an older value.
  uint64_t cur = watermark_.load();
  while (*w > cur && !watermark_.compare_exchange_weak(cur, *w)) {
  }
  last_watermark_steady_us_ = SteadyMicros(clock_);
  watermark_received_ = true;
}

void Shipper::Rewind(uint64_t position) {
  std::lock_guard lock(mu_);
  in_flight_.clear();
  failed_ = false;
  acked_ = position;
  fetch_cursor_ = chain_from_ = position;
  cv_.notify_all();
}

void Shipper::HandleWatermark() {
  const auto now = clock_->SteadyNow();
  const auto heard = std::chrono::microseconds(SteadyMicros(clock_) - last_watermark_steady_us_);
  const bool silent = !watermark_received_ || heard > options_.silent_after;
  if (silent && now - last_announce_ >= std::chrono::seconds(2)) {
    // Say this edge exists: a tracker that never committed for it (new, or the stream was
    // lost with everything it held) then republishes its watermark.
    last_announce_ = now;
    (void)natsConnection_PublishString(client_.connection(), wire::kEdgesSubject,
                                       options_.edge_id.c_str());
  }
  if (!watermark_received_) return;
  const uint64_t w = watermark_.load();
  if (w > seen_watermark_ || watermark_moved_at_ == std::chrono::steady_clock::time_point{}) {
    seen_watermark_ = w;
    watermark_moved_at_ = now;
    reship_factor_ = 1;
  }
  // Delete the journal below the watermark, but keep the newest committed tally's segment.
  {
    std::lock_guard lock(mu_);
    auto it = tallies_.lower_bound(w);
    if (it != tallies_.begin()) {
      --it;
      tally_limit_ = *it;
      tallies_.erase(tallies_.begin(), it);
    }
  }
  const uint64_t release = std::min(w, tally_limit_);
  if (release > released_) {
    Status s = journal_->Ack(release);
    if (s.ok()) {
      released_ = release;
    } else {
      Log().Warn("deleting journal segments below {} failed: {}", release, s.ToString());
    }
  }
  if (w > chain_from_) {  // committed past all we shipped (a lost cursor file): skip ahead
    Log().Info("the store has committed up to {}, past the shipped {}: skipping ahead", w,
               chain_from_);
    Rewind(w);
    return;
  }
  // Silent trackers: the store is down (or every tracker). The bus keeps what was shipped;
  // re-shipping would only add copies. The clock restarts when they speak again.
  if (silent) {
    if (!silent_) {
      Log().Info("no watermark for {} ms (store or trackers down): not re-shipping meanwhile",
                 std::chrono::duration_cast<std::chrono::milliseconds>(heard).count());
      silences_++;
    }
    silent_ = true;
    watermark_moved_at_ = now;
    return;
  }
  silent_ = false;
  // The stall is counted from when the edge got ahead of the watermark, not from its last move:
  // an idle edge whose watermark rested for hours has not been waiting on anything.
  if (acked_.load() <= w) watermark_moved_at_ = now;
  const auto wait = options_.reship_after * reship_factor_;
  if (acked_.load() > w && now - watermark_moved_at_ >= wait) {
    Log().Warn(
        "the watermark has stayed at {} for {} s while {} is shipped: the bus lost data; "
        "shipping again from the watermark",
        w, std::chrono::duration_cast<std::chrono::seconds>(wait).count(), acked_.load());
    Rewind(w);
    ++reships_;
    reships_counter_->Inc();
    reship_factor_ = std::min(reship_factor_ * 2, 16);
    watermark_moved_at_ = now;
  }
}

void Shipper::SaveCursor(bool force) {
  const uint64_t a = acked_.load();
  const auto now = clock_->SteadyNow();
  if (a == saved_ || (!force && now - last_save_ < options_.cursor_save_interval)) return;
  Status s = ship::WriteShippedCursor(options_.cursor_path, a);
  if (!s.ok()) {
    Log().Warn("saving the shipped cursor failed: {}", s.ToString());
    return;
  }
  saved_ = a;
  last_save_ = now;
}

void Shipper::UpdateGauges() {
  const uint64_t acked = acked_.load();
  const uint64_t end = journal_->EndPosition();
  const uint64_t lag = end > acked ? end - acked : 0;
  double per_record = 0;
  size_t in_flight = 0;
  {
    std::lock_guard lock(mu_);
    if (acked_records_ > 0) {
      per_record = static_cast<double>(acked_bytes_ + 12 * acked_records_) /
                   static_cast<double>(acked_records_);
    }
    in_flight = in_flight_.size();
  }
  lag_bytes_->Set(static_cast<double>(lag));
  lag_records_->Set(per_record > 0 ? static_cast<double>(lag) / per_record : 0);
  last_ack_age_->Set(static_cast<double>(SteadyMicros(clock_) - last_ack_steady_us_.load()) / 1e6);
  acked_position_->Set(static_cast<double>(acked));
  watermark_gauge_->Set(static_cast<double>(watermark_.load()));
  in_flight_gauge_->Set(static_cast<double>(in_flight));
}

void Shipper::Backoff() {
  delay_ = delay_.count() == 0 ? options_.retry_min : std::min(delay_ * 2, options_.retry_max);
  // Full jitter over the upper half: edges that lost the bus together do not retry in step.
  const auto sleep = delay_ / 2 + std::chrono::milliseconds(
                                      RandomU64() % static_cast<uint64_t>(delay_.count() / 2 + 1));
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, sleep, [&] { return stopping_.load(); });
}

}  // namespace ct
