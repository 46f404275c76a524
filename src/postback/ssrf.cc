#include "postback/ssrf.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <boost/url.hpp>
#include <cstring>

#include "postback/template.h"

namespace ct::postback {
namespace {

constexpr uint32_t V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d;
}
constexpr uint32_t MaskOf(int prefix) { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }

struct V4Range {
  uint32_t net;
  int prefix;
};
// RELIABILITY.md §4 plus the other special-purpose blocks no receiver lives in (RFC 6890).
constexpr V4Range kDeniedV4[] = {
    {V4(0, 0, 0, 0), 8},      {V4(10, 0, 0, 0), 8},     {V4(100, 64, 0, 0), 10},
    {V4(127, 0, 0, 0), 8},    {V4(169, 254, 0, 0), 16}, {V4(172, 16, 0, 0), 12},
    {V4(192, 168, 0, 0), 16}, {V4(192, 0, 0, 0), 24},   {V4(198, 18, 0, 0), 15},
    {V4(224, 0, 0, 0), 3},  // 224/4 multicast and 240/4 reserved, up to 255.255.255.255
};

bool DeniedV4(uint32_t a) {
  return std::any_of(std::begin(kDeniedV4), std::end(kDeniedV4),
                     [a](const V4Range& r) { return (a & MaskOf(r.prefix)) == r.net; });
}

uint32_t V4From(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

bool AllZero(const uint8_t* b, size_t n) {
  return std::all_of(b, b + n, [](uint8_t x) { return x == 0; });
}

// The IPv4 address an IPv6 address carries in a way that reaches it: IPv4-mapped
// (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4
// (2002:aabb:ccdd::).
std::optional<uint32_t> EmbeddedV4(const uint8_t* b) {
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kMapped, 12) == 0 || std::memcmp(b, kNat64, 12) == 0) return V4From(b + 12);
  if (AllZero(b, 12) && !AllZero(b + 12, 3)) return V4From(b + 12);  // not :: or ::1
  if (b[0] == 0x20 && b[1] == 0x02) return V4From(b + 2);
  return std::nullopt;
}

bool DeniedV6(const uint8_t* b) {
  if (AllZero(b, 15) && (b[15] == 0 || b[15] == 1)) return true;  // :: and ::1
  if ((b[0] & 0xfe) == 0xfc) return true;                         // fc00::/7 unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;         // fe80::/10 link local
  if (b[0] == 0xff) return true;                                  // ff00::/8 multicast
  if (auto v4 = EmbeddedV4(b)) return DeniedV4(*v4);
  return false;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

std::string_view StripTrailingDot(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return s;
}

std::string V4Text(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 0xff) + "." +
         std::to_string((a >> 8) & 0xff) + "." + std::to_string(a & 0xff);
}

Status Refused(std::string_view what) {
  return Status::InvalidArgument("postback target " + std::string(what) +
                                 " is in a private or loopback range");
}

}  // namespace

Result<CidrList> CidrList::Parse(std::string_view list) {
  CidrList out;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    std::string_view item =
        list.substr(pos, comma == std::string_view::npos ? list.npos : comma - pos);
    pos = comma == std::string_view::npos ? list.size() + 1 : comma + 1;
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) {
      if (list.find_first_not_of(' ') == std::string_view::npos) break;  // "" = empty list
      return Status::InvalidArgument("empty entry in the address list");
    }
    std::string addr(item.substr(0, item.find('/')));
    int prefix = -1;
    if (size_t slash = item.find('/'); slash != std::string_view::npos) {
      std::string_view p = item.substr(slash + 1);
      if (p.empty() || p.size() > 3 ||
          !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return Status::InvalidArgument("bad CIDR '" + std::string(item) + "'");
      }
      prefix = std::stoi(std::string(p));
    }
    in_addr a4{};
    in6_addr a6{};
    if (inet_pton(AF_INET, addr.c_str(), &a4) == 1) {
      if (prefix > 32) return Status::InvalidArgument("bad CIDR '" + std::string(item) + "'");
      uint32_t mask = MaskOf(prefix < 0 ? 32 : prefix);
      out.v4_.push_back({ntohl(a4.s_addr) & mask, mask});
    } else if (inet_pton(AF_INET6, addr.c_str(), &a6) == 1) {
      if (prefix > 128) return Status::InvalidArgument("bad CIDR '" + std::string(item) + "'");
      V6 v;
      std::memcpy(v.net, a6.s6_addr, 16);
      v.prefix = prefix < 0 ? 128 : prefix;
      out.v6_.push_back(v);
    } else {
      return Status::InvalidArgument("bad address '" + std::string(item) + "'");
    }
  }
  return out;
}

bool CidrList::Contains(const sockaddr* addr) const {
  if (addr == nullptr) return false;
  if (addr->sa_family == AF_INET) {
    uint32_t a = ntohl(reinterpret_cast<const sockaddr_in*>(addr)->sin_addr.s_addr);
    return std::any_of(v4_.begin(), v4_.end(), [a](const V4& r) { return (a & r.mask) == r.net; });
  }
  if (addr->sa_family == AF_INET6) {
    const uint8_t* b = reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr.s6_addr;
    for (const V6& r : v6_) {
      int full = r.prefix / 8, rest = r.prefix % 8;
      if (std::memcmp(b, r.net, full) != 0) continue;
      if (rest != 0) {
        uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
        if ((b[full] & mask) != (r.net[full] & mask)) continue;
      }
      return true;
    }
    // An allowed IPv4 address stays allowed when reached through its IPv6 spellings.
    if (auto v4 = EmbeddedV4(b)) {
      return std::any_of(v4_.begin(), v4_.end(),
                         [a = *v4](const V4& r) { return (a & r.mask) == r.net; });
    }
  }
  return false;
}

bool CidrList::Contains(std::string_view ip) const {
  std::string s(ip);
  sockaddr_in a4{};
  sockaddr_in6 a6{};
  if (inet_pton(AF_INET, s.c_str(), &a4.sin_addr) == 1) {
    a4.sin_family = AF_INET;
    return Contains(reinterpret_cast<const sockaddr*>(&a4));
  }
  if (inet_pton(AF_INET6, s.c_str(), &a6.sin6_addr) == 1) {
    a6.sin6_family = AF_INET6;
    return Contains(reinterpret_cast<const sockaddr*>(&a6));
  }
  return false;
}

std::optional<uint32_t> ParseIpv4Literal(std::string_view host) {
  if (host.empty() || host.size() > 64) return std::nullopt;
  uint64_t parts[4];
  int n = 0;
  size_t pos = 0;
  while (true) {
    if (n == 4) return std::nullopt;
    size_t dot = host.find('.', pos);
    std::string_view p = host.substr(pos, dot == std::string_view::npos ? host.npos : dot - pos);
    if (p.empty()) return std::nullopt;
    int base = 10;
    if (p.size() >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
      base = 16;
      p.remove_prefix(2);  // "0x" alone is 0 for inet_aton
    } else if (p.size() >= 2 && p[0] == '0') {
      base = 8;
      p.remove_prefix(1);
    }
    uint64_t v = 0;
    for (char c : p) {
      int d = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : 99;
      if (d >= base) return std::nullopt;
      v = v * base + d;
      if (v > 0xffffffffULL) return std::nullopt;
    }
    parts[n++] = v;
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  // The last part fills the bytes the earlier ones left: "127.1" is 127.0.0.1.
  uint32_t addr = 0;
  for (int i = 0; i < n - 1; ++i) {
    if (parts[i] > 0xff) return std::nullopt;
    addr |= static_cast<uint32_t>(parts[i]) << (24 - 8 * i);
  }
  uint64_t last_max = 0xffffffffULL >> (8 * (n - 1));
  if (parts[n - 1] > last_max) return std::nullopt;
  return addr | static_cast<uint32_t>(parts[n - 1]);
}

bool IsDeniedAddress(const sockaddr* addr, const SsrfPolicy& policy) {
  if (addr == nullptr) return true;
  if (policy.allow.Contains(addr)) return false;
  if (addr->sa_family == AF_INET) {
    return DeniedV4(ntohl(reinterpret_cast<const sockaddr_in*>(addr)->sin_addr.s_addr));
  }
  if (addr->sa_family == AF_INET6) {
    return DeniedV6(reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr.s6_addr);
  }
  return true;  // AF_UNIX and the like: never a postback target
}

Status CheckTargetUrl(std::string_view url, const SsrfPolicy& policy) {
  CT_RETURN_IF_ERROR(ValidateTemplate(url));
  // ValidateTemplate refused macros up to the end of the authority, so that prefix is a plain
  // URL that Boost.URL can parse on its own.
  size_t sep = url.find("://");
  size_t end = url.find_first_of("/?#", sep + 3);
  auto parsed = boost::urls::parse_absolute_uri(url.substr(0, end));
  if (!parsed) return Status::InvalidArgument("must be an absolute http(s) URL");
  boost::urls::url_view u = *parsed;

  uint16_t port = u.scheme_id() == boost::urls::scheme::https ? 443 : 80;
  if (u.has_port() && !u.port().empty()) {
    if (u.port_number() == 0) return Status::InvalidArgument("bad port in the URL");
    port = u.port_number();
  }
  if (!policy.allowed_ports.empty() &&
      std::find(policy.allowed_ports.begin(), policy.allowed_ports.end(), port) ==
          policy.allowed_ports.end()) {
    return Status::InvalidArgument("port " + std::to_string(port) +
                                   " is not allowed for postbacks (postbacks.allowed_ports)");
  }

  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::name: {
      std::string decoded = u.host();  // percent-decoded: "%31%32%37.1" means 127.1
      std::string host = Lower(StripTrailingDot(decoded));
      if (host.empty()) return Status::InvalidArgument("the URL has no host");
      if (auto v4 = ParseIpv4Literal(host)) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(*v4);
        if (IsDeniedAddress(reinterpret_cast<const sockaddr*>(&a), policy)) {
          return Refused(V4Text(*v4));
        }
        return Status::Ok();
      }
      if (host == "localhost" || (host.size() > 10 && host.ends_with(".localhost"))) {
        return Refused(host);
      }
      for (const std::string& own : policy.own_hosts) {
        if (Lower(StripTrailingDot(own)) == host) {
          return Status::InvalidArgument("postback target " + host +
                                         " is one of this server's own hosts");
        }
      }
      return Status::Ok();
    }
    case boost::urls::host_type::ipv6: {
      sockaddr_in6 a{};
      a.sin6_family = AF_INET6;
      auto bytes = u.host_ipv6_address().to_bytes();
      std::memcpy(a.sin6_addr.s6_addr, bytes.data(), 16);
      if (IsDeniedAddress(reinterpret_cast<const sockaddr*>(&a), policy)) {
        return Refused("[" + u.host_ipv6_address().to_string() + "]");
      }
      return Status::Ok();
    }
    default:
      return Status::InvalidArgument("unsupported host in the URL");
  }
}

}  // namespace ct::postback
