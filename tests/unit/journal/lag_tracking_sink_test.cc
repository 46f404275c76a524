// LagTrackingSink: forwards to the wrapped sink and feeds the LagTracker on successful appends.
#include "journal/lag_tracking_sink.h"

#include <gtest/gtest.h>

#include <string>

namespace ct::journal {
namespace {

class MemorySink : public EventSink {
 public:
  Result<uint64_t> Append(std::string_view framed) override {
    if (fail) return Status::IoError("injected");
    end += framed.size();
    return end;
  }
  void WhenDurable(uint64_t position, std::function<void(const Status&)> done) override {
    last_when_durable = position;
    done(Status::Ok());
  }
  uint64_t DurablePosition() const override { return 42; }

  uint64_t end = 0;
  uint64_t last_when_durable = 0;
  bool fail = false;
};

TEST(LagTrackingSinkTest, ForwardsAndRecordsAppends) {
  MetricsRegistry metrics;
  FakeClock clock;
  LagTracker lag(&metrics, &clock);
  MemorySink inner;
  LagTrackingSink sink(&inner, &lag);

  auto end = sink.Append("0123456789");
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, 10u);
  EXPECT_EQ(lag.BacklogBytes(), 10u);
  clock.Advance(std::chrono::seconds(3));
  EXPECT_DOUBLE_EQ(lag.OldestUnconsumedAgeSeconds(), 3.0);

  bool called = false;
  sink.WhenDurable(10, [&](const Status& s) { called = s.ok(); });
  EXPECT_TRUE(called);
  EXPECT_EQ(inner.last_when_durable, 10u);
  EXPECT_EQ(sink.DurablePosition(), 42u);

  inner.fail = true;
  EXPECT_FALSE(sink.Append("more").ok());
  EXPECT_EQ(lag.BacklogBytes(), 10u);  // a failed append is not pending work
  lag.OnCommitted(10);
  EXPECT_EQ(lag.OldestUnconsumedAgeSeconds(), 0);
}

}  // namespace
}  // namespace ct::journal
