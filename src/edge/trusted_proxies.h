// TrustedProxies: the `edge.trusted_proxies` list (IPs and CIDRs) and the client-address rule:
// when the peer is a trusted proxy, the client is the right-most X-Forwarded-For address that
// is not itself trusted (the addresses left of it were written by the client and can be
// forged); otherwise the peer itself. Immutable after Parse; safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ct::edge {

class TrustedProxies {
 public:
  // "10.0.0.0/8, 127.0.0.1, ::1, fd00::/8"; "" = trust nobody. kInvalidArgument names the bad
  // entry.
  static Result<TrustedProxies> Parse(std::string_view list);

  bool empty() const { return nets_.empty(); }
  // `ip` is an IPv4 or IPv6 literal (IPv4-mapped IPv6 counts as IPv4); false for anything else.
  bool Contains(std::string_view ip) const;
  // The client address for a request from `peer` carrying `x_forwarded_for` (may be empty).
  // Returns a view into `peer` or `x_forwarded_for`.
  std::string_view ClientIp(std::string_view peer, bool peer_trusted,
                            std::string_view x_forwarded_for) const;

 private:
  struct Net {
    std::array<uint8_t, 16> addr{};  // IPv4 as IPv4-mapped IPv6
    int prefix = 128;
  };
  std::vector<Net> nets_;
};

}  // namespace ct::edge
