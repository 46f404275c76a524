#include "journal/tally_sink.h"

#include "common/log.h"
#include "common/tally.h"
#include "journal/format.h"

namespace ct::journal {
namespace {

const Logger& Log() {
  static const Logger log("journal");
  return log;
}

uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

}  // namespace

TallySink::TallySink(EventSink* inner, TallyOptions options, Clock* clock, MetricsRegistry* metrics)
    : inner_(inner),
      options_(std::move(options)),
      clock_(clock),
      tallies_(metrics->AddCounter("clicktrail_edge_tallies_total",
                                   "Tally records (per-hour reconciliation counts) journaled.")),
      tally_errors_(metrics->AddCounter(
          "clicktrail_edge_tally_errors_total",
          "Tally records the journal refused (their counts are kept and sent with the next).")),
      run_(EventIdGenerator().Next()) {}

TallySink::~TallySink() {
  {
    std::lock_guard l(loop_mu_);
    stopping_ = true;
  }
  loop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TallySink::CountLocked(std::string_view framed, bool journaled) {
  // The buffer was framed in this process (journal/format.h): lengths are trusted.
  size_t at = 0;
  while (at + kRecordHeaderSize <= framed.size()) {
    const auto type = static_cast<RecordType>(framed[at + 2]);
    const size_t len = GetU32(framed.data() + at + 4);
    if (at + kRecordHeaderSize + len > framed.size()) break;
    if (type == RecordType::kEvent) {
      std::string_view payload = framed.substr(at + kRecordHeaderSize, len);
      Counts& c = pending_[HourStartMicros(EventPayloadTime(payload))];
      ++c.answered;
      if (journaled) ++c.journaled;
    }
    at += kRecordHeaderSize + len;
  }
}

Result<uint64_t> TallySink::AppendCounted(std::string_view framed, bool failure_answered) {
  std::lock_guard l(mu_);
  Result<uint64_t> pos = inner_->Append(framed);
  if (pos.ok() || failure_answered) CountLocked(framed, pos.ok());
  return pos;
}

Result<uint64_t> TallySink::Append(std::string_view framed) {
  return AppendCounted(framed, /*failure_answered=*/true);
}

void TallySink::WhenDurable(uint64_t position, std::function<void(const Status&)> done) {
  inner_->WhenDurable(position, std::move(done));
}

uint64_t TallySink::DurablePosition() const { return inner_->DurablePosition(); }

Status TallySink::AppendTallyLocked(uint8_t flags) {
  Tally t;
  t.edge = options_.edge_id;
  t.run = run_;
  t.seq = seq_;
  t.as_of_us = clock_->NowMicros();
  t.flags = flags;
  t.rows.reserve(pending_.size());
  for (const auto& [hour, c] : pending_) t.rows.push_back({hour, c.answered, c.journaled});
  std::string payload, framed;
  EncodeTally(t, &payload);
  AppendRecord(&framed, RecordType::kTally, payload, kFlagSafeToIgnore);
  Result<uint64_t> pos = inner_->Append(framed);
  if (!pos.ok()) {
    // Keep the counts: they go with the next tally the journal accepts.
    tally_errors_->Inc();
    return pos.status();
  }
  tallies_->Inc();
  pending_.clear();
  ++seq_;
  last_tally_ = clock_->SteadyNow();
  return Status::Ok();
}

Status TallySink::Begin(const UntalliedScan& recovered) {
  std::lock_guard l(mu_);
  if (begun_) return Status::FailedPrecondition("tally sink already begun");
  begun_ = true;
  for (const auto& [hour, n] : recovered.events_by_hour) {
    Counts& c = pending_[hour];
    c.answered += n;
    c.journaled += n;
  }
  if (recovered.events > 0) {
    Log().Warn(
        "reconciliation: {} journaled event(s) after the last tally (unclean stop) "
        "counted in this start's first tally",
        recovered.events);
  }
  return AppendTallyLocked(kTallyRecovery);
}

Status TallySink::Flush(bool final) {
  std::lock_guard l(mu_);
  if (stopped_) return Status::Ok();
  const bool heartbeat = clock_->SteadyNow() - last_tally_ >= options_.heartbeat;
  if (!final && pending_.empty() && !heartbeat) return Status::Ok();
  Status s = AppendTallyLocked(final ? kTallyFinal : 0);
  if (s.ok() && final) stopped_ = true;
  return s;
}

void TallySink::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void TallySink::Loop() {
  std::unique_lock l(loop_mu_);
  while (!stopping_) {
    loop_cv_.wait_for(l, options_.interval, [&] { return stopping_; });
    if (stopping_) break;
    l.unlock();
    if (Status s = Flush(); !s.ok()) {
      Log().Warn("reconciliation: could not journal a tally (kept for the next): {}", s.ToString());
    }
    l.lock();
  }
}

Status TallySink::Stop() {
  {
    std::lock_guard l(loop_mu_);
    stopping_ = true;
  }
  loop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  return Flush(/*final=*/true);
}

}  // namespace ct::journal
