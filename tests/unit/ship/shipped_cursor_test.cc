// The shipper's cursor file and the wire format's small parsers.
#include "ship/shipped_cursor.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "bus/nats_options.h"
#include "bus/wire.h"
#include "common/event.h"

namespace ct {
namespace {

class ShippedCursorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ct-ship-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / ship::kCursorFileName).string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(ShippedCursorTest, AMissingFileIsAFreshJournal) {
  auto c = ship::ReadShippedCursor(path_);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, 0u);
}

TEST_F(ShippedCursorTest, RoundTripsAndReplacesAtomically) {
  ASSERT_TRUE(ship::WriteShippedCursor(path_, 1234).ok());
  ASSERT_TRUE(ship::WriteShippedCursor(path_, UINT64_MAX - 1).ok());
  auto c = ship::ReadShippedCursor(path_);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, UINT64_MAX - 1);
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
}

TEST_F(ShippedCursorTest, GarbageIsAnErrorNotZero) {
  std::ofstream(path_) << "12";
  EXPECT_EQ(ship::ReadShippedCursor(path_).status().code(), StatusCode::kCorruption);
}

TEST(WireTest, MsgIdIsTheEventIdForEventsElseEdgeAndFrom) {
  Event e;
  std::memset(e.id.data(), 0xab, e.id.size());
  e.time_us = 1'704'067'200'000'000;
  std::string payload;
  EncodeEvent(e, &payload);
  EXPECT_EQ(wire::MsgId("e1", wire::kEventType, 24, payload), EventIdHex(e.id));
  EXPECT_EQ(wire::MsgId("e1", wire::kEventType, 24, "garbage"), "e1:24");
  EXPECT_EQ(wire::MsgId("e1", 2, 99, payload), "e1:99");
}

TEST(WireTest, GapPayloadsAndNumbersParseStrictly) {
  EXPECT_EQ(*wire::ParseGapPayload(wire::GapPayload(17)), 17u);
  EXPECT_FALSE(wire::ParseGapPayload("{\"records\":x}").ok());
  EXPECT_FALSE(wire::ParseDecimal("").ok());
  EXPECT_FALSE(wire::ParseDecimal("12 ").ok());
  EXPECT_EQ(*wire::ParseDecimal("18446744073709551615"), UINT64_MAX);
  EXPECT_TRUE(wire::ValidEdgeId("edge-1.eu_west"));
  EXPECT_FALSE(wire::ValidEdgeId("edge 1"));
  EXPECT_FALSE(wire::ValidEdgeId("a>"));
  EXPECT_FALSE(wire::ValidEdgeId(""));
}

TEST(WireTest, SplitServers) {
  EXPECT_EQ(SplitServers(" nats://a:1, nats://b:2 ,,"),
            (std::vector<std::string>{"nats://a:1", "nats://b:2"}));
  EXPECT_TRUE(SplitServers("").empty());
}

}  // namespace
}  // namespace ct
