// A small blocking HTTP/1.1 client over a real socket, for tests: keep-alive requests, and raw
// bytes for malformed input. Only 127.0.0.1. Responses must carry Content-Length (the server's
// always do) or end with the connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ct::test {

// Sent by Request() unless the test passes its own User-Agent (or Host: 127.0.0.1 otherwise).
inline constexpr const char* kBrowserUserAgent =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36";

struct HttpResponse {
  int status = 0;                              // 0: no (complete) response
  std::map<std::string, std::string> headers;  // names lowercased; repeats joined by \n
  std::string body;
  bool closed = false;  // the server closed the connection after this response
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class HttpClient {
 public:
  explicit HttpClient(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request on the kept-alive connection (reconnecting if the server closed it).
  // Adds Host: 127.0.0.1 and a browser's User-Agent unless `headers` has them.
  HttpResponse Request(const std::string& method, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers = {},
                       const std::string& body = "");
  // Sends `bytes` as they are on a fresh connection and reads one response.
  HttpResponse Raw(const std::string& bytes);
  // True if the server closed the current connection (a read returns EOF within `wait`).
  bool ServerClosed(std::chrono::milliseconds wait = std::chrono::milliseconds(500));

  bool Connect();
  void Close();
  // Sends bytes on the current connection without reading anything.
  bool SendRaw(const std::string& bytes) { return fd_ >= 0 && SendAll(bytes); }
  // Whether the last Request() reached the socket (it may have been processed even if no
  // response came back): what a crash test counts as "in flight".
  bool last_request_sent() const { return last_sent_; }
  // By default a request that finds its kept-alive connection closed is sent once more on a new
  // one; a crash test must not do that (the first copy may have been counted).
  void set_retry(bool retry) { retry_ = retry; }

 private:
  bool SendAll(const std::string& bytes);
  HttpResponse ReadResponse(bool head);

  uint16_t port_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
  std::string buf_;
  bool last_sent_ = false;
  bool retry_ = true;
};

// Convenience: a JSON API call with a Bearer key.
HttpResponse ApiCall(uint16_t port, const std::string& method, const std::string& target,
                     const std::string& key, const std::string& json_body = "");

}  // namespace ct::test
