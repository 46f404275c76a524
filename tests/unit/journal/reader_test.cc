// JournalReader: ordering, limits, segment crossing, and the corruption rules.
#include "journal/reader.h"

#include <filesystem>

#include "journal_test_util.h"

namespace ct::journal {
namespace {
using namespace testing;

TEST(ReaderTest, ReaderCrossesSegments) {
  TempDir dir;
  WriteBytes(SegmentPath(dir.path(), 0), MakeSegment(0, 0, 3) + std::string(100, '\0'));
  WriteBytes(SegmentPath(dir.path(), 5000), MakeSegment(5000, 3, 4));
  MetricsRegistry m;
  EXPECT_EQ(ReadAllPayloads(dir.path(), &m), Payloads(0, 7));
  EXPECT_EQ(m.Value("clicktrail_journal_corrupt_bytes_total"), 0);
}

TEST(ReaderTest, ReaderNeverReadsPastLimit) {
  TempDir dir;
  WriteBytes(SegmentPath(dir.path(), 0), MakeSegment(0, 0, 5));
  uint64_t limit = kSegmentHeaderSize + 2 * Framed(0).size();
  MetricsRegistry m;
  JournalReader r(dir.path(), FileEnv::Posix(), &m);
  auto b = r.Next(limit, 100, 1 << 20);
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->records.size(), 2u);
  EXPECT_EQ(b->records[1].next_position, limit);
  EXPECT_EQ(b->next_position, limit);
  auto again = r.Next(limit, 100, 1 << 20);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->records.empty());
  auto rest = r.Next(UINT64_MAX, 100, 1 << 20);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->records.size(), 3u);
  EXPECT_EQ(rest->records[0].payload, Payload(2));
}

TEST(ReaderTest, SeekResumesAndMaxRecordsHonoured) {
  TempDir dir;
  WriteBytes(SegmentPath(dir.path(), 0), MakeSegment(0, 0, 5));
  MetricsRegistry m;
  JournalReader r(dir.path(), FileEnv::Posix(), &m);
  auto b = r.Next(UINT64_MAX, 2, 1 << 20);
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->records.size(), 2u);
  JournalReader r2(dir.path(), FileEnv::Posix(), &m);
  r2.Seek(b->next_position);
  auto c = r2.Next(UINT64_MAX, 100, 1 << 20);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->records.size(), 3u);
  EXPECT_EQ(c->records[0].payload, Payload(2));
}

TEST(ReaderTest, PositionInDeletedSegmentContinuesAtNextSegment) {
  TempDir dir;
  WriteBytes(SegmentPath(dir.path(), 9000), MakeSegment(9000, 7, 2));
  MetricsRegistry m;
  JournalReader r(dir.path(), FileEnv::Posix(), &m);
  r.Seek(100);  // in segment 0, already released
  auto b = r.Next(UINT64_MAX, 100, 1 << 20);
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->records.size(), 2u);
  EXPECT_EQ(b->records[0].payload, Payload(7));
  EXPECT_EQ(b->records[0].position, 9000 + kSegmentHeaderSize);
}

TEST(ReaderTest, CorruptByteMidSealedSegmentIsQuarantinedAndResynced) {
  TempDir dir;
  std::string seg = MakeSegment(0, 0, 6);
  size_t rec = Framed(0).size();  // all records have the same size
  seg[kSegmentHeaderSize + 2 * rec + kRecordHeaderSize + 3] ^= 0x01;  // record 2's payload
  WriteBytes(SegmentPath(dir.path(), 0), seg);
  WriteBytes(SegmentPath(dir.path(), 1000), MakeSegment(1000, 6, 2));
  MetricsRegistry m;
  auto got = ReadAllPayloads(dir.path(), &m);
  std::vector<std::string> want = {Payload(0), Payload(1), Payload(3), Payload(4),
                                   Payload(5), Payload(6), Payload(7)};
  EXPECT_EQ(got, want);
  EXPECT_EQ(m.Value("clicktrail_journal_corrupt_bytes_total"), static_cast<double>(rec));
  EXPECT_EQ(m.Value("clicktrail_journal_records_lost_total"), 1);
  EXPECT_EQ(m.Value("clicktrail_journal_quarantined_segments_total"), 1);
  std::string q = dir.path() + "/quarantine/" + SegmentFileName(0);
  ASSERT_TRUE(std::filesystem::exists(q));
  EXPECT_EQ(ReadBytes(q), seg);  // a hard link: the evidence survives deletion of the original
  EXPECT_EQ(ReadBytes(SegmentPath(dir.path(), 0)), seg);  // the reader never modifies
}

TEST(ReaderTest, LengthNotTrustedAfterBadChecksum) {
  TempDir dir;
  std::string seg = MakeSegment(0, 0, 5);
  size_t rec = Framed(0).size();
  // Record 1 claims a length that would swallow records 2 and 3, and its CRC is wrong. A
  // reader trusting the length would skip to record 4; we must resync at record 2.
  size_t r1 = kSegmentHeaderSize + rec;
  uint32_t fake_len = static_cast<uint32_t>(3 * rec - kRecordHeaderSize);
  for (int i = 0; i < 4; ++i) seg[r1 + 4 + i] = static_cast<char>((fake_len >> (8 * i)) & 0xff);
  WriteBytes(SegmentPath(dir.path(), 0), seg);
  MetricsRegistry m;
  std::vector<std::string> want = {Payload(0), Payload(2), Payload(3), Payload(4)};
  EXPECT_EQ(ReadAllPayloads(dir.path(), &m), want);
  EXPECT_EQ(m.Value("clicktrail_journal_corrupt_bytes_total"), static_cast<double>(rec));
}

TEST(ReaderTest, TornTailOfSealedSegmentIsEndNotCorruption) {
  TempDir dir;
  WriteBytes(SegmentPath(dir.path(), 0), MakeSegment(0, 0, 2) + Framed(2).substr(0, 15));
  WriteBytes(SegmentPath(dir.path(), 1000), MakeSegment(1000, 3, 1));
  MetricsRegistry m;
  std::vector<std::string> want = {Payload(0), Payload(1), Payload(3)};
  EXPECT_EQ(ReadAllPayloads(dir.path(), &m), want);
  EXPECT_EQ(m.Value("clicktrail_journal_quarantined_segments_total"), 0);
}

TEST(ReaderTest, UnknownTypesSkippedOnlyWhenSafeToIgnore) {
  TempDir dir;
  std::string seg = SegmentHeader(0) + Framed(0) +
                    Framed(1, static_cast<RecordType>(7), kFlagSafeToIgnore) +
                    Framed(2, static_cast<RecordType>(8)) + Framed(3);
  WriteBytes(SegmentPath(dir.path(), 0), seg);
  MetricsRegistry m;
  JournalReader r(dir.path(), FileEnv::Posix(), &m);
  auto b = r.Next(UINT64_MAX, 100, 1 << 20);
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->records.size(), 3u);
  EXPECT_EQ(b->records[0].payload, Payload(0));
  EXPECT_EQ(static_cast<int>(b->records[1].type), 8);  // returned for dead-lettering
  EXPECT_EQ(b->records[2].payload, Payload(3));
}

}  // namespace
}  // namespace ct::journal
