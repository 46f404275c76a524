#include "import/csv_table.h"

#include <algorithm>
#include <cctype>

#include "import/export_parsers.h"

namespace ct::import {

std::string NormalizeHeader(std::string_view name) {
  std::string out;
  for (unsigned char c : Trim(name)) {
    if (c == ' ' || c == '_' || c == '-') continue;
    out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}

std::optional<size_t> CsvTable::Column(std::initializer_list<std::string_view> names) const {
  for (std::string_view n : names) {
    auto it = std::find(header.begin(), header.end(), n);
    if (it != header.end()) return static_cast<size_t>(it - header.begin());
  }
  return std::nullopt;
}

Result<CsvTable> ReadCsvTable(std::string_view text) {
  std::vector<size_t> lines;
  auto records = api::ParseCsv(text, kMaxExportRows + 1, &lines);
  if (!records.ok()) return records.status();
  CsvTable t;
  bool have_header = false;
  for (size_t i = 0; i < records->size(); ++i) {
    api::CsvRecord& r = (*records)[i];
    if (r.size() == 1 && Trim(r[0]).empty()) continue;  // a blank line
    if (!have_header) {
      for (const auto& h : r) t.header.push_back(NormalizeHeader(h));
      have_header = true;
      continue;
    }
    t.rows.push_back(std::move(r));
    t.lines.push_back(lines[i]);
  }
  if (!have_header) return Status::InvalidArgument("the file is empty (no header row)");
  return t;
}

Result<std::optional<int64_t>> ParseCount(std::string_view cell) {
  std::string v = Trim(cell);
  if (v.empty()) return std::optional<int64_t>();
  // 18 digits always fit in an int64_t; no click total comes near.
  if (v.size() > 18 ||
      !std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return Status::InvalidArgument("click count '" + v.substr(0, 40) + "' is not a number");
  }
  return std::optional<int64_t>(std::stoll(v));
}

std::string SlugFromShortUrl(std::string_view url) {
  std::string_view u = url;
  while (!u.empty() && std::isspace(static_cast<unsigned char>(u.front()))) u.remove_prefix(1);
  while (!u.empty() && std::isspace(static_cast<unsigned char>(u.back()))) u.remove_suffix(1);
  if (size_t q = u.find_first_of("?#"); q != std::string_view::npos) u = u.substr(0, q);
  if (size_t s = u.find("://"); s != std::string_view::npos) {
    u.remove_prefix(s + 3);
    size_t slash = u.find('/');
    u = slash == std::string_view::npos ? std::string_view() : u.substr(slash);
  } else if (!u.empty() && u.front() != '/') {
    // "bit.ly/abc": a host, then the path. A bare "abc" is the code itself.
    size_t slash = u.find('/');
    if (slash != std::string_view::npos) u = u.substr(slash);
  }
  while (!u.empty() && u.front() == '/') u.remove_prefix(1);
  while (!u.empty() && u.back() == '/') u.remove_suffix(1);
  return std::string(u);
}

std::vector<std::string> SplitTags(std::string_view cell, std::string_view separators) {
  std::vector<std::string> tags;
  size_t i = 0;
  while (i <= cell.size()) {
    size_t j = cell.find_first_of(separators, i);
    if (j == std::string_view::npos) j = cell.size();
    std::string t = Trim(cell.substr(i, j - i));
    if (!t.empty()) tags.push_back(std::move(t));
    i = j + 1;
  }
  return tags;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace ct::import
