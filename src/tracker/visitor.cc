#include "tracker/visitor.h"

#include "common/hash.h"

namespace ct {

std::string VisitorKey(const Event& e) {
  std::string in;
  in.reserve(e.ip.size() + 1 + e.user_agent.size());
  in += e.ip;
  in += '\0';  // a separator no header value can contain, so (a, bc) != (ab, c)
  in += e.user_agent;
  return Sha256Raw(in).substr(0, 16);
}

}  // namespace ct
