#include "testutil/http_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

#include "testutil/http_head.h"

namespace ct::test {
namespace {

constexpr size_t kMaxRequestBytes = 16 << 20;  // a test receiver, not a fortress

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 410:
      return "Gone";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

}  // namespace

HttpReceiver::HttpReceiver(uint16_t port)
    : server_(
          "HttpReceiver", [this](int fd) { Serve(fd); }, port) {}

HttpReceiver::~HttpReceiver() { Stop(); }

std::string HttpReceiver::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

void HttpReceiver::SetReply(ReceiverReply reply) {
  std::lock_guard lock(mu_);
  default_reply_ = std::move(reply);
}

void HttpReceiver::QueueReply(ReceiverReply reply) {
  std::lock_guard lock(mu_);
  queued_.push_back(std::move(reply));
}

ReceiverReply HttpReceiver::NextReply() {
  std::lock_guard lock(mu_);
  if (queued_.empty()) return default_reply_;
  ReceiverReply r = std::move(queued_.front());
  queued_.pop_front();
  return r;
}

bool HttpReceiver::WaitFor(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

std::vector<ReceivedRequest> HttpReceiver::Requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

size_t HttpReceiver::Count() const {
  std::lock_guard lock(mu_);
  return requests_.size();
}

void HttpReceiver::Stop() {
  server_.Stop();
  cv_.notify_all();
}

void HttpReceiver::Serve(int fd) {
  std::string buf;
  // Reads more bytes into buf; false on EOF, error, size limit or Stop().
  auto read_more = [&] { return server_.ReadMore(fd, &buf, kMaxRequestBytes); };

  ReceivedRequest req;
  bool ok = true;
  size_t head_end;
  while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
    if (!(ok = read_more())) break;
  }
  if (ok) {
    std::string head = buf.substr(0, head_end);
    buf.erase(0, head_end + 4);
    size_t line_end = head.find("\r\n");
    std::string request_line = head.substr(0, line_end);
    size_t sp1 = request_line.find(' ');
    size_t sp2 = request_line.find(' ', sp1 + 1);
    req.method = request_line.substr(0, sp1);
    req.target = sp1 == std::string::npos ? "" : request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    ParseHeaderLines(head, line_end == std::string::npos ? head.size() : line_end + 2,
                     &req.headers);
    if (Lower(req.Header("expect")) == "100-continue") {
      LoopbackServer::SendAll(fd, "HTTP/1.1 100 Continue\r\n\r\n");
    }
    if (Lower(req.Header("transfer-encoding")).find("chunked") != std::string::npos) {
      for (;;) {  // <hex size>\r\n<data>\r\n ... 0\r\n\r\n
        size_t e;
        while (ok && (e = buf.find("\r\n")) == std::string::npos) ok = read_more();
        if (!ok) break;
        size_t size = std::strtoul(buf.substr(0, e).c_str(), nullptr, 16);
        while (ok && buf.size() < e + 2 + size + 2) ok = read_more();
        if (!ok) break;
        req.body.append(buf, e + 2, size);
        buf.erase(0, e + 2 + size + 2);
        if (size == 0) break;
      }
    } else {
      size_t length = std::strtoul(req.Header("content-length").c_str(), nullptr, 10);
      while (ok && buf.size() < length) ok = read_more();
      req.body = buf.substr(0, length);
    }
  }

  if (ok) {
    {
      std::lock_guard lock(mu_);
      requests_.push_back(req);
    }
    cv_.notify_all();
    ReceiverReply reply = NextReply();
    bool stopped = false;
    if (reply.delay.count() > 0) stopped = server_.SleepUnlessStopping(reply.delay);
    if (!stopped) {
      std::string out =
          "HTTP/1.1 " + std::to_string(reply.status) + " " + Reason(reply.status) + "\r\n";
      for (const auto& [k, v] : reply.headers) out += k + ": " + v + "\r\n";
      out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
      out += "Connection: close\r\n\r\n" + reply.body;
      LoopbackServer::SendAll(fd, out);
    }
  }
}

}  // namespace ct::test
