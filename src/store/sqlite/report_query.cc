#include "store/sqlite/report_query.h"

#include <algorithm>

namespace ct::sqlite {
namespace {

constexpr int64_t kHourUs = kHourSeconds * 1'000'000;
constexpr int64_t kDayUs = kDaySeconds * 1'000'000;

}  // namespace

int64_t WidthSeconds(Interval interval) {
  switch (interval) {
    case Interval::kMinute:
      return kMinuteSeconds;
    case Interval::kHour:
      return kHourSeconds;
    case Interval::kDay:
      return kDaySeconds;
  }
  return kDaySeconds;  // unreachable: every enumerator is handled above
}

std::string_view DimColumn(Dimension d) {
  switch (d) {
    case Dimension::kCountry:
      return "country";
    case Dimension::kDevice:
      return "device";
    case Dimension::kOs:
      return "os";
    case Dimension::kBrowser:
      return "browser";
    case Dimension::kReferrer:
      return "referrer_domain";
    case Dimension::kLanguage:
      return "language";
    case Dimension::kDestination:
      return "destination";
    case Dimension::kBot:
      return "CASE WHEN bot <> 0 THEN 'bot' ELSE 'human' END";
  }
  return "country";  // unreachable
}

bool CollapseFilters(const std::vector<StatsFilter>& filters, FilterValues* out) {
  for (const StatsFilter& f : filters) {
    auto& slot = (*out)[static_cast<int>(f.dimension)];
    if (slot && *slot != f.value) return false;
    slot = f.value;
  }
  return true;
}

std::string FilterSql(const FilterValues& values) {
  std::string sql;
  for (int d = 0; d < kDimensionCount; ++d) {
    if (!values[d]) continue;
    sql += " AND (";
    sql += DimColumn(static_cast<Dimension>(d));
    sql += ") = ?";
  }
  return sql;
}

Status BindFilters(Statement* s, int first_index, const FilterValues& values) {
  int index = first_index;
  for (const auto& v : values) {
    if (v) CT_RETURN_IF_ERROR(s->Bind(index++, std::string_view(*v)));
  }
  return Status::Ok();
}

std::optional<int64_t> Bucketer::StartOf(int64_t t) const {
  if (starts_.empty()) return BucketStart(t, width_);
  auto it = std::upper_bound(starts_.begin(), starts_.end(), t);
  if (it == starts_.begin()) return std::nullopt;
  return *(it - 1);
}

int64_t GranularityFor(const StatsQuery& q) {
  const int64_t width = WidthSeconds(q.interval);
  if (q.bucket_starts_us.empty()) return width;
  auto aligned = [&](int64_t width_us) {
    return std::all_of(q.bucket_starts_us.begin(), q.bucket_starts_us.end(),
                       [&](int64_t t) { return t % width_us == 0; });
  };
  if (width >= kDaySeconds && aligned(kDayUs)) return kDaySeconds;
  if (width >= kHourSeconds && aligned(kHourUs)) return kHourSeconds;
  return kMinuteSeconds;
}

}  // namespace ct::sqlite
