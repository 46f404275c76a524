#include "store/edge_ranges.h"

#include <algorithm>

namespace ct {

uint64_t AdvanceWatermark(uint64_t committed_below,
                          std::vector<std::pair<uint64_t, uint64_t>> ranges) {
  std::sort(ranges.begin(), ranges.end());
  for (const auto& [from, to] : ranges) {
    if (from > committed_below) break;  // a gap: a range not committed yet
    committed_below = std::max(committed_below, to);
  }
  return committed_below;
}

EdgeAdvance AdvanceEdge(uint64_t committed_below, int64_t committed_through_us,
                        const std::vector<PendingRange>& ranges) {
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  spans.reserve(ranges.size());
  for (const PendingRange& r : ranges) spans.emplace_back(r.from, r.to);
  EdgeAdvance out{AdvanceWatermark(committed_below, std::move(spans)), committed_through_us};
  for (const PendingRange& r : ranges) {
    if (r.to <= out.committed_below) {
      out.committed_through_us = std::max(out.committed_through_us, r.through_us);
    }
  }
  return out;
}

RangeClaims::RangeClaims(uint64_t committed_below,
                         const std::vector<std::pair<uint64_t, uint64_t>>& committed)
    : below_(committed_below) {
  for (const auto& [from, to] : committed) {
    if (to <= from) continue;
    taken_.emplace(from, to);
    longest_ = std::max(longest_, to - from);
  }
}

bool RangeClaims::Overlaps(uint64_t from, uint64_t to) const {
  // A taken [f, t) overlaps [from, to) when f < to and t > from; f > from - longest_ for any
  // t > from, so only those starts need a look.
  const uint64_t lowest = from > longest_ ? from - longest_ : 0;
  for (auto it = taken_.lower_bound(lowest); it != taken_.end() && it->first < to; ++it) {
    if (it->second > from) return true;
  }
  return false;
}

bool RangeClaims::Claim(uint64_t from, uint64_t to) {
  // Starting below the watermark: some of its bytes were committed, so counted (a count cannot
  // be split; at most once wins over exactly once for an estimate).
  if (to <= from || from < below_ || Overlaps(from, to)) return false;
  taken_.emplace(from, to);
  longest_ = std::max(longest_, to - from);
  return true;
}

bool HasRangedItems(const CommitBatch& batch) {
  for (const DeadLetter& dl : batch.dead_letters) {
    if (dl.range_to != 0) return true;
  }
  for (const RecordLoss& l : batch.losses) {
    if (l.to != 0) return true;
  }
  return false;
}

NewItems AllNew(const CommitBatch& batch) {
  return {std::vector<bool>(batch.dead_letters.size(), true),
          std::vector<bool>(batch.losses.size(), true)};
}

NewItems ClaimItems(const CommitBatch& batch, RangeClaims* claims) {
  NewItems out = AllNew(batch);
  for (size_t i = 0; i < batch.dead_letters.size(); ++i) {
    const DeadLetter& dl = batch.dead_letters[i];
    if (dl.range_to != 0) out.dead_letters[i] = claims->Claim(dl.position, dl.range_to);
  }
  for (size_t i = 0; i < batch.losses.size(); ++i) {
    const RecordLoss& l = batch.losses[i];
    if (l.to != 0) out.losses[i] = claims->Claim(l.from, l.to);
  }
  return out;
}

}  // namespace ct
