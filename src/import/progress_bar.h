// ProgressBar: the import's progress on stderr. On a terminal, one line redrawn in place at
// most kRedrawsPerSecond times: phase, a bar, percentage, count and rate. Elsewhere (a pipe, a
// log file, cron) one plain line per finished phase with its count, time and rate, so logs
// stay readable and the rate is still recorded.
// Thread safety: none; used by the importing thread.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "import/importer.h"

namespace ct::import {

class ProgressBar : public ImportProgress {
 public:
  ProgressBar(std::FILE* out, bool terminal) : out_(out), terminal_(terminal) {}

  void Begin(std::string_view phase, size_t total) override;
  void Update(size_t done) override;
  void End() override;

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr int kRedrawsPerSecond = 10;

  void Draw();
  double Rate() const;  // items per second since Begin

  std::FILE* out_;
  bool terminal_;
  std::string phase_;
  size_t total_ = 0;
  size_t done_ = 0;
  Clock::time_point started_;
  Clock::time_point drawn_;
};

}  // namespace ct::import
