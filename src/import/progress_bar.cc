#include "import/progress_bar.h"

#include <algorithm>

namespace ct::import {

void ProgressBar::Begin(std::string_view phase, size_t total) {
  phase_ = std::string(phase);
  total_ = total;
  done_ = 0;
  started_ = Clock::now();
  drawn_ = Clock::time_point();
  if (terminal_) Draw();
}

void ProgressBar::Update(size_t done) {
  done_ = std::min(done, total_);
  if (!terminal_) return;
  if (Clock::now() - drawn_ < std::chrono::milliseconds(1000 / kRedrawsPerSecond)) return;
  Draw();
}

void ProgressBar::End() {
  const double secs = std::chrono::duration<double>(Clock::now() - started_).count();
  if (terminal_) {
    done_ = total_;
    Draw();
    std::fputc('\n', out_);
  } else {
    std::fprintf(out_, "%s: %zu in %.2f s (%.0f/s)\n", phase_.c_str(), total_, secs, Rate());
  }
  std::fflush(out_);
}

double ProgressBar::Rate() const {
  const double secs = std::chrono::duration<double>(Clock::now() - started_).count();
  return secs > 0 ? static_cast<double>(done_) / secs : 0.0;
}

void ProgressBar::Draw() {
  constexpr int kWidth = 30;
  const double frac = total_ == 0 ? 1.0 : static_cast<double>(done_) / static_cast<double>(total_);
  const int filled = static_cast<int>(frac * kWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '.');
  // \r and clear-to-end-of-line: redraw in place.
  std::fprintf(out_, "\r\x1b[K%-9s [%s] %3.0f%%  %zu/%zu  %.0f/s", phase_.c_str(), bar.c_str(),
               frac * 100.0, done_, total_, Rate());
  std::fflush(out_);
  drawn_ = Clock::now();
}

}  // namespace ct::import
