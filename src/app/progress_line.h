// ProgressLine: progress of a long command-line job on stderr — on a terminal, one line redrawn
// in place (bar, count, rate, ETA); otherwise (a log file, a pipe, cron) a plain line every few
// seconds, so a log is readable and not flooded with carriage returns.
//
// Thread safety: none; one thread updates it.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace ct::app {

class ProgressLine {
 public:
  // `total` is what done counts towards (0 = unknown: no bar, no ETA); `already` was done by
  // an earlier run (a resumed job) and is left out of the rate. `tty`: isatty(fileno(out)).
  ProgressLine(std::FILE* out, std::string label, std::string unit, int64_t total, int64_t already,
               bool tty);

  // Redraws when due (terminal: every 100 ms; plain: every 5 s).
  void Update(int64_t done);
  // The last state, then a newline on a terminal.
  void Finish(int64_t done);
  // Events per second over this run so far.
  double Rate(int64_t done) const;

  // "12.3k", "4.56M": the count or rate with a metric suffix.
  static std::string Human(double v);
  // "1:02:03" or "4:05" (minutes:seconds) for `seconds`.
  static std::string Duration(double seconds);

 private:
  void Draw(int64_t done, bool final);

  std::FILE* out_;
  const std::string label_;
  const std::string unit_;
  const int64_t total_;
  const int64_t already_;
  const bool tty_;
  const std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  bool drawn_ = false;
};

}  // namespace ct::app
