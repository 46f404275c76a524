// Recovery on writer open: the last segment's torn tail is truncated, corruption is left for the
// reader, a bad header is quarantined, a zero-filled tail is a clean end.
#include "journal/recovery.h"

#include <filesystem>

#include "journal/check.h"
#include "journal_test_util.h"

namespace ct::journal {
namespace {
using namespace testing;

TEST(RecoveryTest, TornTailIsTruncatedAndCounted) {
  TempDir dir;
  std::string seg = MakeSegment(0, 0, 5);
  size_t good = seg.size();
  std::string torn = Framed(5).substr(0, 9);  // a record cut short by the crash
  WriteBytes(SegmentPath(dir.path(), 0), seg + torn);
  MetricsRegistry m;
  JournalMetrics jm(&m);
  auto r = RecoverJournal(dir.path(), FileEnv::Posix(), &jm);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->torn_tail_bytes, 9u);
  EXPECT_FALSE(r->corruption_found);
  EXPECT_EQ(m.Value("clicktrail_journal_torn_tail_bytes_total"), 9);
  EXPECT_EQ(std::filesystem::file_size(SegmentPath(dir.path(), 0)), good);  // file kept
  EXPECT_EQ(r->next_base, good);
  EXPECT_EQ(ReadAllPayloads(dir.path(), &m), Payloads(0, 5));
}

TEST(RecoveryTest, RandomGarbageTailIsTorn) {
  TempDir dir;
  std::string seg = MakeSegment(0, 0, 3);
  WriteBytes(SegmentPath(dir.path(), 0), seg + std::string("\x01\x99garbage\xff\x07", 11));
  MetricsRegistry m;
  JournalMetrics jm(&m);
  auto r = RecoverJournal(dir.path(), FileEnv::Posix(), &jm);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->torn_tail_bytes, 11u);
  EXPECT_EQ(ReadBytes(SegmentPath(dir.path(), 0)), seg);
}

TEST(RecoveryTest, ZeroFilledPreallocatedTailIsCleanEnd) {
  TempDir dir;
  std::string seg = MakeSegment(0, 0, 4);
  std::string file = seg + std::string(4096, '\0');
  WriteBytes(SegmentPath(dir.path(), 0), file);
  MetricsRegistry m;
  JournalMetrics jm(&m);
  auto r = RecoverJournal(dir.path(), FileEnv::Posix(), &jm);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->torn_tail_bytes, 0u);
  EXPECT_EQ(m.Value("clicktrail_journal_torn_tail_bytes_total"), 0);
  EXPECT_EQ(ReadBytes(SegmentPath(dir.path(), 0)), file);  // untouched
  EXPECT_EQ(r->next_base, seg.size());
}

TEST(RecoveryTest, CorruptionFollowedByValidRecordsIsNotTruncated) {
  TempDir dir;
  std::string seg = MakeSegment(0, 0, 6);
  size_t third = kSegmentHeaderSize + 2 * Framed(0).size();
  seg[third + kRecordHeaderSize + 1] ^= 0x40;  // payload bit flip in record 2
  WriteBytes(SegmentPath(dir.path(), 0), seg);
  MetricsRegistry m;
  JournalMetrics jm(&m);
  auto r = RecoverJournal(dir.path(), FileEnv::Posix(), &jm);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->corruption_found);
  EXPECT_EQ(r->torn_tail_bytes, 0u);
  EXPECT_EQ(ReadBytes(SegmentPath(dir.path(), 0)), seg);  // nothing dropped
}

TEST(RecoveryTest, InvalidHeaderIsQuarantined) {
  TempDir dir;
  WriteBytes(SegmentPath(dir.path(), 0), MakeSegment(0, 0, 2));
  std::string bad = MakeSegment(500, 2, 2);
  bad[3] = 'X';
  WriteBytes(SegmentPath(dir.path(), 500), bad);
  MetricsRegistry m;
  JournalMetrics jm(&m);
  auto r = RecoverJournal(dir.path(), FileEnv::Posix(), &jm);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->quarantined, 1);
  EXPECT_EQ(m.Value("clicktrail_journal_quarantined_segments_total"), 1);
  EXPECT_FALSE(std::filesystem::exists(SegmentPath(dir.path(), 500)));
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/quarantine/" + SegmentFileName(500)));
  EXPECT_GE(r->next_base, 500 + bad.size());  // positions stay above the quarantined bytes
}

TEST(RecoveryTest, SealedSegmentsAreNeverTruncated) {
  TempDir dir;
  std::string sealed = MakeSegment(0, 0, 3) + Framed(3).substr(0, 7);
  WriteBytes(SegmentPath(dir.path(), 0), sealed);
  WriteBytes(SegmentPath(dir.path(), 1000), MakeSegment(1000, 10, 2));
  MetricsRegistry m;
  JournalMetrics jm(&m);
  auto r = RecoverJournal(dir.path(), FileEnv::Posix(), &jm);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ReadBytes(SegmentPath(dir.path(), 0)), sealed);
  auto all = ReadAllPayloads(dir.path(), &m);
  auto want = Payloads(0, 3);
  for (auto& p : Payloads(10, 2)) want.push_back(p);
  EXPECT_EQ(all, want);
}

TEST(RecoveryTest, WriterOpenTruncatesAndStartsFreshSegmentAbove) {
  TempDir dir;
  std::string seg = MakeSegment(0, 0, 3);
  WriteBytes(SegmentPath(dir.path(), 0), seg + "\x54\x43\x01");
  MetricsRegistry m;
  auto w = JournalWriter::Open(SmallOptions(dir.path()), FileEnv::Posix(), &m, Clock::System());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(CountSegments(dir.path()), 2);
  EXPECT_TRUE(std::filesystem::exists(SegmentPath(dir.path(), seg.size())));
  EXPECT_EQ((*w)->DurablePosition(), seg.size() + kSegmentHeaderSize);
  EXPECT_EQ(m.Value("clicktrail_journal_torn_tail_bytes_total"), 3);
}

}  // namespace
}  // namespace ct::journal
