// Leveled, rate-limited logging to stderr, one Logger per module:
//
//   static ct::Logger log("journal");
//   log.Warn("fsync of {} failed: {}", path, status.ToString());
//
// Lines look like `2026-11-25T10:00:00.123Z WARN journal: fsync of ... failed: ...`.
// Repeats of the same format string within kRepeatWindow are counted, not printed, and the
// count is reported with the next line that gets through, so a fault that fires per request
// cannot flood the log. Thread-safe.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace ct {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Process-wide minimum level (default kInfo; CLICKTRAIL_LOG=debug|info|warn|error overrides).
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();

class Logger {
 public:
  explicit Logger(std::string module) : module_(std::move(module)) {}

  template <typename... Args>
  void Debug(fmt::format_string<Args...> f, Args&&... args) const {
    Emit(LogLevel::kDebug, static_cast<fmt::string_view>(f),
         fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void Info(fmt::format_string<Args...> f, Args&&... args) const {
    Emit(LogLevel::kInfo, static_cast<fmt::string_view>(f),
         fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void Warn(fmt::format_string<Args...> f, Args&&... args) const {
    Emit(LogLevel::kWarn, static_cast<fmt::string_view>(f),
         fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void Error(fmt::format_string<Args...> f, Args&&... args) const {
    Emit(LogLevel::kError, static_cast<fmt::string_view>(f),
         fmt::format(f, std::forward<Args>(args)...));
  }

 private:
  // `key` (the format string) identifies a repeat for rate limiting.
  void Emit(LogLevel level, fmt::string_view key, std::string msg) const;
  std::string module_;
};

}  // namespace ct
