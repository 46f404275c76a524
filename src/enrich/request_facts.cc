#include "enrich/request_facts.h"

#include <arpa/inet.h>

#include <boost/url/parse.hpp>
#include <charconv>
#include <cstring>

namespace ct::enrich {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (EqualsIgnoreCase(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The q of one Accept-Language parameter list ("q=0.8"); -1 when malformed. RFC 9110 allows at
// most three decimals, but browsers are not strict, so any number in [0, 1] is taken.
double ParseQ(std::string_view params) {
  double q = 1.0;
  while (!params.empty()) {
    size_t semi = params.find(';');
    std::string_view p = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (p.size() < 2 || Lower(p[0]) != 'q' || p[1] != '=') continue;  // other parameters
    std::string_view num = Trim(p.substr(2));
    auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), q);
    if (ec != std::errc() || end != num.data() + num.size() || q < 0 || q > 1) return -1;
  }
  return q;
}

}  // namespace

std::string AnonymizeIp(std::string_view ip) {
  if (ip.empty() || ip.size() >= INET6_ADDRSTRLEN) return std::string(ip);
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, ip.data(), ip.size());
  buf[ip.size()] = '\0';
  in_addr v4;
  if (inet_pton(AF_INET, buf, &v4) == 1) {
    reinterpret_cast<uint8_t*>(&v4.s_addr)[3] = 0;
    inet_ntop(AF_INET, &v4, buf, sizeof buf);
    return buf;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, buf, &v6) == 1) {
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      // A v4-mapped address (a dual-stack socket) is an IPv4 client: its /48 would be "::ffff:0"
      // for everyone, so the embedded IPv4 address is anonymised as IPv4 instead.
      v6.s6_addr[15] = 0;
    } else {
      std::memset(v6.s6_addr + 6, 0, 10);
    }
    inet_ntop(AF_INET6, &v6, buf, sizeof buf);
    return buf;
  }
  return std::string(ip);
}

std::string ReferrerDomain(std::string_view referrer) {
  auto u = boost::urls::parse_uri(referrer);
  if (!u) return "";
  std::string host = u->host();
  for (char& c : host) c = Lower(c);
  if (!host.empty() && host.back() == '.') host.pop_back();  // "example.com." is example.com
  if (host.size() > 4 && host.compare(0, 4, "www.") == 0) host.erase(0, 4);
  return host;
}

std::string PrimaryLanguage(std::string_view accept_language) {
  std::string_view best;
  double best_q = 0;  // q=0 means "not acceptable", so it never wins
  while (!accept_language.empty()) {
    size_t comma = accept_language.find(',');
    std::string_view entry = accept_language.substr(0, comma);
    accept_language =
        comma == std::string_view::npos ? std::string_view() : accept_language.substr(comma + 1);
    size_t semi = entry.find(';');
    std::string_view tag = Trim(entry.substr(0, semi));
    double q = semi == std::string_view::npos ? 1.0 : ParseQ(entry.substr(semi + 1));
    size_t end = tag.find_first_of("-_");
    std::string_view primary = tag.substr(0, end);
    // "*" and anything that is not a 2-3 letter primary subtag say nothing usable about the
    // visitor's language; the next entry may.
    if (primary.size() < 2 || primary.size() > 3) continue;
    bool letters = true;
    for (char c : primary) letters = letters && IsAlpha(c);
    if (!letters || q <= best_q) continue;  // ties: the first listed wins, as browsers order
    best = primary;
    best_q = q;
  }
  std::string out(best);
  for (char& c : out) c = Lower(c);
  return out;
}

bool IsPrefetchHeader(std::string_view name, std::string_view value) {
  if (EqualsIgnoreCase(name, "purpose") || EqualsIgnoreCase(name, "sec-purpose") ||
      EqualsIgnoreCase(name, "x-purpose") || EqualsIgnoreCase(name, "x-moz")) {
    // Chrome sends "Sec-Purpose: prefetch;prerender", Safari "X-Purpose: preview".
    return ContainsIgnoreCase(value, "prefetch") || ContainsIgnoreCase(value, "preview");
  }
  return false;
}

}  // namespace ct::enrich
