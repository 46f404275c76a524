// AlarmStateFile: the alarms' memory across a restart, in one small local JSON file. It lives
// outside the store and the bus on purpose: an alarm about a lost store must survive a restart
// while the store is still lost, and must not say "firing" twice.
//
//   {"version":1,"alarms":{"tracking_lag":{"state":"firing","since_us":..,"last_sent_us":..}}}
//
// Save() replaces the file atomically (write a temp file, fsync it, rename it over the old one,
// fsync the directory), so a crash leaves the old or the new file, never a torn one.
// Thread safety: none; the AlarmEngine calls it under its own lock.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "common/status.h"

namespace ct {

struct PersistedAlarm {
  std::string state;         // "ok" | "pending" | "firing"
  int64_t since_us = 0;      // wall time the current state (episode) began
  int64_t last_sent_us = 0;  // wall time of the last message raised; 0 = none
};

class AlarmStateFile {
 public:
  explicit AlarmStateFile(std::string path) : path_(std::move(path)) {}

  // The alarms in the file, by rule name. A missing file is an empty map (first start). A file
  // that cannot be read or parsed is an error (kIoError / kCorruption); the caller decides.
  Result<std::map<std::string, PersistedAlarm>> Load() const;
  // Replaces the file with `alarms`.
  Status Save(const std::map<std::string, PersistedAlarm>& alarms) const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace ct
