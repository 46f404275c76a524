#include "app/progress_line.h"

#include <algorithm>
#include <cmath>

namespace ct::app {
namespace {

constexpr std::chrono::milliseconds kTtyInterval{100};  // smooth enough, cheap enough
constexpr std::chrono::seconds kPlainInterval{5};       // a log line every 5 s, not a flood
constexpr int kBarWidth = 30;

}  // namespace

ProgressLine::ProgressLine(std::FILE* out, std::string label, std::string unit, int64_t total,
                           int64_t already, bool tty)
    : out_(out),
      label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      already_(already),
      tty_(tty),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

double ProgressLine::Rate(int64_t done) const {
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return secs > 0 ? static_cast<double>(done - already_) / secs : 0.0;
}

std::string ProgressLine::Human(double v) {
  char buf[32];
  if (v >= 1e9) {
    std::snprintf(buf, sizeof buf, "%.2fG", v / 1e9);
  } else if (v >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.2fM", v / 1e6);
  } else if (v >= 1e4) {
    std::snprintf(buf, sizeof buf, "%.1fk", v / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  }
  return buf;
}

std::string ProgressLine::Duration(double seconds) {
  const int64_t s = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  }
  return buf;
}

void ProgressLine::Update(int64_t done) {
  const auto now = std::chrono::steady_clock::now();
  const auto interval = tty_
                            ? std::chrono::duration_cast<std::chrono::milliseconds>(kTtyInterval)
                            : std::chrono::duration_cast<std::chrono::milliseconds>(kPlainInterval);
  if (drawn_ && now - last_draw_ < interval) return;
  if (!tty_ && !drawn_ && now - start_ < interval) return;  // a short job prints only its end
  last_draw_ = now;
  Draw(done, false);
}

void ProgressLine::Finish(int64_t done) { Draw(done, true); }

void ProgressLine::Draw(int64_t done, bool final) {
  drawn_ = true;
  const double rate = Rate(done);
  std::string line = label_ + ": ";
  if (total_ > 0) {
    const double frac =
        std::clamp(static_cast<double>(done) / static_cast<double>(total_), 0.0, 1.0);
    if (tty_) {
      const int fill = static_cast<int>(frac * kBarWidth);
      line += "[" + std::string(fill, '#') + std::string(kBarWidth - fill, '.') + "] ";
    }
    char pct[16];
    std::snprintf(pct, sizeof pct, "%3.0f%% ", frac * 100);
    line += pct + Human(static_cast<double>(done)) + "/" + Human(static_cast<double>(total_));
  } else {
    line += Human(static_cast<double>(done));
  }
  line += " " + unit_ + ", " + Human(rate) + " " + unit_ + "/s";
  if (!final && total_ > 0 && rate > 0) {
    line += ", ETA " + Duration(static_cast<double>(std::max<int64_t>(0, total_ - done)) / rate);
  }
  if (tty_) {
    // \r and clear-to-end: the line shrinks cleanly when a number gets shorter.
    std::fprintf(out_, "\r%s\x1b[K%s", line.c_str(), final ? "\n" : "");
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
}

}  // namespace ct::app
