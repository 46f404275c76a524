#include "testutil/sse_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "testutil/http_head.h"
#include "testutil/loopback_server.h"

namespace ct::test {

using Clock = std::chrono::steady_clock;

void SseClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool SseClient::Fill(Clock::time_point deadline) {
  if (fd_ < 0 || closed_) return false;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char tmp[16384];
  ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
  if (n <= 0) {
    closed_ = true;
    return false;
  }
  buf_.append(tmp, static_cast<size_t>(n));
  return true;
}

int SseClient::Open(const std::string& target,
                    const std::vector<std::pair<std::string, std::string>>& headers,
                    std::chrono::milliseconds timeout) {
  Close();
  buf_.clear();
  headers_.clear();
  body_.clear();
  closed_ = false;
  fd_ = ConnectLoopback(port_);
  if (fd_ < 0) return 0;
  std::string req =
      "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  req += "\r\n";
  if (!LoopbackServer::SendAll(fd_, req)) return 0;
  auto deadline = Clock::now() + timeout;
  size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill(deadline)) return 0;
  }
  std::string head = buf_.substr(0, end);
  buf_.erase(0, end + 4);
  int status = ParseResponseHead(head, &headers_);
  if (status == 0) return 0;
  if (status != 200 && headers_.count("content-length")) {
    size_t len = std::stoul(headers_["content-length"]);
    while (buf_.size() < len && Fill(deadline)) {
    }
    body_ = buf_.substr(0, std::min(len, buf_.size()));
  }
  return status;
}

std::string SseClient::Header(const std::string& name) const {
  auto it = headers_.find(name);
  return it == headers_.end() ? "" : it->second;
}

std::optional<SseEvent> SseClient::Next(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    // One event per blank line (the server ends lines with \n only).
    size_t end;
    while ((end = buf_.find("\n\n")) != std::string::npos) {
      std::string block = buf_.substr(0, end + 1);
      buf_.erase(0, end + 2);
      SseEvent ev;
      bool any = false;
      size_t pos = 0;
      while (pos < block.size()) {
        size_t e = block.find('\n', pos);
        std::string line = block.substr(pos, e - pos);
        pos = e + 1;
        if (line.empty()) continue;
        if (line[0] == ':') {
          ++comments_;
          continue;
        }
        size_t colon = line.find(':');
        std::string field = line.substr(0, colon);
        std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.erase(0, 1);
        if (field == "id") {
          ev.id = value;
        } else if (field == "event") {
          ev.event = value;
        } else if (field == "retry") {
          ++retries_;
          retry_ = value;
        } else if (field == "data") {
          ev.data += (ev.data.empty() ? "" : "\n") + value;
          any = true;
        }
      }
      if (any) return ev;
    }
    if (!Fill(deadline)) return std::nullopt;
  }
}

bool SseClient::WaitClosed(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!closed_ && Clock::now() < deadline) {
    if (!Fill(deadline)) continue;
    buf_.clear();
  }
  return closed_;
}

}  // namespace ct::test
