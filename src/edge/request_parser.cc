#include "edge/request_parser.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

#include "enrich/request_facts.h"

namespace ct::edge {

namespace http = boost::beast::http;

void RequestData::Reset() {
  method.clear();
  is_get = is_head = is_post = false;
  target.clear();
  version = 11;
  num_headers = 0;
  body.clear();
  route = Route::kNotFound;
  slug = {};
  expect_continue = false;
  reject_status = 0;
  user_agent = referer = accept_language = -1;
  host = cookie = x_forwarded_for = content_type = accept = -1;
  prefetch = false;
}

RequestParser::RequestParser(RequestData* data) : d_(data) {
  d_->Reset();
  header_limit(kMaxHeaderBytes);
  body_limit(kMaxBodyBytes);
  // Parse the body in the same put() as the header when it is already buffered.
  eager(true);
}

void RequestParser::Reject(int status, error_code& ec) {
  d_->reject_status = status;
  ec = http::error::bad_value;  // any error stops Beast; reject_status says which reply
}

void RequestParser::on_request_impl(verb method, string_view method_str, string_view target,
                                    int version, error_code& ec) {
  if (target.size() > kMaxUriBytes) return Reject(414, ec);
  // Beast 1.81 already refuses other versions (bad_version, see StatusForParseError); this
  // guard keeps the rule here should a Beast upgrade relax it.
  if (version != 10 && version != 11) return Reject(505, ec);
  d_->method.assign(method_str.data(), method_str.size());
  d_->is_get = method == verb::get;
  d_->is_head = method == verb::head;
  d_->is_post = method == verb::post;
  d_->target.assign(target.data(), target.size());
  d_->version = version;
}

void RequestParser::on_response_impl(int, string_view, int, error_code& ec) {
  ec = http::error::bad_method;  // a request parser never sees a status line
}

void RequestParser::on_field_impl(field name, string_view name_string, string_view value,
                                  error_code& ec) {
  if (d_->num_headers >= kMaxHeaderFields) return Reject(431, ec);
  // Beast 1.81 stops a value at CRLF and rejects other control bytes, but a value folded
  // from obs-fold reaches us joined; CheckRawHeader catches the fold, this is the backstop.
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return Reject(400, ec);
  }
  if (name == field::transfer_encoding) {
    // Beast accepts any coding list and treats a body without final "chunked" as read-to-
    // close; a request body must be exactly chunked here, anything else is refused (501).
    if (!boost::beast::iequals(value, "chunked")) return Reject(501, ec);
  }
  int index = static_cast<int>(d_->num_headers);
  if (d_->headers.size() <= d_->num_headers) d_->headers.emplace_back();
  auto& [k, v] = d_->headers[d_->num_headers++];
  k.resize(name_string.size());
  for (size_t i = 0; i < name_string.size(); ++i) {
    char c = name_string[i];
    k[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  v.assign(value.data(), value.size());
  switch (name) {
    case field::user_agent:
      d_->user_agent = index;
      break;
    case field::referer:
      d_->referer = index;
      break;
    case field::accept_language:
      d_->accept_language = index;
      break;
    case field::host:
      d_->host = index;
      break;
    case field::cookie:
      d_->cookie = index;  // the last Cookie field; a browser sends one
      break;
    case field::content_type:
      d_->content_type = index;
      break;
    case field::accept:
      d_->accept = index;
      break;
    case field::expect:
      d_->expect_continue = boost::beast::iequals(value, "100-continue");
      break;
    default:
      if (k == "x-forwarded-for") {
        d_->x_forwarded_for = index;  // the last one; proxies append to a single field
        break;
      }
      // Only the few names that can mark a prefetch reach the (slower) full check.
      if (!d_->prefetch && (k.ends_with("purpose") || k == "x-moz") &&
          enrich::IsPrefetchHeader(k, value)) {
        d_->prefetch = true;
      }
      break;
  }
}

bool RequestParser::KeepsBody() const {
  return d_->route == Route::kApi || (d_->route == Route::kRedirect && d_->is_post);
}

void RequestParser::on_header_impl(error_code& ec) {
  d_->route = ClassifyTarget(d_->target, &d_->slug);
}

void RequestParser::on_body_init_impl(const boost::optional<uint64_t>& content_length,
                                      error_code& ec) {
  if (d_->route == Route::kRedirect && d_->is_post && content_length &&
      *content_length > kMaxFormBodyBytes) {
    return Reject(413, ec);
  }
  if (KeepsBody() && content_length) {
    d_->body.reserve(static_cast<size_t>(*content_length));  // <= kMaxBodyBytes (body_limit)
  }
}

size_t RequestParser::on_body_impl(string_view body, error_code& ec) { return OnBody(body, ec); }

size_t RequestParser::on_chunk_body_impl(uint64_t, string_view body, error_code& ec) {
  return OnBody(body, ec);
}

size_t RequestParser::OnBody(string_view body, error_code& ec) {
  if (!KeepsBody()) return body.size();
  if (d_->route == Route::kRedirect && d_->body.size() + body.size() > kMaxFormBodyBytes) {
    Reject(413, ec);  // a chunked form post over the cap
    return 0;
  }
  d_->body.append(body.data(), body.size());
  return body.size();
}

int StatusForParseError(const boost::beast::error_code& ec, std::string_view buffered) {
  if (ec == http::error::body_limit) return 413;
  if (ec == http::error::header_limit) {
    // "METHOD SP target SP HTTP/1.1 CRLF": allow for the method and version around the URI.
    size_t line_end = buffered.find('\n');
    size_t line = line_end == buffered.npos ? buffered.size() : line_end;
    return line > kMaxUriBytes + 32 ? 414 : 431;
  }
  if (ec == http::error::bad_version) {
    // Beast refuses every version but 1.0 and 1.1 itself; a well-formed "HTTP/d.d" we do not
    // speak is a 505, a malformed one a 400.
    std::string_view line = buffered.substr(0, buffered.find("\r\n"));
    if (line.size() >= 9) {
      std::string_view v = line.substr(line.size() - 9);
      auto digit = [](char c) { return c >= '0' && c <= '9'; };
      if (v.substr(0, 6) == " HTTP/" && digit(v[6]) && v[7] == '.' && digit(v[8])) return 505;
    }
  }
  return 400;
}

int CheckRawHeader(std::string_view header) {
  if (header.find('\0') != header.npos) return 400;
  for (size_t i = header.find('\n'); i != header.npos && i + 1 < header.size();
       i = header.find('\n', i + 1)) {
    if (header[i + 1] == ' ' || header[i + 1] == '\t') return 400;  // obs-fold
  }
  return 0;
}

}  // namespace ct::edge
