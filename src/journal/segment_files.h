// The journal directory: listing segments by base position and quarantining damaged ones.
// Stateless helpers; thread-safe as far as the FileEnv is.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "journal/file_env.h"

namespace ct::journal {

inline constexpr char kQuarantineDir[] = "quarantine";

// "<dir>/<20-digit base>.seg"
std::string SegmentPath(const std::string& dir, uint64_t base);

// Bases of the segment files in `dir`, ascending. Other names are ignored.
Result<std::vector<uint64_t>> ListSegments(FileEnv* env, const std::string& dir);

enum class QuarantineMode {
  kLink,  // hard-link: the original stays readable and deletable; the evidence stays too
  kMove,  // rename: the original is unusable (bad header) and must leave the segment list
};
// Puts segment `base` into <dir>/quarantine/ and fsyncs the directories. A segment already
// quarantined is not an error. Returns OK if it was done (or had been done before).
[[nodiscard]] Status QuarantineSegment(FileEnv* env, const std::string& dir, uint64_t base,
                                       QuarantineMode mode);

}  // namespace ct::journal
