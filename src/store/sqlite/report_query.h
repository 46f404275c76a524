// What a StatsQuery means in SQL, shared by the report queries (reports.cc) and their
// conversion figures (report_conversions.cc): bucket widths and assignment, the stored
// granularity to read, and dimension filters on raw hits.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/sqlite/commit.h"
#include "store/sqlite/statement.h"
#include "store/store.h"

namespace ct::sqlite {

int64_t WidthSeconds(Interval interval);

// The hits column (or expression) holding a dimension's value; the same tokens as dim_rollups.
// Unqualified: only the hits table has these columns.
std::string_view DimColumn(Dimension d);

// The filters as at most one value per dimension. False when two filters on one dimension ask
// for different values: nothing can match, and the caller answers empty without a query.
using FilterValues = std::array<std::optional<std::string>, kDimensionCount>;
bool CollapseFilters(const std::vector<StatsFilter>& filters, FilterValues* out);

// " AND col = ?" per filtered dimension, in Dimension order, so the same set of filters always
// gives the same SQL text (the connection's statement cache key).
std::string FilterSql(const FilterValues& values);
[[nodiscard]] Status BindFilters(Statement* s, int first_index, const FilterValues& values);

// Assigns instants to the query's buckets: UTC buckets of the interval's width, or the caller's
// boundaries (bucket i is [starts[i], starts[i+1]); nothing before starts[0]). Borrows the
// query's boundaries: the query must outlive it.
class Bucketer {
 public:
  explicit Bucketer(const StatsQuery& q)
      : starts_(q.bucket_starts_us), width_(WidthSeconds(q.interval)) {}
  std::optional<int64_t> StartOf(int64_t t) const;

 private:
  const std::vector<int64_t>& starts_;
  int64_t width_;
};

// The coarsest stored granularity, no coarser than the interval, whose buckets nest in the
// caller's: every caller boundary must be a boundary of the stored buckets, or a stored bucket
// would straddle two of the caller's (or reach past the last one, at a coarser width).
int64_t GranularityFor(const StatsQuery& q);

}  // namespace ct::sqlite
