// The summary `clicktrail import` prints when it is done: rows read, links created (or that a
// dry run would create), links that already existed, and the skipped rows per reason with
// their count and the first few positions, so a user can find them in the file.
#pragma once

#include <string>

#include "import/importer.h"

namespace ct::import {

inline constexpr size_t kPositionsShown = 5;  // per reason; the count says how many in all

std::string FormatSummary(const ImportSummary& summary, bool dry_run);

}  // namespace ct::import
