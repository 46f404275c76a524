// YOURLS: its links live in one MySQL table, `<prefix>url` (YOURLS_DB_PREFIX, "yourls_" by
// default) with the columns keyword, url, title, timestamp, ip, clicks (YOURLS'
// includes/functions-install.php). A backup is the mysqldump of that table; plugins and
// phpMyAdmin export it as CSV.
#include <algorithm>
#include <cctype>

#include "import/csv_table.h"
#include "import/export_parsers.h"
#include "import/mysql_dump.h"

namespace ct::import {
namespace {

// The column order of YOURLS' CREATE TABLE, for a dump whose INSERTs name no columns and
// that carries no CREATE TABLE (mysqldump --no-create-info).
const std::vector<std::string> kDefaultColumns = {"keyword",   "url", "title",
                                                  "timestamp", "ip",  "clicks"};

bool IsUrlTable(std::string_view name) {
  return name == "url" || (name.size() > 4 && name.substr(name.size() - 4) == "_url");
}

bool LooksLikeSql(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  if (text.substr(0, 2) == "--" || text.substr(0, 2) == "/*" || text.substr(0, 1) == "#") {
    return true;
  }
  std::string word;
  for (char c : text.substr(0, 16)) {
    if (!std::isalpha(static_cast<unsigned char>(c))) break;
    word.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  for (std::string_view kw : {"INSERT", "CREATE", "DROP", "SET", "LOCK", "USE", "REPLACE"}) {
    if (word == kw) return true;
  }
  return false;
}

}  // namespace

Result<ParsedExport> ParseYourlsSql(std::string_view text) {
  auto dump = ReadMysqlInserts(text, IsUrlTable, kMaxExportRows);
  if (!dump.ok()) return dump.status();
  if (dump->table.empty()) {
    return Status::InvalidArgument(
        "no INSERT INTO a YOURLS links table (`yourls_url`, or `<prefix>url`) in the dump");
  }
  const std::vector<std::string>& columns = dump->columns.empty() ? kDefaultColumns : dump->columns;
  auto index = [&columns](std::string_view name) -> std::optional<size_t> {
    auto it = std::find(columns.begin(), columns.end(), name);
    if (it == columns.end()) return std::nullopt;
    return static_cast<size_t>(it - columns.begin());
  };
  const auto keyword = index("keyword"), url = index("url"), title = index("title"),
             clicks = index("clicks");
  if (!keyword || !url) {
    return Status::InvalidArgument("table `" + dump->table +
                                   "` has no keyword and url columns: not a YOURLS links table");
  }
  ParsedExport out;
  out.links.reserve(dump->rows.size());
  for (SqlRow& row : dump->rows) {
    SourceLink l;
    l.line = row.line;
    if (row.values.size() != columns.size()) {
      l.unreadable = "has " + std::to_string(row.values.size()) + " values, the table " +
                     std::to_string(columns.size()) + " columns";
      out.links.push_back(std::move(l));
      continue;
    }
    auto text_of = [&row](std::optional<size_t> c) {
      return c && row.values[*c] ? std::move(*row.values[*c]) : std::string();
    };
    l.slug = text_of(keyword);
    l.destination = text_of(url);
    l.title = text_of(title);
    if (clicks && row.values[*clicks]) {
      auto n = ParseCount(*row.values[*clicks]);
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

Result<ParsedExport> ParseYourlsExport(std::string_view text) {
  return LooksLikeSql(text) ? ParseYourlsSql(text) : ParseYourlsCsv(text);
}

}  // namespace ct::import
