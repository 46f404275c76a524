// Config: every configuration key of clicktrail in one table (config_keys.cc), loaded from an
// optional file plus command-line overrides, validated once at start-up. `--help`, the sample
// config (docs/clicktrail.conf.sample) and error messages all come from the same table.
//
// File format: one `key = value` per line; `# comments`; `[section]` lines prefix the keys
// that follow with `section.`; values may be double-quoted. Unknown keys, bad values and
// out-of-range numbers are errors that name the key and the allowed range.
//
// A Config is immutable once loaded and safe to read from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace ct {

enum class ConfigType { kInt, kString, kBool, kEnum, kHostPort };

struct ConfigKey {
  std::string_view name;
  ConfigType type;
  std::string_view default_value;
  int64_t min = 0;                        // kInt only
  int64_t max = 0;                        // kInt only
  std::vector<std::string_view> choices;  // kEnum only
  std::string_view help;
};

// The table, in display order.
const std::vector<ConfigKey>& ConfigKeys();

class Config {
 public:
  // Loads `file` (if any), then applies `overrides` (key, value) in order; validates all.
  static Result<Config> Load(const std::optional<std::string>& file,
                             const std::vector<std::pair<std::string, std::string>>& overrides);
  // Defaults only (for tests and commands that need no file).
  static Config Defaults();

  int64_t Int(std::string_view key) const;
  const std::string& Str(std::string_view key) const;
  bool Bool(std::string_view key) const;
  // kHostPort keys: the host and port parts.
  std::pair<std::string, uint16_t> HostPort(std::string_view key) const;

  // "  key (type, default X, range A..B)\n      help" for every key.
  static std::string HelpText();
  // A commented config file with every key at its default.
  static std::string SampleFile();

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// Validates one value against its key; the error names the key and what is allowed.
Status ValidateConfigValue(const ConfigKey& key, std::string_view value);
Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view value);
// The items of a comma-separated value ("a, b,,c" -> {a, b, c}): spaces and tabs around each
// trimmed, empty items dropped.
std::vector<std::string> SplitList(std::string_view value);

}  // namespace ct
