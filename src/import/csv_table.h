// A CSV export read by its header row (RFC 4180 via api/csv.h): columns are found by any of
// several names, compared after dropping case, spaces, '_' and '-' ("Long URL" = "long_url"),
// and each data row keeps the line it started on. Shared by the CSV readers of
// export_parsers.h. Thread safety: pure.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/csv.h"
#include "common/status.h"

namespace ct::import {

struct CsvTable {
  std::vector<std::string> header;  // normalised names
  std::vector<api::CsvRecord> rows;
  std::vector<size_t> lines;  // lines[i]: where rows[i] starts in the file
  // The index of the first column whose normalised name is one of `names` (give them
  // normalised: lower case, no spaces, '_' or '-').
  std::optional<size_t> Column(std::initializer_list<std::string_view> names) const;
};

// The file's records, the first being the header. Blank lines are skipped. Fails on a CSV
// syntax error (naming the line), an empty file, or more than kMaxExportRows rows.
Result<CsvTable> ReadCsvTable(std::string_view text);

std::string NormalizeHeader(std::string_view name);

// A click count cell: digits only (surrounding spaces allowed); "" is nullopt.
Result<std::optional<int64_t>> ParseCount(std::string_view cell);
// The short code in a short URL: "https://bit.ly/abc", "bit.ly/abc" and "/abc/" all give
// "abc" (query and fragment dropped); a value without '/' is the code itself.
std::string SlugFromShortUrl(std::string_view url);
// Tags split on any of `separators`, trimmed, empty ones dropped.
std::vector<std::string> SplitTags(std::string_view cell, std::string_view separators);
std::string Trim(std::string_view s);

}  // namespace ct::import
