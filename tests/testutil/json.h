// JSON helpers for process-level tests (Boost.JSON).
#pragma once

#include <boost/json.hpp>
#include <string>

namespace ct::test {

inline boost::json::value ParseJson(const std::string& s) {
  boost::json::error_code ec;
  auto v = boost::json::parse(s, ec);
  return ec ? boost::json::value() : v;
}

inline int64_t JsonInt(const boost::json::value& v, const char* key) {
  if (!v.is_object()) return -1;
  auto* p = v.as_object().if_contains(key);
  return p && p->is_int64() ? p->as_int64() : -1;
}

inline std::string JsonStr(const boost::json::value& v, const char* key) {
  if (!v.is_object()) return "";
  auto* p = v.as_object().if_contains(key);
  return p && p->is_string() ? std::string(p->as_string()) : "";
}

}  // namespace ct::test
