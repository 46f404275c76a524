#include "common/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ct {
namespace {

// A repeated line is printed at most once per window; the ones in between are only counted.
constexpr auto kRepeatWindow = std::chrono::seconds(10);

LogLevel LevelFromEnv() {
  const char* v = std::getenv("CLICKTRAIL_LOG");
  if (v == nullptr) return LogLevel::kInfo;
  std::string_view s(v);
  if (s == "debug") return LogLevel::kDebug;
  if (s == "warn") return LogLevel::kWarn;
  if (s == "error") return LogLevel::kError;
  return LogLevel::kInfo;
}

std::atomic<int>& Level() {
  static std::atomic<int> level{static_cast<int>(LevelFromEnv())};
  return level;
}

const char* LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarn:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
  }
  return "?";
}

struct RepeatState {
  std::chrono::steady_clock::time_point last_printed;
  uint64_t suppressed = 0;
};

}  // namespace

void SetLogLevel(LogLevel level) { Level() = static_cast<int>(level); }
LogLevel GetLogLevel() { return static_cast<LogLevel>(Level().load()); }

void Logger::Emit(LogLevel level, fmt::string_view key, std::string msg) const {
  if (static_cast<int>(level) < Level().load(std::memory_order_relaxed)) return;
  static std::mutex mu;
  static std::unordered_map<std::string, RepeatState> repeats;
  auto now = std::chrono::steady_clock::now();
  uint64_t suppressed = 0;
  {
    std::lock_guard lock(mu);
    std::string k = module_;
    k.append("|").append(key.data(), key.size());
    auto [it, inserted] = repeats.try_emplace(std::move(k));
    if (!inserted && now - it->second.last_printed < kRepeatWindow) {
      ++it->second.suppressed;
      return;
    }
    suppressed = it->second.suppressed;
    it->second = RepeatState{now, 0};
  }
  auto wall = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(wall);
  int millis = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count() %
      1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::string line = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z {} {}: {}",
                                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                                 tm.tm_min, tm.tm_sec, millis, LevelName(level), module_, msg);
  if (suppressed > 0) line += fmt::format(" ({} similar lines suppressed)", suppressed);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace ct
