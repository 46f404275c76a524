#include "api/destination.h"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace ct::api {

Result<std::string> ValidateDestination(std::string_view in) {
  auto bad = [](std::string why) {
    return Status::InvalidArgument("destination " + std::move(why));
  };
  if (in.empty()) return bad("is empty");
  if (in.size() > kMaxDestinationBytes) {
    return bad("is longer than " + std::to_string(kMaxDestinationBytes) + " bytes");
  }
  for (unsigned char c : in) {
    // Control characters would split the Location header; spaces and backslashes are how
    // browsers are tricked into reading a different host than a validator did.
    if (c < 0x20 || c == 0x7f) return bad("contains a control character");
    if (c == ' ') return bad("contains a space");
    if (c == '\\') return bad("contains a backslash");
    if (c >= 0x80) return bad("contains a non-ASCII byte; percent-encode it");
  }
  // parse_uri, not parse_absolute_uri: a scheme is still required, but a fragment
  // (https://example.com/page#section) is a legitimate part of a redirect target.
  auto parsed = boost::urls::parse_uri(in);
  if (!parsed) return bad("is not an absolute URL: " + parsed.error().message());
  boost::urls::url u = *parsed;
  u.normalize_scheme();
  if (u.scheme() != "http" && u.scheme() != "https") {
    return bad("must use http or https, not '" + std::string(u.scheme()) + "'");
  }
  if (!u.has_authority() || u.encoded_host().empty()) return bad("has no host");
  if (u.has_userinfo()) return bad("must not contain userinfo (user@host)");
  if (u.has_port()) {
    // RFC 3986 allows any digits; a socket does not. port_number() is 0 when it overflows.
    if (u.port().empty() || u.port_number() == 0) return bad("has a port outside 1-65535");
  }
  u.normalize_authority();
  // set_path_absolute, not set_encoded_path("/"): Boost.URL 1.81 turns the latter into "/./".
  if (u.encoded_path().empty()) u.set_path_absolute(true);
  return std::string(u.buffer());
}

}  // namespace ct::api
