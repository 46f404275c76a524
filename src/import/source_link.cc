#include "import/source_link.h"

namespace ct::import {

std::string_view FormatName(ExportFormat f) {
  switch (f) {
    case ExportFormat::kBitly:
      return "bitly";
    case ExportFormat::kYourls:
      return "yourls";
    case ExportFormat::kShlink:
      return "shlink";
    case ExportFormat::kKutt:
      return "kutt";
  }
  return "unknown";  // unreachable: every enumerator is handled above
}

std::optional<ExportFormat> ParseFormatName(std::string_view name) {
  for (ExportFormat f :
       {ExportFormat::kBitly, ExportFormat::kYourls, ExportFormat::kShlink, ExportFormat::kKutt}) {
    if (FormatName(f) == name) return f;
  }
  return std::nullopt;
}

}  // namespace ct::import
