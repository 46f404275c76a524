#include "testutil/http_head.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace ct::test {

int ConnectLoopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

void ParseHeaderLines(const std::string& head, size_t pos,
                      std::map<std::string, std::string>* headers) {
  auto trim = [](std::string v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.erase(0, 1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
    return v;
  };
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    if (e == std::string::npos) e = head.size();
    std::string line = head.substr(pos, e - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = trim(line.substr(0, colon));
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      std::string value = trim(line.substr(colon + 1));
      std::string& slot = (*headers)[name];
      slot = slot.empty() ? value : slot + "\n" + value;
    }
    pos = e + 2;
  }
}

int ParseResponseHead(const std::string& head, std::map<std::string, std::string>* headers) {
  size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  if (status_line.size() < 12) return 0;
  ParseHeaderLines(head, line_end == std::string::npos ? head.size() : line_end + 2, headers);
  return std::atoi(status_line.substr(9, 3).c_str());
}

}  // namespace ct::test
