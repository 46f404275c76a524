// SseClient: reads a server-sent event stream (text/event-stream) over a real socket, for
// tests of GET /api/v1/live. Blocking, one stream per client, 127.0.0.1 only; every read takes
// a deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ct::test {

struct SseEvent {
  std::string id;
  std::string event;
  std::string data;
};

class SseClient {
 public:
  explicit SseClient(uint16_t port) : port_(port) {}
  ~SseClient() { Close(); }
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  // Connects, sends GET `target` with `headers` (Host added), and reads the response head.
  // Returns the status (0 if no head came within `timeout`). A non-200 answer's body (with
  // Content-Length) is in body().
  int Open(const std::string& target,
           const std::vector<std::pair<std::string, std::string>>& headers,
           std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Header of the response head, name lowercased; "" if absent.
  std::string Header(const std::string& name) const;
  const std::string& body() const { return body_; }

  // The next event within `timeout` (comment lines are counted, not returned); nullopt on
  // timeout or when the stream ended (then closed() is true).
  std::optional<SseEvent> Next(std::chrono::milliseconds timeout);
  // True once the server ended the stream (EOF or reset), waiting up to `timeout` for it
  // (events arriving meanwhile are discarded).
  bool WaitClosed(std::chrono::milliseconds timeout);
  bool closed() const { return closed_; }
  // Comment lines (": ping") seen so far.
  int comments() const { return comments_; }
  // "retry:" fields seen so far, and the last value.
  int retries() const { return retries_; }
  const std::string& retry() const { return retry_; }
  void Close();

 private:
  // Reads more bytes into buf_ until `deadline`; false on timeout, EOF or error.
  bool Fill(std::chrono::steady_clock::time_point deadline);

  uint16_t port_;
  int fd_ = -1;
  std::string buf_;
  std::map<std::string, std::string> headers_;
  std::string body_;
  bool closed_ = false;
  int comments_ = 0;
  int retries_ = 0;
  std::string retry_;
};

}  // namespace ct::test
