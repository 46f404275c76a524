// BatchDeltas: what one commit adds to the rollup tables (rollups, account_rollups, dim_rollups,
// account_dim_rollups, combo_rollups, account_combo_rollups, account_pair_rollups, goal_rollups;
// and account_destination_links), summed in memory so
// each touched bucket is written once per batch, not once per event: a batch of thousands of clicks
// on a hot link is then a few upserts.
//
// Thread safety: none; one per ApplyCommit.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "common/status.h"
#include "store/sqlite/db.h"

namespace ct::sqlite {

// Bucket widths, which are also the `granularity` values stored in rollups (seconds).
inline constexpr int64_t kMinuteSeconds = 60;
inline constexpr int64_t kHourSeconds = 3600;
inline constexpr int64_t kDaySeconds = 86400;
inline constexpr int64_t kRollupWidths[] = {kMinuteSeconds, kHourSeconds, kDaySeconds};

// floor(time_us / width) * width for a width in seconds: correct for times before 1970 too.
int64_t BucketStart(int64_t time_us, int64_t width_seconds);

struct RollupDelta {
  int64_t total = 0;
  int64_t unique = 0;
  int64_t head = 0;
  int64_t bots = 0;
  int64_t conversions = 0;
  int64_t value_micros = 0;
  void Add(const RollupDelta& d);
};

class BatchDeltas {
 public:
  // Adds `delta` to the link's and the account's minute, hour and day buckets of `time_us`.
  // link_id 0 (an unattributed conversion): the account's buckets only.
  void AddBuckets(int64_t link_id, int64_t account_id, int64_t time_us, const RollupDelta& delta);
  // A counted click's (or a conversion's credited click's) values of the seven stored
  // dimensions, in store.h Dimension order; "" = unknown.
  using DimValues = std::array<std::string_view, 7>;
  // Adds `delta` (no head) to the link's hourly dim_rollups row of each known value, the
  // account's hourly and daily account_dim_rollups rows of the same, the link's hourly
  // combo_rollups row of the whole combination (unknowns included), the account's hourly and
  // daily account_combo_rollups rows of the combination without the destination, and its hourly
  // and daily account_pair_rollups rows of each pair of known values (destination aside); and
  // lists (account, destination, link) in account_destination_links. The views must stay valid
  // until Write (a hit's fields of the batch); see Keep for values read from the file.
  void AddDimensions(int64_t link_id, int64_t account_id, int64_t time_us, const DimValues& values,
                     const RollupDelta& delta);
  // A counted conversion of `goal_id` credited to `link_id` (0 = unattributed).
  void AddGoal(int64_t goal_id, int64_t link_id, int64_t time_us, int64_t value_micros);
  // Keeps a copy of `value` alive until Write, for AddDimensions.
  std::string_view Keep(std::string value);

  // The upserts, in one pass per table. Call inside the commit's transaction.
  [[nodiscard]] Status Write(Db* db) const;

 private:
  struct Key {
    int64_t id;  // link id in rollups, account id in account_rollups, goal id in goal_rollups
    int64_t width;
    int64_t start_us;
    int64_t link_id;  // goal_rollups only
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct DimKey {
    int64_t link_id;
    int64_t start_us;
    int dim;
    std::string_view value;
    bool operator==(const DimKey&) const = default;
  };
  struct DimKeyHash {
    size_t operator()(const DimKey& k) const;
  };
  struct ComboKey {
    int64_t link_id;
    int64_t start_us;
    DimValues values;
    bool operator==(const ComboKey&) const = default;
  };
  struct ComboKeyHash {
    size_t operator()(const ComboKey& k) const;
  };
  struct PairKey {
    int64_t account_id;
    int64_t start_us;
    int dim_a, dim_b;
    std::string_view value_a, value_b;
    bool operator==(const PairKey&) const = default;
  };
  struct PairKeyHash {
    size_t operator()(const PairKey& k) const;
  };
  struct DestinationKey {
    int64_t account_id;
    int64_t link_id;
    std::string_view destination;
    bool operator==(const DestinationKey&) const = default;
  };
  struct DestinationKeyHash {
    size_t operator()(const DestinationKey& k) const;
  };
  using Deltas = std::unordered_map<Key, RollupDelta, KeyHash>;

  [[nodiscard]] static Status WriteRollups(Db* db, std::string_view table,
                                           std::string_view id_column, const Deltas& deltas);
  [[nodiscard]] Status WriteDimensions(Db* db) const;
  [[nodiscard]] Status WriteAccountDimensions(Db* db) const;
  [[nodiscard]] Status WriteCombos(Db* db) const;
  [[nodiscard]] Status WriteAccountCombos(Db* db) const;
  [[nodiscard]] Status WriteAccountPairs(Db* db) const;
  [[nodiscard]] Status WriteDestinationLinks(Db* db) const;
  [[nodiscard]] Status WriteGoals(Db* db) const;

  Deltas links_, accounts_, goals_;
  // In account_hour_dims_ and account_day_dims_, DimKey.link_id holds the account id and
  // start_us the hour's or the day's start.
  std::unordered_map<DimKey, RollupDelta, DimKeyHash> dims_, account_hour_dims_, account_day_dims_;
  // In the account maps, ComboKey.link_id holds the account id, start_us the hour's or the day's
  // start, and the destination value is always "" (account_combo_rollups has no destination).
  std::unordered_map<ComboKey, RollupDelta, ComboKeyHash> combos_, account_hour_combos_,
      account_day_combos_;
  // PairKey.start_us: the hour's or the day's start.
  std::unordered_map<PairKey, RollupDelta, PairKeyHash> account_hour_pairs_, account_day_pairs_;
  std::unordered_set<DestinationKey, DestinationKeyHash> destination_links_;
  std::deque<std::string> kept_;  // a deque: growing it never moves the strings viewed
};

}  // namespace ct::sqlite
