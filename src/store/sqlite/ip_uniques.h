// IpUniques: the "ip_30min" unique-click definition (store.h UniqueDefinition::kIp30Min),
// ClickMeter's "IP not seen in the last 30 minutes", decided inside the tracker's commit.
//
// The rule, by event time (the edge's stamp), never commit time: a human click at time t on a
// link is unique when no other human click from the same IP on the same link lies in
// (t - 30 min, t]. A click exactly 30 minutes after the previous one is unique again. Two
// clicks with the same microsecond: the one committed first is unique. The IP compared is the
// one the edge journaled, so the anonymised address when tracking.anonymize_ip is on (two
// visitors in one /24 are then one IP). Bots and HEADs are never unique and never count as a
// sighting.
//
// Exact whatever the arrival order:
//   - within a batch, the clicks are decided in event-time order (ties in batch order);
//   - a late click that lands within 30 minutes before an already committed unique click takes
//     its uniqueness away (the rollups and the raw hit are corrected in the same transaction):
//     only the next sighting after it can flip, since any later one already had that next
//     sighting in its window.
// Limits: sightings are kept kIpSightingsKeepUs (48 h; the retention sweep prunes them), so a
// click later than that is judged against what is left; a flip needs the committed click's raw
// hit (for its dimensions) and is skipped if tracker.hits_retention_days already expired it.
//
// Thread safety: none; one per ApplyCommit, on the commit's connection and transaction.
#pragma once

#include <vector>

#include "common/status.h"
#include "store/sqlite/db.h"
#include "store/sqlite/rollup_deltas.h"
#include "store/store.h"

namespace ct::sqlite {

class IpUniques {
 public:
  IpUniques(Db* db, BatchDeltas* deltas) : db_(db), deltas_(deltas) {}

  // A newly inserted human click of an ip_30min account (its hit row says is_unique = 0 until
  // Apply decides). The record must outlive Apply.
  void Add(const HitRecord* hit) { hits_.push_back(hit); }

  // Decides every added click: records its sighting, marks its hit unique and adds the unique
  // to its rollups when it is, and takes uniqueness away from a committed click it precedes.
  [[nodiscard]] Status Apply();

 private:
  [[nodiscard]] Status Decide(const HitRecord& hit);
  // The committed click after `hit` on its link and IP, if within the window and unique, is
  // no longer unique.
  [[nodiscard]] Status FlipNext(const HitRecord& hit);
  [[nodiscard]] Status SetUnique(const void* event_id, size_t size, bool unique);

  Db* db_;
  BatchDeltas* deltas_;
  std::vector<const HitRecord*> hits_;
};

}  // namespace ct::sqlite
