// The CSV exports: Bitly, Shlink's web client, and YOURLS (a table export or the Import/Export
// plugin). One reader driven by each tool's column names (export_parsers.h lists them).
#include <string>
#include <vector>

#include "import/csv_table.h"
#include "import/export_parsers.h"

namespace ct::import {
namespace {

struct CsvSpec {
  std::vector<std::string_view> slug;       // a column holding the bare short code
  std::vector<std::string_view> short_url;  // else one holding the short URL (or "/code/")
  std::vector<std::string_view> destination;
  std::vector<std::string_view> title;
  std::vector<std::string_view> tags;
  std::vector<std::string_view> clicks;
  std::string_view tag_separators;
};

std::optional<size_t> Find(const CsvTable& t, const std::vector<std::string_view>& names) {
  for (std::string_view n : names) {
    if (auto c = t.Column({n})) return c;
  }
  return std::nullopt;
}

std::string Names(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  std::string out;
  for (const auto* list : {&a, &b}) {
    for (std::string_view n : *list) out += (out.empty() ? "" : ", ") + std::string(n);
  }
  return out;
}

Result<ParsedExport> ReadCsv(std::string_view text, const CsvSpec& spec) {
  auto table = ReadCsvTable(text);
  if (!table.ok()) return table.status();
  const CsvTable& t = *table;
  const auto slug = Find(t, spec.slug);
  const auto short_url = Find(t, spec.short_url);
  const auto destination = Find(t, spec.destination);
  if (!slug && !short_url) {
    return Status::InvalidArgument("line 1: no short link column (one of " +
                                   Names(spec.slug, spec.short_url) + ")");
  }
  if (!destination) {
    return Status::InvalidArgument("line 1: no destination column (one of " +
                                   Names(spec.destination, {}) + ")");
  }
  const auto title = Find(t, spec.title);
  const auto tags = Find(t, spec.tags);
  const auto clicks = Find(t, spec.clicks);
  ParsedExport out;
  out.links.reserve(t.rows.size());
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const api::CsvRecord& rec = t.rows[r];
    SourceLink l;
    l.line = t.lines[r];
    if (rec.size() != t.header.size()) {
      l.unreadable = "has " + std::to_string(rec.size()) + " fields, the header " +
                     std::to_string(t.header.size());
      out.links.push_back(std::move(l));
      continue;
    }
    l.slug = slug && !Trim(rec[*slug]).empty()
                 ? Trim(rec[*slug])
                 : (short_url ? SlugFromShortUrl(rec[*short_url]) : std::string());
    l.destination = Trim(rec[*destination]);
    if (title) l.title = Trim(rec[*title]);
    if (tags) l.tags = SplitTags(rec[*tags], spec.tag_separators);
    if (clicks) {
      auto n = ParseCount(rec[*clicks]);
      if (n.ok()) {
        l.clicks = *n;
      } else {
        l.unreadable = n.status().message();
      }
    }
    out.links.push_back(std::move(l));
  }
  return out;
}

}  // namespace

Result<ParsedExport> ParseBitlyCsv(std::string_view text) {
  static const CsvSpec spec{
      {"backhalf", "custombackhalf"},
      {"bitlink", "link", "shortlink", "shorturl", "short"},
      {"longurl", "destination", "destinationurl", "originalurl"},
      {"title"},
      {"tags"},
      {"clicks", "engagements", "totalclicks", "totalengagements"},
      "|,",
  };
  return ReadCsv(text, spec);
}

Result<ParsedExport> ParseShlinkCsv(std::string_view text) {
  static const CsvSpec spec{
      {"shortcode"}, {"shorturl"}, {"longurl"},
      {"title"},     {"tags"},     {"visits", "visitscount", "visitstotal"},
      "|",
  };
  return ReadCsv(text, spec);
}

Result<ParsedExport> ParseYourlsCsv(std::string_view text) {
  static const CsvSpec spec{
      {"keyword"},
      {"source", "shorturl"},  // the Import/Export plugin writes "/keyword/"
      {"url", "target", "longurl"},
      {"title"},
      {},
      {"clicks", "hits"},
      "",
  };
  return ReadCsv(text, spec);
}

}  // namespace ct::import
