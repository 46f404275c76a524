#include "api/json_strict.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace ct::api {
namespace {

namespace json = boost::json;

// A basic_parser handler that builds nothing: it only remembers, per open object, the keys
// seen so far, to find duplicates. Run before the real parse; bodies are capped at 1 MiB.
struct DuplicateKeyFinder {
  constexpr static std::size_t max_object_size = std::size_t(-1);
  constexpr static std::size_t max_array_size = std::size_t(-1);
  constexpr static std::size_t max_key_size = std::size_t(-1);
  constexpr static std::size_t max_string_size = std::size_t(-1);

  std::vector<std::set<std::string>> open_objects;
  std::string key;
  std::string duplicate;
  std::string bad_number;  // a number that is not a finite double or overflows int64

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    open_objects.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    open_objects.pop_back();
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t, json::error_code&) { return true; }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    key.append(s.data(), s.size());
    if (!open_objects.back().insert(key).second) {
      duplicate = key;
      ec = json::error::syntax;  // stop parsing: the body is refused
      return false;
    }
    key.clear();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, json::error_code&) { return true; }
  // Above INT64_MAX: int64 overflow (RELIABILITY §4).
  bool on_uint64(std::uint64_t, json::string_view s, json::error_code& ec) {
    return BadNumber(s, ec);
  }
  // 1e999 parses to infinity; an integer literal too big even for uint64 arrives as a double.
  // The whole body is written in one call, so `s` is the number's whole text.
  bool on_double(double d, json::string_view s, json::error_code& ec) {
    bool integer_literal = s.find_first_of(".eE") == json::string_view::npos;
    if (!std::isfinite(d) || integer_literal) return BadNumber(s, ec);
    return true;
  }
  bool BadNumber(json::string_view s, json::error_code& ec) {
    bad_number.assign(s.data(), std::min<size_t>(s.size(), 40));
    ec = json::error::syntax;  // stop parsing: the body is refused
    return false;
  }
  bool on_bool(bool, json::error_code&) { return true; }
  bool on_null(json::error_code&) { return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

}  // namespace

Result<json::object> ParseStrictJsonObject(std::string_view body) {
  json::parse_options opts;
  opts.max_depth = kMaxJsonDepth;
  json::error_code ec;
  json::value v = json::parse(json::string_view(body.data(), body.size()), ec, {}, opts);
  if (ec) {
    std::string why = ec == json::error::too_deep
                          ? "nested deeper than " + std::to_string(kMaxJsonDepth)
                          : ec.message();
    return Status::InvalidArgument("request body is not valid JSON: " + why);
  }
  if (!v.is_object()) return Status::InvalidArgument("request body must be a JSON object");

  json::basic_parser<DuplicateKeyFinder> finder(opts);
  finder.write_some(false, body.data(), body.size(), ec);
  if (!finder.handler().duplicate.empty()) {
    return Status::InvalidArgument("duplicate key '" + finder.handler().duplicate +
                                   "' in request body");
  }
  if (!finder.handler().bad_number.empty()) {
    return Status::InvalidArgument("number " + finder.handler().bad_number +
                                   " is out of range (int64 or finite double)");
  }
  return std::move(v.as_object());
}

}  // namespace ct::api
