#include "testutil/smtp_sink.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace ct::test {
namespace {

constexpr size_t kMaxMessageBytes = 16 << 20;
constexpr int kPollSliceMs = 50;

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// "MAIL FROM:<a@b> SIZE=10" -> "a@b"; also accepts a bare address.
std::string Address(const std::string& arg) {
  size_t lt = arg.find('<');
  size_t gt = arg.find('>', lt == std::string::npos ? 0 : lt);
  if (lt != std::string::npos && gt != std::string::npos) return arg.substr(lt + 1, gt - lt - 1);
  size_t colon = arg.find(':');
  std::string rest = colon == std::string::npos ? arg : arg.substr(colon + 1);
  rest.erase(0, rest.find_first_not_of(' '));
  return rest.substr(0, rest.find(' '));
}

bool SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

SmtpSink::SmtpSink() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("SmtpSink: socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("SmtpSink: bind/listen failed");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

SmtpSink::~SmtpSink() { Stop(); }

std::string SmtpSink::Url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

void SmtpSink::SetDataReply(int code) {
  std::lock_guard lock(mu_);
  data_reply_ = code;
}

bool SmtpSink::WaitFor(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return messages_.size() >= n; });
}

std::vector<SmtpMessage> SmtpSink::Messages() const {
  std::lock_guard lock(mu_);
  return messages_;
}

void SmtpSink::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && listen_fd_ < 0) return;
    stopping_ = true;
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  cv_.notify_all();
  if (acceptor_.joinable()) acceptor_.join();
  for (auto& t : workers_) t.join();
  workers_.clear();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

void SmtpSink::AcceptLoop() {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
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
    workers_.emplace_back([this, fd] { Serve(fd); });
  }
}

void SmtpSink::Serve(int fd) {
  std::string buf;
  // One line without its CRLF; false on EOF, error or Stop().
  auto read_line = [&](std::string* line) -> bool {
    for (;;) {
      size_t e = buf.find("\r\n");
      if (e != std::string::npos) {
        *line = buf.substr(0, e);
        buf.erase(0, e + 2);
        return true;
      }
      if (buf.size() > kMaxMessageBytes) return false;
      {
        std::lock_guard lock(mu_);
        if (stopping_) return false;
      }
      pollfd p{fd, POLLIN, 0};
      int r = ::poll(&p, 1, kPollSliceMs);
      if (r == 0) continue;
      if (r < 0) return false;
      char chunk[8192];
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buf.append(chunk, static_cast<size_t>(n));
    }
  };

  SmtpMessage msg;
  std::string line;
  bool ok = SendAll(fd, "220 127.0.0.1 clicktrail test SMTP sink\r\n");
  while (ok && read_line(&line)) {
    std::string verb = Upper(line.substr(0, 4));
    std::string arg = line.size() > 5 ? line.substr(5) : "";
    if (verb == "EHLO") {
      msg.helo = arg;
      ok = SendAll(fd, "250-127.0.0.1\r\n250 8BITMIME\r\n");
    } else if (verb == "HELO") {
      msg.helo = arg;
      ok = SendAll(fd, "250 127.0.0.1\r\n");
    } else if (verb == "MAIL") {
      msg.from = Address(line.substr(4));
      msg.to.clear();
      ok = SendAll(fd, "250 OK\r\n");
    } else if (verb == "RCPT") {
      msg.to.push_back(Address(line.substr(4)));
      ok = SendAll(fd, "250 OK\r\n");
    } else if (verb == "DATA") {
      ok = SendAll(fd, "354 End data with <CR><LF>.<CR><LF>\r\n");
      std::string data;
      bool complete = false;
      while (ok && read_line(&line)) {
        if (line == ".") {
          complete = true;
          break;
        }
        if (!line.empty() && line[0] == '.') line.erase(0, 1);  // RFC 5321 §4.5.2
        data += line + "\r\n";
      }
      if (!complete) break;
      msg.data = std::move(data);
      int code;
      {
        std::lock_guard lock(mu_);
        messages_.push_back(msg);
        code = data_reply_;
      }
      cv_.notify_all();
      ok = SendAll(fd, std::to_string(code) + (code < 400 ? " OK queued\r\n" : " rejected\r\n"));
      msg.from.clear();
      msg.to.clear();
    } else if (verb == "RSET") {
      msg.from.clear();
      msg.to.clear();
      ok = SendAll(fd, "250 OK\r\n");
    } else if (verb == "NOOP") {
      ok = SendAll(fd, "250 OK\r\n");
    } else if (verb == "QUIT") {
      SendAll(fd, "221 Bye\r\n");
      break;
    } else {
      ok = SendAll(fd, "502 Command not implemented\r\n");
    }
  }
  std::lock_guard lock(mu_);
  open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  ::close(fd);
}

}  // namespace ct::test
