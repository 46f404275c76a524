// ReadMysqlInserts on arbitrary bytes (the YOURLS import reads dumps users hand it): never
// crashes, fails only with kInvalidArgument naming a line; the rows of an accepted dump,
// written back as one INSERT with every value quoted and escaped, read back equal.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_seeds.h"
#include "import/mysql_dump.h"

namespace ct::fuzz {
std::vector<std::string> FuzzSeeds() {
  return {
      "-- MySQL dump\n/*!40101 SET NAMES utf8mb4 */;\nCREATE TABLE `yourls_url` (\n"
      "  `keyword` varchar(100) NOT NULL,\n  `url` text NOT NULL,\n  PRIMARY KEY (`keyword`)\n"
      ") ENGINE=InnoDB;\nINSERT INTO `yourls_url` VALUES ('gh','https://github.com/'),"
      "('it\\'s','https://e.example/?a=1;b=\\\"2\\\"');\n",
      "INSERT IGNORE INTO db.yourls_url (`clicks`,`keyword`) VALUE (1,'a'),(-2.5e3,NULL)",
      "INSERT INTO yourls_log VALUES (1,'x;y');\nINSERT INTO url VALUES (0x41ff,_binary 'b')",
      "# c\n-- d\nSET x=1;;INSERT INTO t_url VALUES ('\\0\\b\\n\\r\\t\\Z\\\\\\%\\_\\q','''')",
  };
}
}  // namespace ct::fuzz

namespace {

std::string Quote(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '\0':
        out += "\\0";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out.push_back(c);
    }
  }
  return out + "'";
}

bool WantUrlTable(std::string_view name) {
  return name == "url" || (name.size() > 4 && name.substr(name.size() - 4) == "_url");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto dump = ct::import::ReadMysqlInserts(in, WantUrlTable, 10000);
  if (!dump.ok()) {
    FUZZ_CHECK(dump.status().code() == ct::StatusCode::kInvalidArgument);
    FUZZ_CHECK(dump.status().message().rfind("line ", 0) == 0);
    return 0;
  }
  if (dump->rows.empty()) return 0;
  FUZZ_CHECK(!dump->table.empty());
  std::string again = "INSERT INTO `t_url` VALUES ";
  for (size_t r = 0; r < dump->rows.size(); ++r) {
    again += r ? ",\n(" : "(";
    const auto& values = dump->rows[r].values;
    for (size_t i = 0; i < values.size(); ++i) {
      if (i) again += ",";
      again += values[i] ? Quote(*values[i]) : "NULL";
    }
    again += ")";
  }
  again += ";";
  auto back = ct::import::ReadMysqlInserts(again, WantUrlTable, 10000);
  FUZZ_CHECK(back.ok());
  FUZZ_CHECK(back->rows.size() == dump->rows.size());
  for (size_t r = 0; r < back->rows.size(); ++r) {
    FUZZ_CHECK(back->rows[r].values == dump->rows[r].values);
    FUZZ_CHECK(back->rows[r].line == r + 1);
  }
  return 0;
}
