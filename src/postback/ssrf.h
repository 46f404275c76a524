// SSRF guard for postback and piggyback targets (RELIABILITY.md §4, OWASP SSRF cheat sheet):
// checked when a template is saved (CheckTargetUrl) AND against the address the notifier
// actually connects to (IsDeniedAddress, from libcurl's open-socket callback), so a host name
// that resolves — or later re-resolves (DNS rebinding) — into a private range is refused.
//
// Denied: 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.168/16, 192.0.0/24,
// 198.18/15, 224/4 and up, ::, ::1, fc00::/7, fe80::/10, ff00::/8, and IPv4-mapped /
// IPv4-compatible / NAT64 (64:ff9b::/96) forms of the denied IPv4 ranges; host names
// "localhost", "*.localhost" (with or without a trailing dot), and the operator's own hosts;
// IPv4 literals in every spelling inet_aton accepts ("2130706433", "0x7f000001", "0177.0.0.1",
// "127.1") are parsed as the address they mean. An operator allow-list of CIDRs
// (postbacks.allow_addresses) lets chosen addresses through (tests: 127.0.0.1/32).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ct::postback {

// A list of CIDRs ("127.0.0.1/32", "10.0.0.0/8", "::1/128"; a bare address is /32 or /128).
class CidrList {
 public:
  // kInvalidArgument naming the bad entry; `list` is comma-separated, "" = empty.
  static Result<CidrList> Parse(std::string_view list);
  bool Contains(const sockaddr* addr) const;
  bool Contains(std::string_view ip) const;  // a textual IPv4/IPv6 address
  bool empty() const { return v4_.empty() && v6_.empty(); }

 private:
  struct V4 {
    uint32_t net, mask;
  };
  struct V6 {
    uint8_t net[16];
    int prefix;
  };
  std::vector<V4> v4_;
  std::vector<V6> v6_;
};

struct SsrfPolicy {
  CidrList allow;                      // postbacks.allow_addresses
  std::vector<std::string> own_hosts;  // our public host names: never a postback target
  // postbacks.allowed_ports: empty = any port; default 80, 443, 8080, 8443.
  std::vector<uint16_t> allowed_ports = {80, 443, 8080, 8443};
};

// The IPv4 address a host string spells in inet_aton's grammar (1-4 parts, each decimal,
// 0-octal or 0x-hex), host byte order; nullopt if it is not such a literal.
std::optional<uint32_t> ParseIpv4Literal(std::string_view host);

// True when connecting to `addr` must be refused (a denied range, not allow-listed).
bool IsDeniedAddress(const sockaddr* addr, const SsrfPolicy& policy);

// Save-time check of a URL or template (macros allowed in path/query/fragment only): http(s),
// no userinfo, an allowed port, and a host that is not a denied literal, localhost or one of
// ours. kInvalidArgument with the reason ("postback target 127.0.0.1 is in a private or
// loopback range").
Status CheckTargetUrl(std::string_view url, const SsrfPolicy& policy);

}  // namespace ct::postback
