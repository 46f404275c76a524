#include "store/postgres/pg_array.h"

#include "store/postgres/pg_conn.h"

namespace ct::pg {

void ArrayText::Quoted(std::string_view v) {
  s_ += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') s_ += '\\';
    s_ += c;
  }
  s_ += '"';
}

void ArrayText::Text(std::string_view v) {
  Sep();
  Quoted(SanitizeText(v));
}

void ArrayText::Bytes(std::string_view bytes) {
  Sep();
  Quoted(ByteaHex(bytes));
}

}  // namespace ct::pg
