// `clicktrail journal check`: reports without modifying.
#include "journal/check.h"

#include "journal_test_util.h"

namespace ct::journal {
namespace {
using namespace testing;

TEST(CheckTest, CleanJournalIsClean) {
  TempDir dir;
  WriteBytes(SegmentPath(dir.path(), 0), MakeSegment(0, 0, 3) + std::string(64, '\0'));
  auto r = CheckJournal(dir.path(), FileEnv::Posix());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->clean());
  EXPECT_EQ(r->total_records, 3u);
  EXPECT_EQ(r->segments[0].end_position, MakeSegment(0, 0, 3).size());
  EXPECT_NE(FormatCheckReport(*r).find("CLEAN"), std::string::npos);
}

TEST(CheckTest, CheckReportsCorruptionWithoutModifying) {
  TempDir dir;
  std::string seg = MakeSegment(0, 0, 5);
  size_t rec = Framed(0).size();
  seg[kSegmentHeaderSize + rec + 2] ^= 0x10;  // record 1's type byte
  std::string tail = Framed(5).substr(0, 5);
  WriteBytes(SegmentPath(dir.path(), 0), seg + tail);
  std::string bad = MakeSegment(900, 9, 1);
  bad[0] = 'x';
  WriteBytes(SegmentPath(dir.path(), 900), bad);
  auto r = CheckJournal(dir.path(), FileEnv::Posix());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->clean());
  ASSERT_EQ(r->segments.size(), 2u);
  const SegmentCheck& c = r->segments[0];
  EXPECT_EQ(c.valid_records, 4u);
  ASSERT_EQ(c.corrupt.size(), 1u);
  EXPECT_EQ(c.corrupt[0].offset, kSegmentHeaderSize + rec);
  EXPECT_EQ(c.corrupt[0].length, rec);
  EXPECT_EQ(c.records_lost, 1u);
  EXPECT_EQ(c.torn_tail_bytes, 5u);
  EXPECT_FALSE(r->segments[1].header_ok);
  EXPECT_EQ(r->bad_headers, 1u);
  std::string text = FormatCheckReport(*r);
  EXPECT_NE(text.find("CORRUPT"), std::string::npos);
  EXPECT_NE(text.find("BAD HEADER"), std::string::npos);
  // Read-only: both files are byte-for-byte unchanged and nothing was quarantined.
  EXPECT_EQ(ReadBytes(SegmentPath(dir.path(), 0)), seg + tail);
  EXPECT_EQ(ReadBytes(SegmentPath(dir.path(), 900)), bad);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/quarantine"));
}

}  // namespace
}  // namespace ct::journal
