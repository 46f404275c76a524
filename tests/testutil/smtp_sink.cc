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

}  // namespace

SmtpSink::SmtpSink() = default;

SmtpSink::~SmtpSink() { Stop(); }

std::string SmtpSink::Url() const { return "smtp://127.0.0.1:" + std::to_string(port()); }

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
  server_.Stop();
  cv_.notify_all();
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
      if (!server_.ReadMore(fd, &buf, kMaxMessageBytes)) return false;
    }
  };

  SmtpMessage msg;
  std::string line;
  bool ok = LoopbackServer::SendAll(fd, "220 127.0.0.1 clicktrail test SMTP sink\r\n");
  while (ok && read_line(&line)) {
    std::string verb = Upper(line.substr(0, 4));
    std::string arg = line.size() > 5 ? line.substr(5) : "";
    if (verb == "EHLO") {
      msg.helo = arg;
      ok = LoopbackServer::SendAll(fd, "250-127.0.0.1\r\n250 8BITMIME\r\n");
    } else if (verb == "HELO") {
      msg.helo = arg;
      ok = LoopbackServer::SendAll(fd, "250 127.0.0.1\r\n");
    } else if (verb == "MAIL") {
      msg.from = Address(line.substr(4));
      msg.to.clear();
      ok = LoopbackServer::SendAll(fd, "250 OK\r\n");
    } else if (verb == "RCPT") {
      msg.to.push_back(Address(line.substr(4)));
      ok = LoopbackServer::SendAll(fd, "250 OK\r\n");
    } else if (verb == "DATA") {
      ok = LoopbackServer::SendAll(fd, "354 End data with <CR><LF>.<CR><LF>\r\n");
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
      ok = LoopbackServer::SendAll(
          fd, std::to_string(code) + (code < 400 ? " OK queued\r\n" : " rejected\r\n"));
      msg.from.clear();
      msg.to.clear();
    } else if (verb == "RSET") {
      msg.from.clear();
      msg.to.clear();
      ok = LoopbackServer::SendAll(fd, "250 OK\r\n");
    } else if (verb == "NOOP") {
      ok = LoopbackServer::SendAll(fd, "250 OK\r\n");
    } else if (verb == "QUIT") {
      LoopbackServer::SendAll(fd, "221 Bye\r\n");
      break;
    } else {
      ok = LoopbackServer::SendAll(fd, "502 Command not implemented\r\n");
    }
  }
}

}  // namespace ct::test
