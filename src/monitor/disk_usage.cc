#include "monitor/disk_usage.h"

#include <sys/statvfs.h>

#include <utility>

namespace ct {

DiskUsage::DiskUsage(std::string path, MetricsRegistry* metrics, const std::string& gauge_name,
                     const std::string& help)
    : path_(std::move(path)), gauge_(metrics->AddGauge(gauge_name, help)) {}

std::optional<double> DiskUsage::UsedPercent() const {
  struct statvfs st {};
  if (statvfs(path_.c_str(), &st) != 0) return std::nullopt;
  // df's formula: used / (used + available to unprivileged users). The root reserve is not
  // available to us, so a disk "95% full" for df is what fills our journal.
  const double used = static_cast<double>(st.f_blocks - st.f_bfree);
  const double avail = static_cast<double>(st.f_bavail);
  if (used + avail <= 0) return std::nullopt;
  const double percent = 100.0 * used / (used + avail);
  gauge_->Set(percent);
  return percent;
}

}  // namespace ct
