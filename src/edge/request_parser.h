// RequestParser: Beast's HTTP/1 parser (basic_parser) with our own callbacks, so a request
// costs no allocation once a connection's buffers are warm: the method, target and headers
// are copied into a RequestData that the connection reuses. The callbacks also apply the
// edge's limits and the checks Beast 1.81 does not make itself (see request_parser.cc).
//
// Includes Beast: include only from the edge's connection .cc files (compile time).
// Not thread-safe; one per connection, re-created (cheaply) for each request.
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edge/http_responses.h"

namespace ct::edge {

inline constexpr size_t kMaxUriBytes = 8 * 1024;        // longer targets get 414
inline constexpr size_t kMaxHeaderBytes = 16 * 1024;    // whole header section; over: 431
inline constexpr size_t kMaxHeaderFields = 100;         // more fields: 431
inline constexpr uint64_t kMaxBodyBytes = 1024 * 1024;  // API bodies; over: 413 before reading
// A password form post (POST /{slug}) carries one short field: anything bigger is not ours.
inline constexpr uint64_t kMaxFormBodyBytes = 4 * 1024;

// One parsed request. Strings keep their capacity across requests on a connection.
struct RequestData {
  std::string method;
  bool is_get = false;
  bool is_head = false;
  std::string target;
  int version = 11;
  std::vector<std::pair<std::string, std::string>> headers;  // first num_headers are valid
  size_t num_headers = 0;
  bool is_post = false;
  std::string body;  // for Route::kApi, and POST on Route::kRedirect (a password form)
  Route route = Route::kNotFound;
  std::string_view slug;  // into target: kRedirect's slug, kPixel's slug, kConversion's key
  bool expect_continue = false;
  // Set by a callback that rejects the request: the status to answer before closing.
  int reject_status = 0;
  int user_agent = -1, referer = -1, accept_language = -1;  // indexes into headers
  int host = -1, cookie = -1, x_forwarded_for = -1, content_type = -1;
  int accept = -1;        // the conversion pixel answers HTML to a client that prefers it
  bool prefetch = false;  // a Purpose/Sec-Purpose/X-Purpose/X-Moz prefetch or preview header

  std::string_view HeaderValue(int index) const {
    return index < 0 ? std::string_view() : std::string_view(headers[index].second);
  }
  void Reset();
};

class RequestParser : public boost::beast::http::basic_parser<true> {
 public:
  explicit RequestParser(RequestData* data);

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;
  using field = boost::beast::http::field;
  using verb = boost::beast::http::verb;

  void Reject(int status, error_code& ec);
  bool KeepsBody() const;
  size_t OnBody(string_view body, error_code& ec);

  void on_request_impl(verb method, string_view method_str, string_view target, int version,
                       error_code& ec) override;
  void on_response_impl(int, string_view, int, error_code& ec) override;
  void on_field_impl(field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<uint64_t>& content_length, error_code& ec) override;
  size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(uint64_t, string_view, error_code&) override {}
  size_t on_chunk_body_impl(uint64_t, string_view body, error_code& ec) override;
  void on_finish_impl(error_code&) override {}

  RequestData* d_;
};

// The status for a parse error `ec` (after RequestData::reject_status, which wins). `buffered`
// is what was read so far: a header_limit error is a 414 when the request line alone is over
// kMaxUriBytes, else a 431.
int StatusForParseError(const boost::beast::error_code& ec, std::string_view buffered);

// Raw checks on a complete header section (`header` ends with the blank line) that Beast does
// not make: obs-fold (Beast silently joins folded lines) and NUL bytes. Returns 0 or 400.
int CheckRawHeader(std::string_view header);

}  // namespace ct::edge
