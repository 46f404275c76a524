#include "api/csv.h"

namespace ct::api {

Result<std::vector<CsvRecord>> ParseCsv(std::string_view text, size_t max_records,
                                        std::vector<size_t>* record_lines) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<CsvRecord> records;
  size_t i = 0;
  const size_t n = text.size();
  size_t line = 1;        // of the record being read
  size_t line_start = 0;  // its first byte
  auto bad = [&](std::string why) {
    // Counted only on the error path: the line the offending byte is on.
    size_t at = line;
    for (size_t k = line_start; k < i && k < n; ++k) {
      if (text[k] == '\n' || (text[k] == '\r' && (k + 1 >= n || text[k + 1] != '\n'))) ++at;
    }
    return Status::InvalidArgument("CSV record " + std::to_string(records.size() + 1) + " (line " +
                                   std::to_string(at) + "): " + std::move(why));
  };
  while (i < n) {
    // Lines between the previous record's start and this one's (quoted line breaks included).
    for (size_t k = line_start; k < i; ++k) {
      if (text[k] == '\n' || (text[k] == '\r' && (k + 1 >= n || text[k + 1] != '\n'))) ++line;
    }
    line_start = i;
    if (record_lines) record_lines->push_back(line);
    if (records.size() == max_records) {
      return Status::InvalidArgument("CSV has more than " + std::to_string(max_records) +
                                     " records");
    }
    CsvRecord record;
    for (;;) {  // one field per pass; i is at the field's first byte
      std::string field;
      if (i < n && text[i] == '"') {
        ++i;
        for (;;) {
          if (i >= n) return bad("unterminated quoted field");
          if (text[i] == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field.push_back('"');
              i += 2;
              continue;
            }
            ++i;  // the closing quote
            break;
          }
          field.push_back(text[i++]);
        }
        if (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          return bad("text after a closing quote");
        }
      } else {
        while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (text[i] == '"') return bad("quote inside an unquoted field");
          field.push_back(text[i++]);
        }
      }
      record.push_back(std::move(field));
      if (i < n && text[i] == ',') {
        ++i;
        continue;  // another field follows, possibly empty at the end of the line
      }
      break;
    }
    // The record ends at CRLF, LF, a lone CR, or the end of the text.
    if (i < n && text[i] == '\r') ++i;
    if (i < n && text[i] == '\n') ++i;
    records.push_back(std::move(record));
  }
  return records;
}

std::string CsvField(std::string_view value) {
  std::string v;
  if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@' ||
                         value[0] == '\t' || value[0] == '\r')) {
    v.push_back('\'');
  }
  v.append(value);
  // A leading byte order mark is quoted so a reader does not take it for the file's own.
  if (v.find_first_of(",\"\r\n") == std::string::npos && v.rfind("\xEF\xBB\xBF", 0) != 0) {
    return v;
  }
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line.push_back(',');
    line += CsvField(fields[i]);
  }
  line += "\r\n";
  return line;
}

}  // namespace ct::api
