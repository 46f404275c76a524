#include "import/mysql_dump.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

namespace ct::import {
namespace {

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

// Words that start a table definition's non-column entries.
constexpr std::array<std::string_view, 9> kNotColumns = {
    "PRIMARY", "KEY", "UNIQUE", "INDEX", "CONSTRAINT", "FULLTEXT", "SPATIAL", "FOREIGN", "CHECK"};

class DumpReader {
 public:
  DumpReader(std::string_view text, const std::function<bool(std::string_view)>& want,
             size_t max_rows)
      : text_(text), want_(want), max_rows_(max_rows) {}

  Result<SqlInserts> Read() {
    for (;;) {
      CT_RETURN_IF_ERROR(SkipSpace());
      if (AtEnd()) break;
      if (Peek() == ';') {
        ++pos_;
        continue;
      }
      const size_t start = pos_;
      std::string word = Word();
      if (word.empty()) return Error(start, "expected a statement");
      if (EqualsNoCase(word, "INSERT") || EqualsNoCase(word, "REPLACE")) {
        CT_RETURN_IF_ERROR(Insert(start));
      } else if (EqualsNoCase(word, "CREATE")) {
        CT_RETURN_IF_ERROR(Create(start));
      } else {
        CT_RETURN_IF_ERROR(SkipStatement(start));
      }
    }
    return std::move(out_);
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }

  // Lines are counted forward from the last position asked about: positions only grow, so
  // the whole dump is scanned for line breaks once.
  size_t LineAt(size_t pos) {
    pos = std::min(pos, text_.size());
    if (pos < counted_to_) {  // an earlier position (a statement's start): count afresh
      counted_to_ = 0;
      line_ = 1;
    }
    line_ += std::count(text_.begin() + counted_to_, text_.begin() + pos, '\n');
    counted_to_ = pos;
    return line_;
  }

  Status Error(size_t pos, const std::string& what) {
    return Status::InvalidArgument("line " + std::to_string(LineAt(pos)) + ": " + what);
  }

  Status SkipSpace() {
    while (!AtEnd()) {
      char c = Peek();
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == '#' || (c == '-' && Peek(1) == '-' &&
                              (Peek(2) == ' ' || Peek(2) == '\t' || Peek(2) == '\n' ||
                               Peek(2) == '\r' || pos_ + 2 >= text_.size()))) {
        while (!AtEnd() && Peek() != '\n') ++pos_;
      } else if (c == '/' && Peek(1) == '*') {
        size_t end = text_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) return Error(pos_, "unterminated /* comment");
        pos_ = end + 2;
      } else {
        break;
      }
    }
    return Status::Ok();
  }

  // A bare word (keyword or identifier); "" if none here.
  std::string Word() {
    size_t start = pos_;
    while (!AtEnd() && IsIdentChar(Peek())) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  // A keyword if the next word is it (case-insensitive); otherwise nothing is consumed.
  bool Keyword(std::string_view kw) {
    if (!SkipSpace().ok()) return false;
    size_t save = pos_;
    std::string w = Word();
    if (EqualsNoCase(w, kw)) return true;
    pos_ = save;
    return false;
  }

  Result<std::string> Identifier() {
    CT_RETURN_IF_ERROR(SkipSpace());
    if (Peek() == '`') {
      const size_t start = pos_++;
      std::string name;
      for (;;) {
        if (AtEnd()) return Error(start, "unterminated `name`");
        char c = text_[pos_++];
        if (c == '`') {
          if (Peek() != '`') break;
          ++pos_;
        }
        name.push_back(c);
      }
      return name;
    }
    std::string w = Word();
    if (w.empty()) return Error(pos_, "expected a name");
    return w;
  }

  // A possibly qualified name (db.table): its last part.
  Result<std::string> TableName() {
    auto name = Identifier();
    if (!name.ok()) return name;
    while (Peek() == '.') {
      ++pos_;
      name = Identifier();
      if (!name.ok()) return name;
    }
    return name;
  }

  // Moves past a quoted string whose quote is at pos_ (for skipping, no value kept).
  Status SkipQuoted() {
    const size_t start = pos_;
    const char q = text_[pos_++];
    for (;;) {
      if (AtEnd()) return Error(start, "unterminated quoted text");
      char c = text_[pos_++];
      if (c == '\\' && q != '`') {
        if (AtEnd()) return Error(start, "unterminated quoted text");
        ++pos_;
      } else if (c == q) {
        if (Peek() != q) return Status::Ok();
        ++pos_;
      }
    }
  }

  // Skips to just past the ';' ending the statement that began at `start`.
  Status SkipStatement(size_t start) {
    while (!AtEnd()) {
      char c = Peek();
      if (c == '\'' || c == '"' || c == '`') {
        CT_RETURN_IF_ERROR(SkipQuoted());
      } else if (c == ';') {
        ++pos_;
        return Status::Ok();
      } else if (c == '#' || (c == '-' && Peek(1) == '-') || (c == '/' && Peek(1) == '*')) {
        size_t before = pos_;
        CT_RETURN_IF_ERROR(SkipSpace());
        if (pos_ == before) ++pos_;  // "--x" is not a comment: an operator
      } else {
        ++pos_;
      }
    }
    return Status::Ok();  // the last statement may lack its ';'
  }

  Status Create(size_t start) {
    if (!Keyword("TABLE")) return SkipStatement(start);
    if (Keyword("IF")) {
      if (!Keyword("NOT") || !Keyword("EXISTS")) return Error(pos_, "expected IF NOT EXISTS");
    }
    auto table = TableName();
    if (!table.ok()) return table.status();
    if (!want_(*table)) return SkipStatement(start);
    CT_RETURN_IF_ERROR(SkipSpace());
    if (Peek() != '(') return SkipStatement(start);  // CREATE TABLE ... LIKE / AS SELECT
    ++pos_;
    std::vector<std::string> columns;
    for (;;) {
      // One definition: a column's name first, unless it is a key or constraint.
      CT_RETURN_IF_ERROR(SkipSpace());
      const size_t def = pos_;
      if (Peek() == '`') {
        auto name = Identifier();
        if (!name.ok()) return name.status();
        columns.push_back(std::move(*name));
      } else {
        std::string w = Word();
        if (w.empty()) return Error(def, "expected a column definition");
        if (std::none_of(kNotColumns.begin(), kNotColumns.end(),
                         [&](std::string_view k) { return EqualsNoCase(w, k); })) {
          columns.push_back(std::move(w));
        }
      }
      // The rest of the definition, to the ',' or ')' at this depth.
      int depth = 0;
      for (;;) {
        if (AtEnd()) return Error(start, "unterminated CREATE TABLE");
        char c = Peek();
        if (c == '\'' || c == '"' || c == '`') {
          CT_RETURN_IF_ERROR(SkipQuoted());
          continue;
        }
        ++pos_;
        if (c == '(') ++depth;
        if (c == ')' && depth-- == 0) {
          create_columns_[*table] = std::move(columns);
          return SkipStatement(start);
        }
        if (c == ',' && depth == 0) break;
      }
    }
  }

  Status Insert(size_t start) {
    for (std::string_view mod : {"LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY"}) {
      if (Keyword(mod)) break;
    }
    (void)Keyword("IGNORE");
    (void)Keyword("INTO");
    auto table = TableName();
    if (!table.ok()) return table.status();
    if (!want_(*table)) return SkipStatement(start);
    if (!out_.table.empty() && out_.table != *table) {
      return Error(start, "rows for two tables, '" + out_.table + "' and '" + *table + "'");
    }
    out_.table = *table;
    std::vector<std::string> columns;
    CT_RETURN_IF_ERROR(SkipSpace());
    if (Peek() == '(') {
      ++pos_;
      for (;;) {
        auto name = Identifier();
        if (!name.ok()) return name.status();
        columns.push_back(std::move(*name));
        CT_RETURN_IF_ERROR(SkipSpace());
        if (Peek() == ',') {
          ++pos_;
          continue;
        }
        if (Peek() != ')') return Error(pos_, "expected ',' or ')' in the column list");
        ++pos_;
        break;
      }
    } else if (auto it = create_columns_.find(*table); it != create_columns_.end()) {
      columns = it->second;
    }
    if (!columns.empty()) {
      if (!out_.columns.empty() && out_.columns != columns) {
        return Error(start, "INSERTs into '" + *table + "' name different columns");
      }
      out_.columns = columns;
    }
    if (!Keyword("VALUES") && !Keyword("VALUE")) return Error(pos_, "expected VALUES");
    for (;;) {
      CT_RETURN_IF_ERROR(Tuple());
      CT_RETURN_IF_ERROR(SkipSpace());
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (AtEnd()) return Status::Ok();
      if (Peek() != ';') return Error(pos_, "expected ',' or ';' after a VALUES tuple");
      ++pos_;
      return Status::Ok();
    }
  }

  Status Tuple() {
    CT_RETURN_IF_ERROR(SkipSpace());
    const size_t open = pos_;
    if (Peek() != '(') return Error(pos_, "expected '(' to start a VALUES tuple");
    ++pos_;
    if (out_.rows.size() == max_rows_) {
      return Error(open, "more than " + std::to_string(max_rows_) + " rows");
    }
    SqlRow row;
    row.line = LineAt(open);
    for (;;) {
      auto v = Value();
      if (!v.ok()) return v.status();
      row.values.push_back(std::move(*v));
      CT_RETURN_IF_ERROR(SkipSpace());
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() != ')') return Error(pos_, "expected ',' or ')' in a VALUES tuple");
      ++pos_;
      break;
    }
    const size_t width = !out_.columns.empty() ? out_.columns.size()
                         : !out_.rows.empty()  ? out_.rows[0].values.size()
                                               : row.values.size();
    if (row.values.size() != width) {
      return Error(open, "a tuple of " + std::to_string(row.values.size()) + " values where " +
                             std::to_string(width) + " were expected");
    }
    out_.rows.push_back(std::move(row));
    return Status::Ok();
  }

  Result<std::optional<std::string>> Value() {
    CT_RETURN_IF_ERROR(SkipSpace());
    const size_t start = pos_;
    char c = Peek();
    if (c == '\'' || c == '"') return QuotedValue();
    if (c == '0' && (Peek(1) == 'x' || Peek(1) == 'X')) {
      pos_ += 2;
      std::string bytes;
      while (std::isxdigit(static_cast<unsigned char>(Peek())) &&
             std::isxdigit(static_cast<unsigned char>(Peek(1)))) {
        bytes.push_back(
            static_cast<char>(std::stoi(std::string(text_.substr(pos_, 2)), nullptr, 16)));
        pos_ += 2;
      }
      if (IsIdentChar(Peek())) return Error(start, "malformed hexadecimal literal");
      return std::optional<std::string>(std::move(bytes));
    }
    if (c == '-' || c == '+' || c == '.' || std::isdigit(static_cast<unsigned char>(c))) {
      return Number();
    }
    if (c == '_') {  // a character set introducer: _binary 'x', _utf8mb4 'x'
      const std::string charset = Word();
      CT_RETURN_IF_ERROR(SkipSpace());
      if (Peek() != '\'' && Peek() != '"') return Error(start, "expected text after " + charset);
      return QuotedValue();
    }
    std::string w = Word();
    if (EqualsNoCase(w, "NULL")) return std::optional<std::string>();
    return Error(start, w.empty() ? std::string("unexpected '") + c + "' in a VALUES tuple"
                                  : "unexpected '" + w + "' in a VALUES tuple");
  }

  Result<std::optional<std::string>> Number() {
    const size_t start = pos_;
    if (Peek() == '-' || Peek() == '+') ++pos_;
    size_t digits = 0;
    while (std::isdigit(static_cast<unsigned char>(Peek()))) ++pos_, ++digits;
    if (Peek() == '.') {
      ++pos_;
      while (std::isdigit(static_cast<unsigned char>(Peek()))) ++pos_, ++digits;
    }
    if (digits == 0) return Error(start, "malformed number");
    if (Peek() == 'e' || Peek() == 'E') {
      ++pos_;
      if (Peek() == '-' || Peek() == '+') ++pos_;
      size_t exp = 0;
      while (std::isdigit(static_cast<unsigned char>(Peek()))) ++pos_, ++exp;
      if (exp == 0) return Error(start, "malformed number");
    }
    if (IsIdentChar(Peek())) return Error(start, "malformed number");
    return std::optional<std::string>(std::string(text_.substr(start, pos_ - start)));
  }

  Result<std::optional<std::string>> QuotedValue() {
    const size_t start = pos_;
    const char q = text_[pos_++];
    std::string v;
    for (;;) {
      if (AtEnd()) return Error(start, "unterminated quoted text");
      char c = text_[pos_++];
      if (c == q) {
        if (Peek() != q) break;
        ++pos_;
        v.push_back(q);
        continue;
      }
      if (c != '\\') {
        v.push_back(c);
        continue;
      }
      if (AtEnd()) return Error(start, "unterminated quoted text");
      char e = text_[pos_++];
      switch (e) {
        case '0':
          v.push_back('\0');
          break;
        case 'b':
          v.push_back('\b');
          break;
        case 'n':
          v.push_back('\n');
          break;
        case 'r':
          v.push_back('\r');
          break;
        case 't':
          v.push_back('\t');
          break;
        case 'Z':
          v.push_back('\x1A');
          break;
        case '%':
        case '_':
          // MySQL keeps the backslash of \% and \_ (they are LIKE escapes).
          v.push_back('\\');
          v.push_back(e);
          break;
        default:
          v.push_back(e);  // \\ \' \" and any other escaped character: itself
      }
    }
    return std::optional<std::string>(std::move(v));
  }

  std::string_view text_;
  const std::function<bool(std::string_view)>& want_;
  const size_t max_rows_;
  size_t pos_ = 0;
  size_t line_ = 1;
  size_t counted_to_ = 0;
  std::map<std::string, std::vector<std::string>> create_columns_;
  SqlInserts out_;
};

}  // namespace

Result<SqlInserts> ReadMysqlInserts(std::string_view dump,
                                    const std::function<bool(std::string_view)>& want,
                                    size_t max_rows) {
  return DumpReader(dump, want, max_rows).Read();
}

}  // namespace ct::import
