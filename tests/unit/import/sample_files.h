// The sample exports of tests/data/import, read whole.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace ct::import {

inline std::string SamplePath(const std::string& name) {
  return std::string(CT_TEST_DATA_DIR) + "/import/" + name;
}

inline std::string ReadSample(const std::string& name) {
  std::ifstream in(SamplePath(name), std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The 1-based line of the first occurrence of `needle` in `text` (0 if absent).
inline size_t LineOf(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  if (at == std::string::npos) return 0;
  size_t line = 1;
  for (size_t i = 0; i < at; ++i) line += text[i] == '\n';
  return line;
}

}  // namespace ct::import
