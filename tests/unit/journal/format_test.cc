// The framing helpers of format.h that the writer and reader tests do not cover directly.
#include "journal/format.h"

#include <gtest/gtest.h>

namespace ct::journal {
namespace {

TEST(FormatTest, CountFramedRecordsCountsWholeRecordsOnly) {
  std::string buf;
  EXPECT_EQ(CountFramedRecords(buf), 0u);
  AppendRecord(&buf, RecordType::kEvent, "one");
  AppendRecord(&buf, RecordType::kEvent, std::string(1000, 'x'));
  AppendRecord(&buf, RecordType::kEvent, "");
  EXPECT_EQ(CountFramedRecords(buf), 3u);
  EXPECT_EQ(CountFramedRecords(std::string_view(buf).substr(0, buf.size() - 1)), 2u)
      << "a record cut short is not counted";
}

TEST(FormatTest, FramesCheckAndRoundTrip) {
  std::string buf;
  AppendRecord(&buf, RecordType::kEvent, "payload", kFlagSafeToIgnore);
  Frame f;
  ASSERT_EQ(CheckFrame(buf, &f), FrameCheck::kOk);
  EXPECT_EQ(f.payload, "payload");
  EXPECT_EQ(f.flags, kFlagSafeToIgnore);
  EXPECT_EQ(f.size, FramedSize(7));
  buf[kRecordHeaderSize] ^= 1;  // one payload bit
  EXPECT_EQ(CheckFrame(buf, &f), FrameCheck::kBad);
  EXPECT_EQ(CheckFrame(std::string(kRecordHeaderSize, '\0'), &f), FrameCheck::kZero);
}

TEST(FormatTest, SegmentNamesAndHeaders) {
  uint64_t base = 0;
  EXPECT_TRUE(ParseSegmentFileName(SegmentFileName(1234), &base));
  EXPECT_EQ(base, 1234u);
  EXPECT_FALSE(ParseSegmentFileName("00000000000000001234.log", &base));
  EXPECT_FALSE(ParseSegmentFileName("99999999999999999999.seg", &base)) << "overflow";
  std::string h = SegmentHeader(77);
  EXPECT_TRUE(ParseSegmentHeader(h, &base));
  EXPECT_EQ(base, 77u);
  h[9] ^= 1;
  EXPECT_FALSE(ParseSegmentHeader(h, &base));
}

}  // namespace
}  // namespace ct::journal
