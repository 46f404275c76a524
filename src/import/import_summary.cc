#include "import/import_summary.h"

#include <algorithm>
#include <cstdio>

namespace ct::import {

std::string FormatSummary(const ImportSummary& s, bool dry_run) {
  std::string out;
  char line[256];
  auto add = [&](const char* label, size_t n) {
    std::snprintf(line, sizeof line, "  %-17s %zu\n", label, n);
    out += line;
  };
  add("rows:", s.rows);
  add(dry_run ? "would create:" : "created:", s.created);
  add("already existed:", s.existed);
  add("skipped:", s.Skipped());
  for (const auto& [reason, rows] : s.skipped) {
    std::string where;
    const size_t shown = std::min(rows.size(), kPositionsShown);
    for (size_t i = 0; i < shown; ++i) where += (i ? ", " : "") + std::to_string(rows[i]);
    if (rows.size() > shown) where += ", ...";
    std::snprintf(line, sizeof line, "    %-21s %zu (%.*s%s %s)\n", (reason + ":").c_str(),
                  rows.size(), static_cast<int>(s.position.size()), s.position.data(),
                  rows.size() > 1 ? "s" : "", where.c_str());
    out += line;
  }
  return out;
}

}  // namespace ct::import
