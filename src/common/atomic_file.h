// Small state files replaced whole (alarm state, the edge's link snapshot, the shipper's
// cursor): after a crash the path holds either the old contents or the new, never a mix or an
// empty file.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace ct {

// Writes `contents` to path.tmp, fsyncs it, renames it over `path` and fsyncs the directory
// (so the rename itself survives a power loss). On error the tmp file is removed and `path` is
// untouched.
Status WriteFileAtomically(const std::string& path, std::string_view contents);

// The whole file; kNotFound if it does not exist, kCorruption if it is larger than `max_bytes`
// (a state file that grew past any sane size is not read into memory).
Result<std::string> ReadWholeFile(const std::string& path, size_t max_bytes);

}  // namespace ct
