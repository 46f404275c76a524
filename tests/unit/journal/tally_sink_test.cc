// TallySink and ScanUntallied (journal/tally_sink.h, tally_recovery.h): every event record is
// counted once — in a tally, or by the next start's scan of what follows the last tally — and a
// failed append is answered-not-journaled only when the caller answered anyway.
#include "journal/tally_sink.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/tally.h"
#include "journal/tally_recovery.h"
#include "journal_test_util.h"

namespace ct::journal {
namespace {

using testing::TempDir;

constexpr int64_t kHour0 = 1'700'002'800'000'000;  // an hour start

std::string FramedEvent(int64_t time_us, EventIdGenerator* ids) {
  Event e;
  e.time_us = time_us;
  e.id = ids->Next(time_us);
  std::string payload, framed;
  EncodeEvent(e, &payload);
  AppendRecord(&framed, RecordType::kEvent, payload);
  return framed;
}

class FailingSink : public EventSink {
 public:
  explicit FailingSink(EventSink* inner) : inner_(inner) {}
  Result<uint64_t> Append(std::string_view framed) override {
    if (fail) return Status::ResourceExhausted("disk full (injected)");
    return inner_->Append(framed);
  }
  void WhenDurable(uint64_t p, std::function<void(const Status&)> done) override {
    inner_->WhenDurable(p, std::move(done));
  }
  uint64_t DurablePosition() const override { return inner_->DurablePosition(); }
  bool fail = false;

 private:
  EventSink* inner_;
};

class TallySinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    JournalOptions o;
    o.dir = dir_.path();
    o.preallocate = false;
    auto w = JournalWriter::Open(o, FileEnv::Posix(), &metrics_, &clock_);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    writer_ = std::move(*w);
    failing_ = std::make_unique<FailingSink>(writer_.get());
  }
  std::unique_ptr<TallySink> NewSink() {
    return std::make_unique<TallySink>(failing_.get(), TallyOptions{.edge_id = "e1"}, &clock_,
                                       &metrics_);
  }
  // Every tally in the journal, in order.
  std::vector<Tally> Tallies() {
    JournalReader r(dir_.path(), FileEnv::Posix(), &metrics_);
    std::vector<Tally> out;
    while (true) {
      auto b = r.Next(UINT64_MAX, 1000, 1 << 20);
      EXPECT_TRUE(b.ok());
      if (!b.ok() || b->records.empty()) break;
      for (const auto& rec : b->records) {
        if (rec.type != RecordType::kTally) continue;
        EXPECT_EQ(rec.flags & kFlagSafeToIgnore, kFlagSafeToIgnore);
        auto t = DecodeTally(rec.payload);
        EXPECT_TRUE(t.ok());
        if (t.ok()) out.push_back(*t);
      }
    }
    return out;
  }
  // Sum of a column over every tally, per hour.
  std::map<int64_t, std::pair<uint64_t, uint64_t>> Sums() {
    std::map<int64_t, std::pair<uint64_t, uint64_t>> sums;
    for (const Tally& t : Tallies()) {
      for (const TallyRow& r : t.rows) {
        sums[r.hour_us].first += r.answered;
        sums[r.hour_us].second += r.journaled;
      }
    }
    return sums;
  }

  TempDir dir_;
  MetricsRegistry metrics_;
  FakeClock clock_{kHour0 + 10'000'000};
  EventIdGenerator ids_;
  std::unique_ptr<JournalWriter> writer_;
  std::unique_ptr<FailingSink> failing_;
};

TEST_F(TallySinkTest, CountsPerHourAndSeqsTalliesOfOneRun) {
  auto sink = NewSink();
  ASSERT_TRUE(sink->Begin({}).ok());
  ASSERT_TRUE(sink->Append(FramedEvent(kHour0 + 1, &ids_) + FramedEvent(kHour0 + 2, &ids_)).ok());
  ASSERT_TRUE(sink->Append(FramedEvent(kHour0 + kMicrosPerHour, &ids_)).ok());
  ASSERT_TRUE(sink->Flush().ok());
  ASSERT_TRUE(sink->Flush().ok());  // nothing changed, heartbeat not due: no tally
  ASSERT_TRUE(sink->Stop().ok());

  std::vector<Tally> tallies = Tallies();
  ASSERT_EQ(tallies.size(), 3u);  // first (recovery), one with counts, final
  EXPECT_EQ(tallies[0].flags, kTallyRecovery);
  EXPECT_TRUE(tallies[0].rows.empty());
  EXPECT_EQ(tallies[2].flags, kTallyFinal);
  for (size_t i = 0; i < tallies.size(); ++i) {
    EXPECT_EQ(tallies[i].seq, i);
    EXPECT_EQ(tallies[i].run, tallies[0].run);
    EXPECT_EQ(tallies[i].edge, "e1");
  }
  auto sums = Sums();
  EXPECT_EQ(sums[kHour0], std::make_pair(uint64_t{2}, uint64_t{2}));
  EXPECT_EQ(sums[kHour0 + kMicrosPerHour], std::make_pair(uint64_t{1}, uint64_t{1}));
}

TEST_F(TallySinkTest, FailedAppendIsAnsweredNotJournaledUnlessRefused) {
  auto sink = NewSink();
  ASSERT_TRUE(sink->Begin({}).ok());
  failing_->fail = true;
  EXPECT_FALSE(sink->Append(FramedEvent(kHour0 + 1, &ids_)).ok());              // the edge
  EXPECT_FALSE(sink->refusing()->Append(FramedEvent(kHour0 + 2, &ids_)).ok());  // a 503
  // The journal refuses the tally too: its counts wait for the next one.
  EXPECT_FALSE(sink->Flush().ok());
  failing_->fail = false;
  ASSERT_TRUE(sink->refusing()->Append(FramedEvent(kHour0 + 3, &ids_)).ok());
  ASSERT_TRUE(sink->Stop().ok());
  auto sums = Sums();
  EXPECT_EQ(sums[kHour0], std::make_pair(uint64_t{2}, uint64_t{1}));
}

TEST_F(TallySinkTest, HeartbeatWhileIdle) {
  auto sink = NewSink();
  ASSERT_TRUE(sink->Begin({}).ok());
  ASSERT_TRUE(sink->Flush().ok());
  EXPECT_EQ(Tallies().size(), 1u);
  clock_.Advance(std::chrono::seconds(6));
  ASSERT_TRUE(sink->Flush().ok());
  EXPECT_EQ(Tallies().size(), 2u);
}

TEST_F(TallySinkTest, ScanCountsOnlyEventsAfterTheLastTallyOncePerId) {
  {
    auto sink = NewSink();
    ASSERT_TRUE(sink->Begin({}).ok());
    ASSERT_TRUE(sink->Append(FramedEvent(kHour0 + 1, &ids_)).ok());
    ASSERT_TRUE(sink->Flush().ok());
    // Appended after the last tally, then the process "dies" (no Stop: no final tally).
    std::string again = FramedEvent(kHour0 + 5, &ids_);
    ASSERT_TRUE(sink->Append(again + FramedEvent(kHour0 + kMicrosPerHour, &ids_)).ok());
    // A copy of a record on disk twice (a rewrite after an fsync failure) counts once.
    ASSERT_TRUE(writer_->Append(again).ok());
  }
  auto scan = ScanUntallied(dir_.path(), FileEnv::Posix());
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_TRUE(scan->found_tally);
  EXPECT_EQ(scan->events, 2u);
  EXPECT_EQ(scan->events_by_hour[kHour0], 1u);
  EXPECT_EQ(scan->events_by_hour[kHour0 + kMicrosPerHour], 1u);

  // The next start's first tally carries them; a scan after it finds nothing more.
  auto next = NewSink();
  ASSERT_TRUE(next->Begin(*scan).ok());
  auto sums = Sums();
  EXPECT_EQ(sums[kHour0], std::make_pair(uint64_t{2}, uint64_t{2}));
  EXPECT_EQ(sums[kHour0 + kMicrosPerHour], std::make_pair(uint64_t{1}, uint64_t{1}));
  auto rescan = ScanUntallied(dir_.path(), FileEnv::Posix());
  ASSERT_TRUE(rescan.ok());
  EXPECT_EQ(rescan->events, 0u);
}

TEST_F(TallySinkTest, ScanCountsRecordsLostToDamageAfterTheLastTally) {
  std::string second = FramedEvent(kHour0 + 2, &ids_);
  {
    auto sink = NewSink();
    ASSERT_TRUE(sink->Begin({}).ok());
    ASSERT_TRUE(sink->Flush().ok());
    ASSERT_TRUE(sink->Append(FramedEvent(kHour0 + 1, &ids_)).ok());
    ASSERT_TRUE(sink->Append(second).ok());
    ASSERT_TRUE(sink->Append(FramedEvent(kHour0 + kMicrosPerHour, &ids_)).ok());
  }
  writer_.reset();
  // One byte of the second event flipped: its CRC fails, the reader skips it as one record lost
  // and the tracker counts that loss in the hour of the event after it.
  std::string seg;
  for (const auto& f : std::filesystem::directory_iterator(dir_.path())) {
    if (f.path().extension() == ".seg") seg = f.path().string();
  }
  ASSERT_FALSE(seg.empty());
  std::string bytes;
  {
    std::ifstream in(seg, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const size_t at = bytes.find(second);
  ASSERT_NE(at, std::string::npos);
  bytes[at + second.size() / 2] ^= 0x5a;
  {
    std::ofstream out(seg, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  auto scan = ScanUntallied(dir_.path(), FileEnv::Posix());
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_EQ(scan->events, 3u);
  EXPECT_EQ(scan->events_by_hour[kHour0], 1u);
  EXPECT_EQ(scan->events_by_hour[kHour0 + kMicrosPerHour], 2u);
}

TEST_F(TallySinkTest, NoTallyNoRecovery) {
  ASSERT_TRUE(writer_->Append(FramedEvent(kHour0, &ids_)).ok());
  auto scan = ScanUntallied(dir_.path(), FileEnv::Posix());
  ASSERT_TRUE(scan.ok());
  EXPECT_FALSE(scan->found_tally);
  EXPECT_EQ(scan->events, 0u);
}

TEST_F(TallySinkTest, ScanFollowsTheTallyAcrossSegments) {
  writer_.reset();
  JournalOptions o;
  o.dir = dir_.path();
  o.preallocate = false;
  o.segment_bytes = 512;  // a few events per segment
  auto w = JournalWriter::Open(o, FileEnv::Posix(), &metrics_, &clock_);
  ASSERT_TRUE(w.ok());
  writer_ = std::move(*w);
  failing_ = std::make_unique<FailingSink>(writer_.get());
  auto sink = NewSink();
  ASSERT_TRUE(sink->Begin({}).ok());
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(sink->Append(FramedEvent(kHour0 + i, &ids_)).ok());
  EXPECT_GT(testing::CountSegments(dir_.path()), 3);
  auto scan = ScanUntallied(dir_.path(), FileEnv::Posix());
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(scan->events, 30u);
}

}  // namespace
}  // namespace ct::journal
