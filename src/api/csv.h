// CSV for link import and export (RFC 4180): fields separated by commas, records by CRLF (a bare
// LF is accepted on input), a field with a comma, quote or line break in double quotes with
// quotes doubled. Input is strict — a quote inside an unquoted field, text after a closing
// quote, or an unterminated quoted field is an error naming the record — so a malformed file is
// refused instead of being imported shifted by a column.
//
// Output is safe to open in a spreadsheet: a cell that starts with = + - @ (or a tab or CR) gets
// a leading single quote, so it is shown as text and never evaluated as a formula (OWASP CSV
// injection). Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ct::api {

using CsvRecord = std::vector<std::string>;

// Records in order; a UTF-8 byte order mark at the start is skipped, a final line break does
// not start an empty record, and a blank line is an empty record (one empty field). More than
// `max_records` records: kInvalidArgument (the caller's limit, checked while parsing).
// When `record_lines` is given, it receives the 1-based line on which each record starts (a
// quoted field may span lines), for error messages that point into the file. Errors name the
// record and its line.
Result<std::vector<CsvRecord>> ParseCsv(std::string_view text, size_t max_records,
                                        std::vector<size_t>* record_lines = nullptr);

// One field, quoted if needed and defused against formula injection.
std::string CsvField(std::string_view value);
// One record: fields joined by commas, ended by CRLF.
std::string CsvLine(const std::vector<std::string>& fields);

}  // namespace ct::api
