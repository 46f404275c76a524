// Losses (gap messages) and dead letters count once per journal range, on either store
// (store/edge_ranges.h RangeClaims): the same scenario runs in unit_store (SQLite) and
// unit_store_postgres. Batches commit as the bus tracker's do: consumer "nats", 0 -> 0, one
// edge, the messages' [from, to) ranges.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "common/tally.h"
#include "store/store.h"

namespace ct::testing_ranged {

inline constexpr int64_t kHour = 1'704'067'200'000'000;  // 2024-01-01T00:00:00Z

struct Gap {
  uint64_t from, to, records;
};
struct Bad {
  uint64_t from, to;
};

// One bus batch of edge "e": event ranges, gaps and undecodable records.
inline Result<CommitResult> CommitRanges(Store* store, std::vector<EdgeRange> events,
                                         std::vector<Gap> gaps, std::vector<Bad> bad) {
  CommitBatch b;
  b.consumer = "nats";
  b.edge = "e";
  b.edge_ranges = std::move(events);
  for (const Gap& g : gaps) {
    b.edge_ranges.push_back({"e", g.from, g.to});
    b.losses.push_back({kHour, g.records, g.from, g.to});
  }
  for (const Bad& d : bad) {
    b.edge_ranges.push_back({"e", d.from, d.to});
    b.dead_letters.push_back({d.from, "unknown record type 9", "x", kHour, d.to});
  }
  return store->Commit(b);
}

struct Counted {
  int64_t corrupted = 0, dead_lettered = 0, dead_letter_rows = 0;
  bool operator==(const Counted&) const = default;
};
inline std::ostream& operator<<(std::ostream& o, const Counted& c) {
  return o << "{corrupted " << c.corrupted << ", dead_lettered " << c.dead_lettered
           << ", dead_letters rows " << c.dead_letter_rows << "}";
}

inline Counted Read(Store* store, const std::function<int64_t()>& dead_letter_rows) {
  Counted c;
  Result<ReconciliationData> d = store->GetReconciliation(kHour, kHour + 3'600'000'000);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  if (d.ok()) {
    for (const ReconciliationRow& r : d->rows) {
      c.corrupted += r.corrupted;
      c.dead_lettered += r.dead_lettered;
    }
  }
  c.dead_letter_rows = dead_letter_rows();
  return c;
}

inline void RangedItemsCountOnce(Store* store, const std::function<int64_t()>& dead_letter_rows) {
  auto commit = [&](std::vector<EdgeRange> events, std::vector<Gap> gaps, std::vector<Bad> bad) {
    Result<CommitResult> r =
        CommitRanges(store, std::move(events), std::move(gaps), std::move(bad));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  };
  // [0,10) events, [10,20) lost 3 records, [20,30) undecodable: counted.
  commit({{"e", 0, 10}}, {{10, 20, 3}}, {{20, 30}});
  EXPECT_EQ(*store->EdgeWatermark("e"), 30u);
  EXPECT_EQ(Read(store, dead_letter_rows), (Counted{3, 1, 1}));
  // Redelivered (the watermark passed it): nothing more.
  commit({{"e", 0, 10}}, {{10, 20, 3}}, {{20, 30}});
  EXPECT_EQ(Read(store, dead_letter_rows), (Counted{3, 1, 1}));

  // Above a hole ([30,40) not committed yet, the watermark stays at 30): a gap and a dead letter.
  commit({}, {{40, 60, 5}}, {{60, 70}});
  EXPECT_EQ(*store->EdgeWatermark("e"), 30u);
  EXPECT_EQ(Read(store, dead_letter_rows), (Counted{8, 2, 2}));
  // Re-shipped, the gap cut where another fetch ended ([40,50) + [50,60)), both copies in one
  // batch, with the dead letter twice: the ranges are committed already, nothing counts again.
  commit({}, {{40, 50, 2}, {50, 60, 3}, {40, 60, 5}}, {{60, 70}, {60, 70}});
  EXPECT_EQ(Read(store, dead_letter_rows), (Counted{8, 2, 2}));

  // One batch holding a new gap twice (a message and its re-shipped copy in one fetch): once.
  commit({{"e", 30, 40}}, {{70, 80, 4}, {70, 80, 4}}, {});
  EXPECT_EQ(*store->EdgeWatermark("e"), 80u);
  EXPECT_EQ(Read(store, dead_letter_rows), (Counted{12, 2, 2}));
  // Everything again after the watermark passed it all: nothing.
  commit({{"e", 0, 10}, {"e", 30, 40}}, {{10, 20, 3}, {40, 60, 5}, {70, 80, 4}},
         {{20, 30}, {60, 70}});
  EXPECT_EQ(Read(store, dead_letter_rows), (Counted{12, 2, 2}));
}

// How far in time the edge is committed (store.h EdgeProgress, api/edge_completeness.h): the
// heartbeat behind a gap waits for it; a clean stop's final tally marks the edge stopped; a
// late final tally of an older run does not make the running edge look stopped.
inline void EdgeProgressFollowsTheWatermark(Store* store) {
  auto commit = [&](uint64_t from, uint64_t to, int64_t through, std::vector<Tally> tallies) {
    CommitBatch b;
    b.consumer = "nats";
    b.edge = "e";
    b.edge_ranges = {{"e", from, to, through}};
    b.tallies = std::move(tallies);
    Result<CommitResult> r = store->Commit(b);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  };
  auto progress = [&]() -> EdgeProgress {
    Result<std::vector<EdgeProgress>> p = store->ListEdgeProgress();
    EXPECT_TRUE(p.ok() && p->size() == 1) << p.status().ToString();
    return p.ok() && p->size() == 1 ? (*p)[0] : EdgeProgress{};
  };
  EXPECT_TRUE(store->ListEdgeProgress()->empty());
  commit(10, 20, 2'000'000, {});
  EXPECT_EQ(progress().edge, "e");
  EXPECT_EQ(progress().committed_below, 0u);
  EXPECT_EQ(progress().committed_through_us, 0);  // its heartbeat waits behind the gap
  commit(0, 10, 1'000'000, {});
  EXPECT_EQ(progress().committed_below, 20u);
  EXPECT_EQ(progress().committed_through_us, 2'000'000);
  EXPECT_FALSE(progress().stopped);
  // A clean stop: the final tally, committed with the range that holds it.
  Tally final_tally;
  final_tally.edge = "e";
  final_tally.run[0] = 1;
  final_tally.as_of_us = 3'000'000;
  final_tally.flags = kTallyFinal;
  commit(20, 30, 3'000'000, {final_tally});
  EXPECT_EQ(progress().committed_through_us, 3'000'000);
  EXPECT_TRUE(progress().stopped);
  // The next run's first tally; then an older run's final one committed late (another
  // tracker) must not make the running edge look stopped.
  Tally next = final_tally;
  next.run[0] = 2;
  next.as_of_us = 4'000'000;
  next.flags = kTallyRecovery;
  commit(30, 40, 4'000'000, {next});
  Tally late = final_tally;
  late.seq = 1;
  late.as_of_us = 3'500'000;
  commit(40, 50, 0, {late});
  EXPECT_EQ(progress().committed_through_us, 4'000'000);
  EXPECT_FALSE(progress().stopped);
}

}  // namespace ct::testing_ranged
