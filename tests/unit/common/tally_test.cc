// The tally record's encoding (common/tally.h): round trip, and every malformed payload refused.
#include "common/tally.h"

#include <gtest/gtest.h>

namespace ct {
namespace {

Tally Sample() {
  Tally t;
  t.edge = "edge-1.example";
  t.run = EventIdGenerator().Next();
  t.seq = 42;
  t.as_of_us = 1'700'000'123'456'789;
  t.flags = kTallyFinal;
  t.rows = {{1'699'999'200'000'000, 10, 9}, {1'700'002'800'000'000, 3, 3}};
  return t;
}

TEST(TallyTest, RoundTrips) {
  const Tally t = Sample();
  std::string payload;
  EncodeTally(t, &payload);
  auto d = DecodeTally(payload);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->edge, t.edge);
  EXPECT_EQ(d->run, t.run);
  EXPECT_EQ(d->seq, 42u);
  EXPECT_EQ(d->as_of_us, t.as_of_us);
  EXPECT_EQ(d->flags, kTallyFinal);
  ASSERT_EQ(d->rows.size(), 2u);
  EXPECT_EQ(d->rows[0].hour_us, t.rows[0].hour_us);
  EXPECT_EQ(d->rows[0].answered, 10u);
  EXPECT_EQ(d->rows[0].journaled, 9u);
  EXPECT_EQ(d->rows[1].answered, 3u);
}

TEST(TallyTest, EmptyTallyRoundTrips) {
  Tally t = Sample();
  t.rows.clear();
  std::string payload;
  EncodeTally(t, &payload);
  auto d = DecodeTally(payload);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->rows.empty());
}

TEST(TallyTest, RefusesEveryTruncationAndTrailingBytes) {
  std::string payload;
  EncodeTally(Sample(), &payload);
  for (size_t n = 0; n < payload.size(); ++n) {
    EXPECT_FALSE(DecodeTally(payload.substr(0, n)).ok()) << "prefix of " << n << " bytes";
  }
  EXPECT_FALSE(DecodeTally(payload + "x").ok());
}

TEST(TallyTest, RefusesUnknownVersionBadEdgeAndImpossibleRows) {
  std::string payload;
  EncodeTally(Sample(), &payload);
  std::string v = payload;
  v[0] = 2;
  EXPECT_FALSE(DecodeTally(v).ok());
  std::string edge = payload;
  edge[3] = ' ';  // first byte of the edge id
  EXPECT_FALSE(DecodeTally(edge).ok());
  Tally t = Sample();
  t.rows[0].journaled = t.rows[0].answered + 1;  // cannot journal what was not answered
  std::string bad;
  EncodeTally(t, &bad);
  EXPECT_FALSE(DecodeTally(bad).ok());
}

TEST(TallyTest, HourStartFloors) {
  EXPECT_EQ(HourStartMicros(0), 0);
  EXPECT_EQ(HourStartMicros(kMicrosPerHour - 1), 0);
  EXPECT_EQ(HourStartMicros(kMicrosPerHour), kMicrosPerHour);
  EXPECT_EQ(HourStartMicros(-1), -kMicrosPerHour);
}

TEST(TallyTest, EdgeIds) {
  EXPECT_TRUE(ValidEdgeId("local"));
  EXPECT_TRUE(ValidEdgeId("edge-1.eu_west"));
  EXPECT_FALSE(ValidEdgeId(""));
  EXPECT_FALSE(ValidEdgeId("a b"));
  EXPECT_FALSE(ValidEdgeId(std::string(65, 'a')));
}

TEST(TallyTest, EventPayloadTimeReadsEveryEventVersion) {
  Event e;
  e.time_us = 1'700'000'000'123'456;
  std::string click;
  EncodeEvent(e, &click);
  EXPECT_EQ(EventPayloadTime(click), e.time_us);
  e.kind = EventKind::kConversion;  // v3
  std::string conversion;
  EncodeEvent(e, &conversion);
  EXPECT_EQ(EventPayloadTime(conversion), e.time_us);
  EXPECT_EQ(EventPayloadTime("short"), 0);
}

}  // namespace
}  // namespace ct
