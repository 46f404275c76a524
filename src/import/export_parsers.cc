#include "import/export_parsers.h"

namespace ct::import {

Result<ParsedExport> ParseExport(ExportFormat format, std::string_view text) {
  switch (format) {
    case ExportFormat::kBitly:
      return ParseBitlyCsv(text);
    case ExportFormat::kYourls:
      return ParseYourlsExport(text);
    case ExportFormat::kShlink:
      return ParseShlinkCsv(text);
    case ExportFormat::kKutt:
      return ParseKuttJson(text);
  }
  return Status::InvalidArgument("unknown format");  // unreachable: every format is listed
}

}  // namespace ct::import
