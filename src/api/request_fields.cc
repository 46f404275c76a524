#include "api/request_fields.h"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <charconv>

namespace ct::api {
namespace {

namespace json = boost::json;

Status Bad(std::string msg) { return Status::InvalidArgument(std::move(msg)); }

bool Contains(std::initializer_list<std::string_view> list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

std::string Join(std::initializer_list<std::string_view> list) {
  std::string out;
  for (std::string_view s : list) out += (out.empty() ? "" : ", ") + std::string(s);
  return out;
}

}  // namespace

Status CheckFieldNames(const json::object& body, std::initializer_list<std::string_view> allowed,
                       std::initializer_list<std::string_view> read_only) {
  for (const auto& kv : body) {
    std::string_view k = kv.key();
    if (Contains(read_only, k)) return Bad("field '" + std::string(k) + "' is read-only");
    if (!Contains(allowed, k)) {
      return Bad("unknown field '" + std::string(k.substr(0, 80)) + "'; fields are " +
                 Join(allowed));
    }
  }
  return Status::Ok();
}

Result<std::string> StringField(const json::value& v, std::string_view name) {
  if (!v.is_string()) return Bad(std::string(name) + " must be a string");
  return std::string(v.get_string());
}

Result<bool> BoolField(const json::value& v, std::string_view name) {
  if (!v.is_bool()) return Bad(std::string(name) + " must be true or false");
  return v.get_bool();
}

Result<int64_t> IntField(const json::value& v, std::string_view name, int64_t min, int64_t max) {
  const std::string range = std::to_string(min) + ".." + std::to_string(max);
  if (v.is_int64() && v.get_int64() >= min && v.get_int64() <= max) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(max) && max >= 0 &&
      static_cast<int64_t>(v.get_uint64()) >= min) {
    return static_cast<int64_t>(v.get_uint64());
  }
  return Bad(std::string(name) + " must be an integer in " + range);
}

Status CheckText(std::string_view v, std::string_view name, size_t max) {
  if (v.empty()) return Bad(std::string(name) + " must not be empty");
  if (v.size() > max) {
    return Bad(std::string(name) + " is longer than " + std::to_string(max) + " bytes");
  }
  for (unsigned char c : v) {
    if (c < 0x20 || c == 0x7f) return Bad(std::string(name) + " must not hold control characters");
  }
  return Status::Ok();
}

Result<std::string> TextField(const boost::json::value& v, std::string_view name, size_t max) {
  auto s = StringField(v, name);
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(CheckText(*s, name, max));
  return s;
}

Status CheckCurrency(std::string_view v, std::string_view name) {
  bool ok =
      v.size() == 3 && std::all_of(v.begin(), v.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  if (!ok) return Bad(std::string(name) + " must be 3 upper-case letters (ISO 4217, e.g. USD)");
  return Status::Ok();
}

Result<std::map<std::string, std::string, std::less<>>> ReadQuery(
    std::string_view target, std::initializer_list<std::string_view> allowed) {
  auto u = boost::urls::parse_origin_form(target);
  if (!u) return Bad("malformed request target");
  std::map<std::string, std::string, std::less<>> out;
  for (auto p : u->params()) {
    if (p.key.empty() && p.value.empty()) continue;  // "?" alone, or "a=1&&b=2"
    if (!Contains(allowed, p.key)) {
      return Bad("unknown parameter '" + p.key.substr(0, 80) + "'; use " + Join(allowed));
    }
    if (!out.emplace(p.key, p.value).second) return Bad(p.key + ": given more than once");
  }
  return out;
}

Result<int64_t> PositiveIdParam(std::string_view v, std::string_view name) {
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || n < 1) {
    return Bad(std::string(name) + " must be a positive integer id");
  }
  return n;
}

Result<int> LimitParam(std::string_view v, int max) {
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec == std::errc::result_out_of_range && !v.empty() && v[0] != '-') return max;
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || n < 1) {
    return Bad("limit must be a positive integer");
  }
  return static_cast<int>(std::min<int64_t>(n, max));
}

}  // namespace ct::api
