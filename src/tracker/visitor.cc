#include "tracker/visitor.h"

#include "common/hash.h"

namespace ct {

std::string VisitorKey(const Event& e) {
  std::string in;
  if (!e.visitor_id.empty()) {
    // The "v\0" prefix keeps the two key spaces apart: no (ip, agent) pair can hash the same
    // input as a cookie value (an IP literal never starts with "v").
    in.reserve(2 + e.visitor_id.size());
    in.append("v\0", 2);
    in += e.visitor_id;
    return Sha256Raw(in).substr(0, 16);
  }
  in.reserve(e.ip.size() + 1 + e.user_agent.size());
  in += e.ip;
  in += '\0';  // a separator no header value can contain, so (a, bc) != (ab, c)
  in += e.user_agent;
  return Sha256Raw(in).substr(0, 16);
}

}  // namespace ct
