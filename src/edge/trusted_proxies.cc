#include "edge/trusted_proxies.h"

#include <arpa/inet.h>

#include <cstring>

namespace ct::edge {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parses an IPv4 or IPv6 literal into 16 bytes (IPv4 mapped); sets *v4 for IPv4.
bool ParseIp(std::string_view text, std::array<uint8_t, 16>* out, bool* v4) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  out->fill(0);
  in_addr a4;
  if (inet_pton(AF_INET, buf, &a4) == 1) {
    (*out)[10] = (*out)[11] = 0xff;
    std::memcpy(out->data() + 12, &a4, 4);
    *v4 = true;
    return true;
  }
  in6_addr a6;
  if (inet_pton(AF_INET6, buf, &a6) == 1) {
    std::memcpy(out->data(), &a6, 16);
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    *v4 = std::memcmp(out->data(), kMapped, 12) == 0;
    return true;
  }
  return false;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::Parse(std::string_view list) {
  TrustedProxies t;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = Trim(list.substr(0, comma));
    list = comma == list.npos ? std::string_view() : list.substr(comma + 1);
    if (item.empty()) continue;
    Net n;
    std::string_view addr = item;
    int prefix = -1;
    if (size_t slash = item.find('/'); slash != item.npos) {
      addr = item.substr(0, slash);
      std::string_view p = item.substr(slash + 1);
      if (p.empty() || p.size() > 3)
        return Status::InvalidArgument("bad prefix: " + std::string(item));
      prefix = 0;
      for (char c : p) {
        if (c < '0' || c > '9') return Status::InvalidArgument("bad prefix: " + std::string(item));
        prefix = prefix * 10 + (c - '0');
      }
    }
    bool v4 = false;
    if (!ParseIp(addr, &n.addr, &v4)) {
      return Status::InvalidArgument("not an IP address or CIDR: " + std::string(item));
    }
    int max = v4 ? 32 : 128;
    if (prefix > max) return Status::InvalidArgument("prefix too long: " + std::string(item));
    n.prefix = (prefix < 0 ? max : prefix) + (v4 ? 96 : 0);
    t.nets_.push_back(n);
  }
  return t;
}

bool TrustedProxies::Contains(std::string_view ip) const {
  if (nets_.empty()) return false;
  std::array<uint8_t, 16> a;
  bool v4 = false;
  if (!ParseIp(ip, &a, &v4)) return false;
  for (const Net& n : nets_) {
    int full = n.prefix / 8, bits = n.prefix % 8;
    if (std::memcmp(a.data(), n.addr.data(), full) != 0) continue;
    if (bits != 0) {
      uint8_t mask = static_cast<uint8_t>(0xff << (8 - bits));
      if ((a[full] & mask) != (n.addr[full] & mask)) continue;
    }
    return true;
  }
  return false;
}

std::string_view TrustedProxies::ClientIp(std::string_view peer, bool peer_trusted,
                                          std::string_view xff) const {
  if (!peer_trusted || xff.empty()) return peer;
  std::string_view client = peer;
  // Right to left: skip our own proxies; the first address we did not write ourselves is the
  // client as far as we can tell.
  while (!xff.empty()) {
    size_t comma = xff.rfind(',');
    std::string_view item = Trim(comma == xff.npos ? xff : xff.substr(comma + 1));
    xff = comma == xff.npos ? std::string_view() : xff.substr(0, comma);
    std::array<uint8_t, 16> a;
    bool v4 = false;
    if (!ParseIp(item, &a, &v4)) return client;  // garbage: stop at the last hop we trust
    if (!Contains(item)) return item;
    client = item;
  }
  return client;
}

}  // namespace ct::edge
