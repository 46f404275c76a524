// SmtpSink: a minimal real SMTP server on 127.0.0.1 (port 0) for tests of mail senders. It
// speaks just enough of RFC 5321 for libcurl and most clients: 220 greeting; EHLO/HELO 250;
// MAIL FROM, RCPT TO 250; DATA 354, then the message up to <CRLF>.<CRLF> (dot-unstuffed), 250;
// RSET/NOOP 250; QUIT 221; anything else 502. No TLS, no AUTH. Each connection is served on a
// thread of its own.
//
// Thread safety: every method may be called from any thread. Stop() (also run by the
// destructor) closes every socket and joins every thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "testutil/loopback_server.h"

namespace ct::test {

struct SmtpMessage {
  std::string helo;             // the EHLO/HELO argument
  std::string from;             // MAIL FROM address, without the angle brackets
  std::vector<std::string> to;  // RCPT TO addresses, without the angle brackets
  std::string data;             // the message (headers + body), CRLF line ends, unstuffed
};

class SmtpSink {
 public:
  // Binds 127.0.0.1:0 and starts serving; throws if it cannot.
  SmtpSink();
  ~SmtpSink();
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  uint16_t port() const { return server_.port(); }
  // "smtp://127.0.0.1:<port>".
  std::string Url() const;

  // The reply code sent after the message data (default 250). A 4xx/5xx makes the client
  // fail the send; the message is still recorded.
  void SetDataReply(int code);

  bool WaitFor(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  std::vector<SmtpMessage> Messages() const;

  void Stop();

 private:
  void Serve(int fd);

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;  // new messages
  int data_reply_ = 250;
  std::vector<SmtpMessage> messages_;
  LoopbackServer server_{"SmtpSink", [this](int fd) { Serve(fd); }};  // last: see its header
};

}  // namespace ct::test
