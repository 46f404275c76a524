#include "testutil/http_client.h"

#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "testutil/http_head.h"
#include "testutil/loopback_server.h"

namespace ct::test {

HttpClient::HttpClient(uint16_t port, std::chrono::milliseconds timeout)
    : port_(port), timeout_(timeout) {}

HttpClient::~HttpClient() { Close(); }

void HttpClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buf_.clear();
}

bool HttpClient::Connect() {
  Close();
  fd_ = ConnectLoopback(port_);
  return fd_ >= 0;
}

bool HttpClient::SendAll(const std::string& bytes) { return LoopbackServer::SendAll(fd_, bytes); }

HttpResponse HttpClient::ReadResponse(bool head) {
  HttpResponse r;
  auto deadline = std::chrono::steady_clock::now() + timeout_;
  auto fill = [&]() -> bool {  // false on EOF, error or timeout
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char tmp[16384];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) {
      r.closed = true;
      return false;
    }
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  };
  size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return r;
  }
  std::string head_block = buf_.substr(0, end);
  buf_.erase(0, end + 4);
  int status = ParseResponseHead(head_block, &r.headers);
  if (status == 0) return r;
  // 204 and 304 have no body whatever their headers say (RFC 9110 6.4.1).
  if (status == 204 || status == 304) head = true;
  if (!head && r.headers.count("content-length")) {
    size_t len = std::stoul(r.headers["content-length"]);
    while (buf_.size() < len) {
      if (!fill()) return r;
    }
    r.body = buf_.substr(0, len);
    buf_.erase(0, len);
  } else if (!head) {
    while (fill()) {
    }
    r.body = buf_;
    buf_.clear();
  }
  r.status = status;
  std::string conn = r.Header("connection");
  std::transform(conn.begin(), conn.end(), conn.begin(), ::tolower);
  if (conn == "close") r.closed = true;
  return r;
}

HttpResponse HttpClient::Request(const std::string& method, const std::string& target,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 const std::string& body) {
  auto given = [&](std::string_view name) {
    return std::any_of(headers.begin(), headers.end(), [&](const auto& h) {
      return strcasecmp(h.first.c_str(), std::string(name).c_str()) == 0;
    });
  };
  std::string req = method + " " + target + " HTTP/1.1\r\n";
  if (!given("Host")) req += "Host: 127.0.0.1\r\n";
  // A browser's, unless the test sets its own: the tracker counts an empty User-Agent as a bot.
  if (!given("User-Agent")) req += "User-Agent: " + std::string(kBrowserUserAgent) + "\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") {
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  last_sent_ = false;
  for (int attempt = 0; attempt < (retry_ ? 2 : 1); ++attempt) {
    if (fd_ < 0 && !Connect()) return {};
    if (!SendAll(req)) {
      Close();
      continue;
    }
    last_sent_ = true;
    HttpResponse r = ReadResponse(method == "HEAD");
    if (r.status == 0 && r.closed && attempt == 0) {  // kept-alive connection went away
      Close();
      continue;
    }
    if (r.closed) Close();
    return r;
  }
  return {};
}

HttpResponse HttpClient::Raw(const std::string& bytes) {
  if (!Connect()) return {};
  if (!SendAll(bytes)) return {};
  HttpResponse r = ReadResponse(false);
  return r;
}

bool HttpClient::ServerClosed(std::chrono::milliseconds wait) {
  if (fd_ < 0) return true;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return false;
  char c;
  ssize_t n = ::recv(fd_, &c, 1, MSG_PEEK);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

HttpResponse ApiCall(uint16_t port, const std::string& method, const std::string& target,
                     const std::string& key, const std::string& json_body) {
  HttpClient c(port);
  std::vector<std::pair<std::string, std::string>> h;
  if (!key.empty()) h.emplace_back("Authorization", "Bearer " + key);
  if (!json_body.empty()) h.emplace_back("Content-Type", "application/json");
  return c.Request(method, target, h, json_body);
}

}  // namespace ct::test
