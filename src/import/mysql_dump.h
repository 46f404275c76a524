// A strict reader of the INSERT statements of a MySQL dump (mysqldump, phpMyAdmin, Adminer),
// enough to take the rows of one table out of a YOURLS backup without a MySQL server.
//
// Grammar (everything else is an error naming its line, so a damaged dump is refused whole):
//   dump      := { space | comment | ';' | statement ';' }
//   comment   := '-- ' ... EOL | '#' ... EOL | '/*' ... '*/'     (also /*!40101 ... */)
//   statement := insert | create | other          (other: skipped to its ';', quotes honoured)
//   insert    := (INSERT | REPLACE) [LOW_PRIORITY | DELAYED | HIGH_PRIORITY] [IGNORE] [INTO]
//                name ['(' name {',' name} ')'] (VALUES | VALUE) tuple {',' tuple}
//   create    := CREATE TABLE [IF NOT EXISTS] name '(' definitions ')' ...   (column names read)
//   tuple     := '(' value {',' value} ')'
//   value     := string | [_charset] string | NULL | number | 0x hex
//   string    := '...' or "..." with MySQL escapes (\0 \' \" \b \n \r \t \Z \\, \% and \_
//                kept with their backslash, \x = x otherwise) and a doubled quote
//   name      := `ident` (`` inside) | bare ident, optionally qualified db.name
// Statements on tables `want` rejects are skipped without being read, so other tables of a
// full backup (yourls_log, yourls_options) never fail the file.
// Thread safety: pure.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ct::import {

struct SqlRow {
  size_t line = 0;                                 // where the tuple's '(' is
  std::vector<std::optional<std::string>> values;  // nullopt: NULL; numbers as written
};

struct SqlInserts {
  std::string table;  // the one table read ("" if the dump inserts into none that is wanted)
  // The INSERT's column list when it has one, else the CREATE TABLE's columns, else empty.
  std::vector<std::string> columns;
  std::vector<SqlRow> rows;
};

// The rows inserted into the table `want` accepts (by its unqualified name). Rows for two
// different wanted tables, tuples of different lengths, or more than `max_rows` rows are
// errors. kInvalidArgument with "line N: ..." on any syntax error.
Result<SqlInserts> ReadMysqlInserts(std::string_view dump,
                                    const std::function<bool(std::string_view)>& want,
                                    size_t max_rows);

}  // namespace ct::import
