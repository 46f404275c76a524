#include "store/sqlite/report_plan.h"

#include <vector>

namespace ct::sqlite {

bool Pairable(Dimension d) {
  return static_cast<int>(d) < static_cast<int>(Dimension::kDestination);
}

std::optional<Dimension> SingleKnownFilter(const StatsQuery& q, const ComboFilters& f) {
  if (q.link_id != 0 || f.bot) return std::nullopt;
  std::optional<Dimension> single;
  for (int d = 0; d < kDimensionCount; ++d) {
    if (!f.columns[d]) continue;
    if (single || f.columns[d]->empty()) return std::nullopt;
    single = static_cast<Dimension>(d);
  }
  return single;
}

std::optional<std::pair<Dimension, Dimension>> TwoKnownFilters(const StatsQuery& q,
                                                               const ComboFilters& f) {
  if (q.link_id != 0 || f.bot) return std::nullopt;
  std::vector<Dimension> dims;
  for (int d = 0; d < kDimensionCount; ++d) {
    if (!f.columns[d]) continue;
    if (f.columns[d]->empty() || !Pairable(static_cast<Dimension>(d))) return std::nullopt;
    dims.push_back(static_cast<Dimension>(d));
  }
  if (dims.size() != 2) return std::nullopt;
  return std::make_pair(dims[0], dims[1]);
}

std::optional<Dimension> PairBreakdownFilter(const StatsQuery& q, const ComboFilters& f,
                                             Dimension dimension) {
  const std::optional<Dimension> single = SingleKnownFilter(q, f);
  if (!single || !Pairable(*single) || !Pairable(dimension) || *single == dimension) {
    return std::nullopt;
  }
  return single;
}

bool UsesAccountCombos(const StatsQuery& q, const ComboFilters& f,
                       std::optional<Dimension> group_by) {
  return q.link_id == 0 && !f.Of(Dimension::kDestination) && group_by != Dimension::kDestination;
}

}  // namespace ct::sqlite
