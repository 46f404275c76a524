// Array literals in PostgreSQL's text form ({1,2}, {"a","b"}, {"\\x0a0b"}), for statements that
// take a whole batch as a few array parameters: INSERT ... SELECT FROM unnest($1::int8[], ...)
// is one round trip for a thousand rows.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ct::pg {

class ArrayText {
 public:
  ArrayText() : s_("{") {}
  void Int(int64_t v) {
    Sep();
    s_ += std::to_string(v);
  }
  void Bool(bool v) {
    Sep();
    s_ += v ? 't' : 'f';
  }
  // Quoted, with " and \ escaped; invalid UTF-8 and NUL become U+FFFD (pg_conn.h SanitizeText).
  void Text(std::string_view v);
  void Bytes(std::string_view bytes);  // a bytea element in hex form
  std::string Take() {
    s_ += '}';
    return std::move(s_);
  }
  size_t size() const { return n_; }

 private:
  void Sep() {
    if (n_++ > 0) s_ += ',';
  }
  void Quoted(std::string_view v);

  std::string s_;
  size_t n_ = 0;
};

}  // namespace ct::pg
