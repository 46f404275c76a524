// JournalWriter: appends, group commit, rotation, release, concurrency.
#include "journal/writer.h"

#include <filesystem>
#include <set>
#include <thread>

#include "journal/fault_injection_env.h"
#include "journal_test_util.h"

namespace ct::journal {
namespace {
using namespace testing;

TEST(WriterTest, AppendThenReadBackAfterDurable) {
  TempDir dir;
  MetricsRegistry m;
  auto w = JournalWriter::Open(SmallOptions(dir.path()), FileEnv::Posix(), &m, Clock::System());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  uint64_t pos = 0;
  for (int i = 0; i < 10; ++i) {
    auto p = (*w)->Append(Framed(i));
    ASSERT_TRUE(p.ok());
    EXPECT_GT(*p, pos);
    pos = *p;
  }
  ASSERT_TRUE(WaitDurable(w->get(), pos).ok());
  EXPECT_GE((*w)->DurablePosition(), pos);
  EXPECT_EQ(ReadAllPayloads(dir.path(), &m, (*w)->DurablePosition()), Payloads(0, 10));
  EXPECT_EQ(m.Value("clicktrail_journal_appends_total"), 10);
}

TEST(WriterTest, GroupCommitFiresWithinDelay) {
  TempDir dir;
  MetricsRegistry m;
  auto o = SmallOptions(dir.path());
  o.commit_delay = std::chrono::milliseconds(20);
  auto w = JournalWriter::Open(o, FileEnv::Posix(), &m, Clock::System());
  ASSERT_TRUE(w.ok());
  auto t0 = std::chrono::steady_clock::now();
  auto p = (*w)->Append(Framed(1));
  ASSERT_TRUE(p.ok());
  EXPECT_LT((*w)->DurablePosition(), *p);  // group mode: not durable on return
  ASSERT_TRUE(WaitDurable(w->get(), *p).ok());
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(took, std::chrono::seconds(2));  // generous: only "it does not wait forever"
  // A second batch is committed by one more fsync, not one per append.
  double before = m.Value("clicktrail_journal_fsyncs_total");
  uint64_t last = 0;
  for (int i = 0; i < 20; ++i) last = *(*w)->Append(Framed(i));
  ASSERT_TRUE(WaitDurable(w->get(), last).ok());
  EXPECT_LT(m.Value("clicktrail_journal_fsyncs_total") - before, 20);
}

TEST(WriterTest, RotationAtSegmentBytes) {
  TempDir dir;
  MetricsRegistry m;
  auto o = SmallOptions(dir.path());
  o.segment_bytes = kSegmentHeaderSize + 3 * Framed(0).size();  // three records per segment
  auto w = JournalWriter::Open(o, FileEnv::Posix(), &m, Clock::System());
  ASSERT_TRUE(w.ok());
  uint64_t last = 0;
  for (int i = 0; i < 7; ++i) last = *(*w)->Append(Framed(i));
  ASSERT_TRUE(WaitDurable(w->get(), last).ok());
  EXPECT_EQ(CountSegments(dir.path()), 3);
  auto bases = ListSegments(FileEnv::Posix(), dir.path());
  ASSERT_TRUE(bases.ok());
  for (uint64_t base : *bases) {
    EXPECT_LE(std::filesystem::file_size(SegmentPath(dir.path(), base)), o.segment_bytes);
  }
  EXPECT_EQ(ReadAllPayloads(dir.path(), &m, (*w)->DurablePosition()), Payloads(0, 7));
}

TEST(WriterTest, NewSegmentDirectoryIsFsynced) {
  TempDir dir;
  FaultInjectionEnv env(FileEnv::Posix());
  MetricsRegistry m;
  auto o = SmallOptions(dir.path());
  o.segment_bytes = kSegmentHeaderSize + Framed(0).size();
  auto w = JournalWriter::Open(o, &env, &m, Clock::System());
  ASSERT_TRUE(w.ok());
  uint64_t last = 0;
  for (int i = 0; i < 3; ++i) last = *(*w)->Append(Framed(i));
  ASSERT_TRUE(WaitDurable(w->get(), last).ok());
  // Power loss: a segment whose directory entry was never fsynced would disappear here.
  env.SetFrozen(true);
  env.DropUnsyncedData();
  env.SetFrozen(false);
  EXPECT_EQ(CountSegments(dir.path()), 3);
  EXPECT_EQ(ReadAllPayloads(dir.path(), &m), Payloads(0, 3));
}

TEST(WriterTest, ReleaseUpToDeletesOnlyConsumedSealedSegments) {
  TempDir dir;
  MetricsRegistry m;
  auto o = SmallOptions(dir.path());
  o.segment_bytes = kSegmentHeaderSize + 2 * Framed(0).size();
  auto w = JournalWriter::Open(o, FileEnv::Posix(), &m, Clock::System());
  ASSERT_TRUE(w.ok());
  uint64_t last = 0;
  for (int i = 0; i < 6; ++i) last = *(*w)->Append(Framed(i));
  ASSERT_TRUE(WaitDurable(w->get(), last).ok());
  auto bases = *ListSegments(FileEnv::Posix(), dir.path());
  ASSERT_EQ(bases.size(), 3u);
  // Consumed up to the middle of the second segment: only the first may go.
  JournalReader r(dir.path(), FileEnv::Posix(), &m);
  auto b = r.Next((*w)->DurablePosition(), 3, 1 << 20);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE((*w)->ReleaseUpTo(b->next_position).ok());
  EXPECT_EQ(*ListSegments(FileEnv::Posix(), dir.path()),
            (std::vector<uint64_t>{bases[1], bases[2]}));
  // Everything consumed: the active segment stays anyway.
  ASSERT_TRUE((*w)->ReleaseUpTo(UINT64_MAX).ok());
  EXPECT_EQ(*ListSegments(FileEnv::Posix(), dir.path()), std::vector<uint64_t>{bases[2]});
  ASSERT_TRUE((*w)->ReleaseUpTo(UINT64_MAX).ok());  // idempotent
  // The reader goes on from its committed position despite the deletions.
  auto rest = r.Next((*w)->DurablePosition(), 100, 1 << 20);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->records.size(), 3u);
  EXPECT_EQ(rest->records[0].payload, Payload(3));
}

TEST(WriterTest, ConcurrentAppendersAllRecordsReadBackOnce) {
  TempDir dir;
  MetricsRegistry m;
  auto o = SmallOptions(dir.path());
  o.segment_bytes = 4096;  // force many rotations under contention
  auto w = JournalWriter::Open(o, FileEnv::Posix(), &m, Clock::System());
  ASSERT_TRUE(w.ok());
  constexpr int kThreads = 4, kPerThread = 250;
  std::vector<std::thread> threads;
  std::atomic<uint64_t> max_pos{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto p = (*w)->Append(Framed(t * kPerThread + i));
        ASSERT_TRUE(p.ok());
        uint64_t cur = max_pos.load();
        while (*p > cur && !max_pos.compare_exchange_weak(cur, *p)) {
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(WaitDurable(w->get(), max_pos.load()).ok());
  auto got = ReadAllPayloads(dir.path(), &m, (*w)->DurablePosition());
  std::multiset<std::string> seen(got.begin(), got.end());
  ASSERT_EQ(got.size(), static_cast<size_t>(kThreads * kPerThread));
  for (int i = 0; i < kThreads * kPerThread; ++i) EXPECT_EQ(seen.count(Payload(i)), 1u) << i;
}

TEST(WriterTest, CloseFsyncsPendingAndIsIdempotent) {
  TempDir dir;
  MetricsRegistry m;
  auto o = SmallOptions(dir.path());
  o.commit_delay = std::chrono::seconds(30);  // only Close can make it durable in time
  auto w = JournalWriter::Open(o, FileEnv::Posix(), &m, Clock::System());
  ASSERT_TRUE(w.ok());
  uint64_t p = *(*w)->Append(Framed(1));
  std::atomic<bool> fired{false};
  (*w)->WhenDurable(p, [&](const Status& s) { fired = s.ok(); });
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_TRUE(fired);
  EXPECT_GE((*w)->DurablePosition(), p);
  EXPECT_TRUE((*w)->Close().ok());
  EXPECT_FALSE((*w)->Append(Framed(2)).ok());
}

}  // namespace
}  // namespace ct::journal
