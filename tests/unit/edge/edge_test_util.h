// Test helpers for the edge: an in-memory EventSink and a raw blocking-socket client, so
// malformed requests can be sent byte for byte.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/event.h"
#include "journal/event_sink.h"
#include "journal/format.h"

namespace ct::edge::testing {

class FakeSink : public EventSink {
 public:
  Result<uint64_t> Append(std::string_view framed) override {
    if (append_delay.count() > 0) std::this_thread::sleep_for(append_delay);
    std::lock_guard lock(mu_);
    ++appends_;
    if (fail) return Status::IoError("injected append failure");
    bytes_.append(framed);
    return bytes_.size();
  }
  void WhenDurable(uint64_t position, std::function<void(const Status&)> done) override {
    std::lock_guard lock(mu_);
    pending_.push_back(std::move(done));
  }
  uint64_t DurablePosition() const override { return 0; }

  // Fires every pending WhenDurable callback with `s`; returns how many.
  size_t FireDurable(const Status& s = Status::Ok()) {
    std::vector<std::function<void(const Status&)>> p;
    {
      std::lock_guard lock(mu_);
      p.swap(pending_);
    }
    for (auto& f : p) f(s);
    return p.size();
  }
  size_t PendingDurable() {
    std::lock_guard lock(mu_);
    return pending_.size();
  }
  int appends() {
    std::lock_guard lock(mu_);
    return appends_;
  }
  std::vector<Event> Events() {
    std::lock_guard lock(mu_);
    std::vector<Event> out;
    std::string_view rest = bytes_;
    journal::Frame frame;
    while (!rest.empty() && journal::CheckFrame(rest, &frame) == journal::FrameCheck::kOk) {
      auto e = DecodeEvent(frame.payload);
      if (e.ok()) out.push_back(*e);
      rest.remove_prefix(frame.size);
    }
    return out;
  }

  std::atomic<bool> fail{false};
  std::chrono::milliseconds append_delay{0};

 private:
  std::mutex mu_;
  std::string bytes_;
  int appends_ = 0;
  std::vector<std::function<void(const Status&)>> pending_;
};

// A blocking client socket with a receive timeout.
class RawClient {
 public:
  explicit RawClient(uint16_t port, int timeout_ms = 3000) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) close(fd_);
  }
  bool connected() const { return connected_; }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(n);
    }
    return true;
  }

  // Reads one response (header + Content-Length body). Empty on EOF/timeout before a header.
  std::string ReadResponse() {
    for (;;) {
      size_t end = buf_.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t len = 0;
        std::string head = buf_.substr(0, end + 4);
        std::string lower = head;
        for (char& c : lower) c = static_cast<char>(tolower(c));
        size_t cl = lower.find("content-length: ");
        if (cl != std::string::npos) len = std::stoul(head.substr(cl + 16));
        bool is_head_reply = head_request_;
        if (is_head_reply) len = 0;
        if (buf_.size() >= end + 4 + len) {
          std::string out = buf_.substr(0, end + 4 + len);
          buf_.erase(0, end + 4 + len);
          return out;
        }
      }
      if (!Fill()) return "";
    }
  }
  // True if the peer closed (EOF or reset) within the receive timeout, with no more data.
  bool ClosedByPeer() {
    char c;
    ssize_t n = recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }
  // True if nothing arrives within the timeout (and the connection is still open).
  bool NothingWithin(int ms) {
    timeval tv{ms / 1000, (ms % 1000) * 1000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char c;
    ssize_t n = recv(fd_, &c, 1, MSG_PEEK);
    timeval back{3, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &back, sizeof back);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
  void set_head_request(bool v) { head_request_ = v; }

 private:
  bool Fill() {
    char tmp[8192];
    ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, n);
    return true;
  }
  int fd_ = -1;
  bool connected_ = false;
  bool head_request_ = false;
  std::string buf_;
};

inline int StatusOf(const std::string& response) {
  if (response.size() < 12) return 0;
  return std::stoi(response.substr(9, 3));
}

}  // namespace ct::edge::testing
