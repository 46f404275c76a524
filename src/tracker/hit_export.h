// HitExporter: writes raw hits to gzip-compressed NDJSON before the retention sweep deletes
// them (tracker.hits_export_dir), one file per UTC day of hits:
//   <dir>/hits-YYYY-MM-DD.ndjson.gz   one JSON object per line (tracker/hit_json.h)
//
// ExportDay(day) writes every hit of that day still in the store, durably (tracker/
// export_file.h: temp, fsync, rename, fsync dir), and only then returns their ids — the only
// hits the caller may delete. So a crash at any point loses no hit: it is in the store, or in
// a committed file, or both.
//
// Re-running a day (a crash between the export and the delete, or a late hit of an exported
// day) is idempotent: when the day's file exists, its hits are read back (click_id) and only
// hits not in it are written, as a new gzip member after the old bytes (copied verbatim). The
// file then holds each hit exactly once.
//
// Memory: the ids of the day being exported (16 bytes per hit), plus, when the day's file
// already exists, the click ids in it.
// Thread safety: one caller at a time. `store` must outlive the exporter.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace ct {

struct HitExportOptions {
  std::string dir;        // created if missing
  int batch_rows = 5000;  // hits per ScanHits page
};

class HitExporter {
 public:
  HitExporter(HitExportOptions options, Store* store);

  // Exports the hits of the UTC day starting at `day_start_us` (a multiple of 86400e6); returns
  // the ids of every hit of that day now in the file (safe to delete from the store).
  Result<std::vector<EventId>> ExportDay(int64_t day_start_us);

  // "<dir>/hits-2026-12-04.ndjson.gz" for the day starting at `day_start_us`.
  std::string DayPath(int64_t day_start_us) const;

 private:
  const HitExportOptions options_;
  Store* const store_;
};

// The click ids in a (possibly multi-member) gzip NDJSON file of hits; kNotFound if it does
// not exist, kCorruption on a line that is not a hit object.
Result<std::unordered_set<std::string>> ReadExportedClickIds(const std::string& path);

}  // namespace ct
