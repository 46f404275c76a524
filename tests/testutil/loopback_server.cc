#include "testutil/loopback_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace ct::test {
namespace {

constexpr int kPollSliceMs = 50;  // how often a blocked accept or read checks for Stop()

}  // namespace

LoopbackServer::LoopbackServer(std::string who, ServeFn serve, uint16_t port)
    : who_(std::move(who)), serve_(std::move(serve)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error(who_ + ": socket failed");
  // A fixed port is re-bound by tests that bring a "receiver" back up after a downtime.
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error(who_ + ": bind/listen failed");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

LoopbackServer::~LoopbackServer() { Stop(); }

bool LoopbackServer::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

void LoopbackServer::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && listen_fd_ < 0) return;
    stopping_ = true;
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  cv_.notify_all();
  if (acceptor_.joinable()) acceptor_.join();
  // The acceptor has exited, so workers_ no longer grows.
  for (auto& t : workers_) t.join();
  workers_.clear();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

bool LoopbackServer::SleepUnlessStopping(std::chrono::milliseconds d) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, d, [this] { return stopping_; });
}

bool LoopbackServer::ReadMore(int fd, std::string* buf, size_t limit) const {
  for (;;) {
    if (stopping()) return false;
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, kPollSliceMs);
    if (r == 0) continue;
    if (r < 0) return false;
    char chunk[16384];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf->append(chunk, static_cast<size_t>(n));
    return buf->size() <= limit;
  }
}

bool LoopbackServer::SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

void LoopbackServer::AcceptLoop() {
  for (;;) {
    if (stopping()) return;
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, kPollSliceMs) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mu_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd] {
      serve_(fd);
      std::lock_guard l(mu_);
      open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
      ::close(fd);
    });
  }
}

}  // namespace ct::test
