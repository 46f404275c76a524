// SourceLink: one link as another tool's export describes it, before any of our validation.
// The format parsers (export_parsers.h) produce them; the importer (importer.h) validates
// each through the API's own rules and creates the ones that pass.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ct::import {

enum class ExportFormat { kBitly, kYourls, kShlink, kKutt };

// "bitly", "yourls", "shlink", "kutt": the --format names and LinkRow::imported_from.
std::string_view FormatName(ExportFormat f);
std::optional<ExportFormat> ParseFormatName(std::string_view name);

struct SourceLink {
  size_t line = 0;   // 1-based line of the file where the row starts (the summary names it)
  std::string slug;  // the short code as the tool spelled it (its domain removed)
  std::string destination;
  std::string title;
  std::vector<std::string> tags;
  std::optional<int64_t> clicks;  // the tool's all-time total; nullopt: the export has none
  // Non-empty when the row itself could not be read (a missing column, a click count that is
  // not a number): the row is skipped with this as its reason, the rest of the file goes on.
  std::string unreadable;
};

}  // namespace ct::import
