// DiskUsage: how full the filesystem holding a directory is (statvfs), for the disk_free_low
// alarm (RELIABILITY.md §6) and the journal row of /api/v1/status. Exported as the gauge
// `gauge_name` (serve: clicktrail_journal_disk_used_percent for the journal directory).
//
// Thread safety: UsedPercent() may be called from any thread; each call is one statvfs.
#pragma once

#include <optional>
#include <string>

#include "monitor/metrics.h"

namespace ct {

class DiskUsage {
 public:
  DiskUsage(std::string path, MetricsRegistry* metrics, const std::string& gauge_name,
            const std::string& help);

  // Percent of the filesystem's blocks in use, as df counts it (blocks reserved for root count
  // as unavailable); nullopt if statvfs fails. Also sets the gauge.
  std::optional<double> UsedPercent() const;

 private:
  const std::string path_;
  Gauge* const gauge_;
};

}  // namespace ct
