// The writer under injected faults (RELIABILITY.md F2, F5, F6): fsync and write errors, short
// writes, disk full, power loss.
#include <cerrno>
#include <mutex>
#include <set>

#include "journal/fault_injection_env.h"
#include "journal_test_util.h"

namespace ct::journal {
namespace {
using namespace testing;

std::set<std::string> AsSet(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

class FaultTest : public ::testing::Test {
 protected:
  std::unique_ptr<JournalWriter> OpenWriter(JournalOptions o) {
    auto w = JournalWriter::Open(o, &env_, &metrics_, Clock::System());
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(*w) : nullptr;
  }
  double Metric(const std::string& name) { return metrics_.Value(name); }

  TempDir dir_;
  FaultInjectionEnv env_{FileEnv::Posix()};
  MetricsRegistry metrics_;
};

TEST_F(FaultTest, FsyncFailsOnceRecordsRewrittenToNewSegmentNoLoss) {
  auto w = OpenWriter(SmallOptions(dir_.path()));
  ASSERT_NE(w, nullptr);
  env_.FailSyncs(1, EIO);
  uint64_t last = 0;
  for (int i = 0; i < 5; ++i) last = *w->Append(Framed(i));
  ASSERT_TRUE(WaitDurable(w.get(), last).ok());
  EXPECT_TRUE(w->health().ok());
  EXPECT_EQ(Metric("clicktrail_journal_fsync_errors_total"), 1);
  EXPECT_EQ(Metric("clicktrail_journal_rewrites_total"), 1);
  EXPECT_EQ(CountSegments(dir_.path()), 2);  // the abandoned one and the rewrite
  // Every record is there; copies left in the abandoned file are duplicates (dedup by id).
  auto got = ReadAllPayloads(dir_.path(), &metrics_, w->DurablePosition());
  EXPECT_EQ(AsSet(got), AsSet(Payloads(0, 5)));
  // Appends go on in the new segment.
  uint64_t p = *w->Append(Framed(5));
  ASSERT_TRUE(WaitDurable(w.get(), p).ok());
  EXPECT_EQ(AsSet(ReadAllPayloads(dir_.path(), &metrics_, w->DurablePosition())),
            AsSet(Payloads(0, 6)));
}

TEST_F(FaultTest, NeverRetriesFsyncOnSameFile) {
  auto w = OpenWriter(SmallOptions(dir_.path()));
  ASSERT_NE(w, nullptr);
  env_.FailSyncs(1, EIO);
  uint64_t last = 0;
  for (int i = 0; i < 3; ++i) last = *w->Append(Framed(i));
  ASSERT_TRUE(WaitDurable(w.get(), last).ok());
  for (int i = 3; i < 6; ++i) last = *w->Append(Framed(i));
  ASSERT_TRUE(WaitDurable(w.get(), last).ok());
  ASSERT_TRUE(w->Close().ok());
  auto calls = env_.sync_calls();
  auto failed = std::find_if(calls.begin(), calls.end(), [](auto& c) { return !c.ok; });
  ASSERT_NE(failed, calls.end());
  for (auto it = std::next(failed); it != calls.end(); ++it) {
    EXPECT_NE(it->path, failed->path) << "fsync retried on a file whose fsync failed";
  }
}

TEST_F(FaultTest, FsyncFailsAlwaysWriterFailStopsAndWaitersGetError) {
  auto w = OpenWriter(SmallOptions(dir_.path()));
  ASSERT_NE(w, nullptr);
  env_.FailSyncs(FaultInjectionEnv::kForever, EIO);
  auto p = w->Append(Framed(1));
  ASSERT_TRUE(p.ok());  // in the page cache: survives kill -9, not yet durable
  Status s = WaitDurable(w.get(), *p);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_FALSE(w->health().ok());
  EXPECT_EQ(Metric("clicktrail_journal_failed"), 1);
  EXPECT_LT(w->DurablePosition(), *p);
  EXPECT_FALSE(w->Append(Framed(2)).ok());
  EXPECT_FALSE(WaitDurable(w.get(), *p + 1000).ok());  // later waiters: error at once
  EXPECT_FALSE(w->Close().ok());
}

TEST_F(FaultTest, ShortWriteRecovered) {
  auto w = OpenWriter(SmallOptions(dir_.path()));
  ASSERT_NE(w, nullptr);
  uint64_t p0 = *w->Append(Framed(0));
  env_.ShortWriteNext(5, EIO);
  auto p1 = w->Append(Framed(1));
  ASSERT_TRUE(p1.ok()) << p1.status().ToString();
  EXPECT_GT(*p1, p0);
  ASSERT_TRUE(WaitDurable(w.get(), *p1).ok());
  EXPECT_EQ(Metric("clicktrail_journal_write_errors_total"), 1);
  EXPECT_EQ(Metric("clicktrail_journal_rewrites_total"), 1);
  auto got = ReadAllPayloads(dir_.path(), &metrics_, w->DurablePosition());
  EXPECT_EQ(AsSet(got), AsSet(Payloads(0, 2)));
  // The 5 torn bytes end the abandoned segment's data: not corruption.
  EXPECT_EQ(Metric("clicktrail_journal_quarantined_segments_total"), 0);
}

TEST_F(FaultTest, EnospcOnWriteReturnsResourceExhausted) {
  auto w = OpenWriter(SmallOptions(dir_.path()));
  ASSERT_NE(w, nullptr);
  uint64_t p0 = *w->Append(Framed(0));
  env_.FailWrites(1, ENOSPC);
  env_.FailCreates(1, ENOSPC);  // and the new segment cannot be created either
  auto p1 = w->Append(Framed(1));
  ASSERT_FALSE(p1.ok());
  EXPECT_EQ(p1.status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(w->health().ok());  // disk full is not a fail-stop
  EXPECT_EQ(Metric("clicktrail_journal_failed"), 0);
  // Space is back: the pending record 0 and the new one are written to a new segment.
  auto p2 = w->Append(Framed(2));
  ASSERT_TRUE(p2.ok()) << p2.status().ToString();
  ASSERT_TRUE(WaitDurable(w.get(), p0).ok());
  ASSERT_TRUE(WaitDurable(w.get(), *p2).ok());
  auto got = AsSet(ReadAllPayloads(dir_.path(), &metrics_, w->DurablePosition()));
  EXPECT_EQ(got, AsSet({Payload(0), Payload(2)}));  // record 1 was refused, never acknowledged
}

TEST_F(FaultTest, EnospcAtRolloverRefusesAppendThenRecovers) {
  auto o = SmallOptions(dir_.path());
  o.segment_bytes = kSegmentHeaderSize + Framed(0).size();
  auto w = OpenWriter(o);
  ASSERT_NE(w, nullptr);
  ASSERT_TRUE(w->Append(Framed(0)).ok());
  env_.FailAllocates(1, ENOSPC);  // preallocation is where a full disk shows up
  auto p = w->Append(Framed(1));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kResourceExhausted);
  auto p2 = w->Append(Framed(2));
  ASSERT_TRUE(p2.ok());
  ASSERT_TRUE(WaitDurable(w.get(), *p2).ok());
  EXPECT_EQ(ReadAllPayloads(dir_.path(), &metrics_, w->DurablePosition()),
            (std::vector<std::string>{Payload(0), Payload(2)}));
}

TEST_F(FaultTest, PowerLossKeepsEverythingAcknowledgedDurable) {
  auto o = SmallOptions(dir_.path());
  o.segment_bytes = 2048;  // rotations during the run
  auto w = OpenWriter(o);
  ASSERT_NE(w, nullptr);
  std::mutex mu;
  std::set<std::string> acked;
  std::vector<std::string> answered;
  for (int i = 0; i < 300; ++i) {
    auto p = w->Append(Framed(i));
    ASSERT_TRUE(p.ok());
    w->WhenDurable(*p, [&, i](const Status& s) {
      if (!s.ok()) return;
      std::lock_guard l(mu);
      acked.insert(Payload(i));
    });
    // Half-way, let one group commit land, so the crash hits synced and unsynced data.
    if (i == 150) {
      ASSERT_TRUE(WaitDurable(w.get(), *p).ok());
    }
  }
  // The power goes out: nothing more reaches the disk, unsynced data is lost.
  env_.SetFrozen(true);
  env_.DropUnsyncedData();
  w.reset();
  env_.SetFrozen(false);
  std::set<std::string> acked_copy;
  {
    std::lock_guard l(mu);
    acked_copy = acked;
  }
  ASSERT_FALSE(acked_copy.empty());
  auto w2 = OpenWriter(o);  // recovery: truncates whatever torn tail remains
  ASSERT_NE(w2, nullptr);
  auto got = AsSet(ReadAllPayloads(dir_.path(), &metrics_, w2->DurablePosition()));
  for (const std::string& a : acked_copy) EXPECT_TRUE(got.count(a)) << a << " acked but lost";
  EXPECT_EQ(Metric("clicktrail_journal_quarantined_segments_total"), 0);
}

}  // namespace
}  // namespace ct::journal
