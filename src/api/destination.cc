#include "api/destination.h"

#include <algorithm>
#include <array>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cctype>

namespace ct::api {
namespace {

constexpr std::array<std::string_view, 10> kMacros = {"click_id", "country",   "device", "os",
                                                      "browser",  "language",  "slug",   "link_id",
                                                      "domain",   "visitor_id"};
constexpr size_t kMaxQueryMacroName = 64;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsKnownMacro(std::string_view name) {
  if (std::find(kMacros.begin(), kMacros.end(), name) != kMacros.end()) return true;
  if (name.substr(0, 6) != "query:") return false;
  std::string_view param = name.substr(6);
  if (param.empty() || param.size() > kMaxQueryMacroName) return false;
  return std::all_of(param.begin(), param.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '.' || c == '-';
  });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

Result<std::string> ValidateDestination(std::string_view in,
                                        const std::vector<std::string>& blocked_hosts,
                                        std::string_view what) {
  auto bad = [what](std::string why) {
    return Status::InvalidArgument(std::string(what) + " " + std::move(why));
  };
  if (in.empty()) return bad("is empty");
  if (in.size() > kMaxDestinationBytes) {
    return bad("is longer than " + std::to_string(kMaxDestinationBytes) + " bytes");
  }
  for (size_t i = 0; i < in.size(); ++i) {
    unsigned char c = in[i];
    // Control characters would split the Location header; spaces and backslashes are how
    // browsers are tricked into reading a different host than a validator did.
    if (c < 0x20 || c == 0x7f) return bad("contains a control character");
    if (c == ' ') return bad("contains a space");
    if (c == '\\') return bad("contains a backslash");
    if (c >= 0x80) return bad("contains a non-ASCII byte; percent-encode it");
    // Encoded control characters (%0d%0a, %00) are header splitting waiting for one decode.
    if (c == '%' && i + 2 < in.size() && HexValue(in[i + 1]) >= 0 && HexValue(in[i + 2]) >= 0) {
      int v = HexValue(in[i + 1]) * 16 + HexValue(in[i + 2]);
      if (v < 0x20 || v == 0x7f) return bad("contains an encoded control character");
    }
  }
  // Macros: find each {...}, check its name, and note where the first one starts. The URL is
  // then parsed with every macro replaced by a plain token (RFC 3986 has no braces).
  std::string plain;
  plain.reserve(in.size());
  size_t first_macro = std::string_view::npos;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '}') return bad("has a '}' without a macro");
    if (in[i] != '{') {
      plain.push_back(in[i]);
      continue;
    }
    size_t end = in.find('}', i);
    if (end == std::string_view::npos) return bad("has an unterminated macro");
    std::string_view name = in.substr(i + 1, end - i - 1);
    if (name.find('{') != std::string_view::npos) return bad("has a '{' inside a macro");
    if (!IsKnownMacro(name)) return bad("has an unknown macro {" + std::string(name) + "}");
    if (first_macro == std::string_view::npos) first_macro = i;
    plain += "m";
    i = end;
  }
  // parse_uri, not parse_absolute_uri: a scheme is still required, but a fragment
  // (https://example.com/page#section) is a legitimate part of a redirect target.
  auto parsed = boost::urls::parse_uri(plain);
  if (!parsed) return bad("is not an absolute URL: " + parsed.error().message());
  boost::urls::url u = *parsed;
  u.normalize_scheme();
  if (u.scheme() != "http" && u.scheme() != "https") {
    return bad("must use http or https, not '" + std::string(u.scheme()) + "'");
  }
  if (!u.has_authority() || u.encoded_host().empty()) return bad("has no host");
  if (u.has_userinfo()) return bad("must not contain userinfo (user@host)");
  if (u.has_port()) {
    // RFC 3986 allows any digits; a socket does not (port_number() wraps past 65535).
    std::string_view port = u.port();
    bool ok = !port.empty() && port.size() <= 5;
    int64_t n = 0;
    for (char c : port) n = ok ? n * 10 + (c - '0') : 0;
    if (!ok || n < 1 || n > 65535) return bad("has a port outside 1-65535");
  }
  // The authority ends at the first '/', '?' or '#' after "scheme://"; a macro before that
  // point would let a click choose the host.
  const size_t authority_start = in.find("//") + 2;
  const size_t authority_end = in.find_first_of("/?#", authority_start);
  if (first_macro != std::string_view::npos &&
      (authority_end == std::string_view::npos || first_macro < authority_end)) {
    return bad("may hold macros only in the path, query or fragment");
  }
  u.normalize_authority();
  std::string host = Lower(u.encoded_host());
  while (!host.empty() && host.back() == '.') host.pop_back();
  for (const std::string& b : blocked_hosts) {
    if (host == b ||
        (host.size() > b.size() && host.ends_with(b) && host[host.size() - b.size() - 1] == '.')) {
      return Status::InvalidArgument(std::string(kBlockedHostMessage) + ": " + host);
    }
  }
  // set_path_absolute, not set_encoded_path("/"): Boost.URL 1.81 turns the latter into "/./".
  if (u.encoded_path().empty()) u.set_path_absolute(true);
  if (first_macro == std::string_view::npos) return std::string(u.buffer());
  // With macros: the normalised scheme and authority (macro-free) plus the caller's path,
  // query and fragment as written, so the macros survive.
  std::string out(u.buffer().substr(0, u.buffer().size() - u.encoded_resource().size()));
  std::string_view rest = in.substr(authority_end);
  if (rest.front() != '/') out.push_back('/');
  out.append(rest);
  return out;
}

bool IsBlockedHost(const Status& status) {
  return status.code() == StatusCode::kInvalidArgument &&
         status.message().find(kBlockedHostMessage) != std::string::npos;
}

std::vector<std::string> ParseBlockedHosts(std::string_view list) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= list.size()) {
    size_t j = list.find(',', i);
    if (j == std::string_view::npos) j = list.size();
    std::string_view item = list.substr(i, j - i);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) {
      item.remove_prefix(1);
    }
    while (!item.empty() &&
           (std::isspace(static_cast<unsigned char>(item.back())) || item.back() == '.')) {
      item.remove_suffix(1);
    }
    if (!item.empty()) out.push_back(Lower(item));
    i = j + 1;
  }
  return out;
}

}  // namespace ct::api
