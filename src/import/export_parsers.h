// Readers of other link shorteners' export files. Each turns the bytes of one export into
// SourceLinks and refuses a file it cannot read as a whole (kInvalidArgument naming the line),
// so a malformed file is never imported shifted or half-read. A row that is readable but
// incomplete (no short code, a click count that is not a number) becomes a SourceLink with
// `unreadable` set: the importer skips it with that reason and goes on.
//
// The formats, as the tools document or write them (tests/data/import/README.md has the
// sources): headers are matched case-insensitively, ignoring spaces, '_' and '-', so
// "Long URL", "long_url" and "longUrl" are one column.
//   bitly   CSV  short link: Bitlink | link | Short link | Short URL   destination: Long URL |
//                long_url   title: Title   tags: Tags ('|' or ',')   clicks: Clicks |
//                Engagements | Total clicks
//   yourls  the mysqldump of the `<prefix>url` table (keyword, url, title, timestamp, ip,
//           clicks), or a CSV with a header: keyword|source, url|target, title, clicks|hits
//           (the Import/Export plugin writes source "/keyword/", target, hits)
//   shlink  the web client's short_urls.csv: shortCode (else the path of shortUrl), longUrl,
//           title, tags ('|'), visits | visitsCount
//   kutt    the API's GET /api/v2/links JSON ({"data": [...]}) or a bare array of its link
//           objects: address, target, description, visit_count
// Thread safety: pure functions.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "import/source_link.h"

namespace ct::import {

// An export file is held in memory whole; past this it is refused rather than swapped.
inline constexpr size_t kMaxExportBytes = 1024 * 1024 * 1024;
inline constexpr size_t kMaxExportRows = 5'000'000;

struct ParsedExport {
  std::vector<SourceLink> links;
  // What SourceLink::line counts: "line" for text formats, "item" (1-based index in the
  // array) for Kutt's JSON.
  std::string_view position = "line";
};

Result<ParsedExport> ParseBitlyCsv(std::string_view text);
Result<ParsedExport> ParseYourlsExport(std::string_view text);  // SQL dump or CSV
Result<ParsedExport> ParseYourlsSql(std::string_view text);
Result<ParsedExport> ParseYourlsCsv(std::string_view text);
Result<ParsedExport> ParseShlinkCsv(std::string_view text);
Result<ParsedExport> ParseKuttJson(std::string_view text);
Result<ParsedExport> ParseExport(ExportFormat format, std::string_view text);

}  // namespace ct::import
