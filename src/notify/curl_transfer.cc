#include "notify/curl_transfer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <vector>

#include "postback/signature.h"

namespace ct::notify {

Result<std::unique_ptr<Transfer>> Transfer::Create(const Job& job, const NotifierOptions& options,
                                                   int64_t now_us,
                                                   std::chrono::steady_clock::time_point start) {
  std::unique_ptr<Transfer> t(new Transfer(job, options));
  t->started_at_us_ = now_us;
  t->start_ = start;
  const DeliveryRow& row = t->job_.delivery.row;
  const std::string& secret = t->job_.delivery.secret;
  const bool post = row.method == "POST";
  const int64_t timestamp_s = now_us / 1'000'000;

  std::vector<std::string> headers;
  t->url_ = row.url;
  // Piggyback deliveries (secret "") stand in for the browser's pixel load: sent unsigned.
  if (!secret.empty()) {
    std::string signature = postback::Sign(secret, row.id, timestamp_s, post ? row.body : row.url);
    if (post) {
      headers.push_back("webhook-id: " + row.id);
      headers.push_back("webhook-timestamp: " + std::to_string(timestamp_s));
      headers.push_back("webhook-signature: " + signature);
    } else {
      t->url_ = postback::SignedGetUrl(row.url, secret, row.id, timestamp_s);
      headers.push_back("webhook-id: " + row.id);
      headers.push_back("webhook-timestamp: " + std::to_string(timestamp_s));
      headers.push_back("webhook-signature: " + signature);
    }
  }
  if (post) {
    headers.push_back("Content-Type: application/json");
    headers.push_back("Expect:");  // no 100-continue round trip before a small body
  }

  CurlTimeouts timeouts{options.connect_timeout, options.total_timeout};
  t->easy_ = NewCurlHandle(timeouts, "http,https");
  if (!t->easy_) return Status::Internal("curl_easy_init failed");
  t->headers_ = MakeSlist(headers);
  CURL* c = t->easy_.get();
  curl_easy_setopt(c, CURLOPT_URL, t->url_.c_str());
  curl_easy_setopt(c, CURLOPT_PRIVATE, t.get());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, t->errbuf_);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, t->headers_.get());
  curl_easy_setopt(c, CURLOPT_USERAGENT, options.user_agent.c_str());
  // A proxy from the environment (http_proxy) would make the SSRF check judge the proxy's
  // address instead of the receiver's.
  curl_easy_setopt(c, CURLOPT_PROXY, "");
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, &Transfer::OnOpenSocket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, t.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, t.get());
  if (post) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, row.body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(row.body.size()));
  } else {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  }
  return t;
}

size_t Transfer::OnBody(char* data, size_t size, size_t nmemb, void* self) {
  auto* t = static_cast<Transfer*>(self);
  size_t n = size * nmemb;
  t->body_bytes_ += n;
  if (t->body_bytes_ > t->options_.max_response_bytes) {
    // Only the status matters (the body is untrusted): cut the transfer instead of reading an
    // endless body until the timeout. Finish() counts the status that already arrived.
    t->body_capped_ = true;
    return 0;
  }
  return n;  // counted, not kept
}

curl_socket_t Transfer::OnOpenSocket(void* self, curlsocktype purpose, curl_sockaddr* addr) {
  auto* t = static_cast<Transfer*>(self);
  // The address libcurl is about to connect to, after DNS: a name that resolves (or re-resolves,
  // DNS rebinding) into a private range is refused here even though it passed the save check.
  if (purpose == CURLSOCKTYPE_IPCXN && postback::IsDeniedAddress(&addr->addr, t->options_.ssrf)) {
    char ip[INET6_ADDRSTRLEN] = "?";
    if (addr->family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&addr->addr)->sin_addr, ip,
                sizeof ip);
    } else if (addr->family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&addr->addr)->sin6_addr, ip,
                sizeof ip);
    }
    t->refused_ = std::string("refused address ") + ip + ": private or loopback range";
    return CURL_SOCKET_BAD;
  }
  return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

AttemptResult Transfer::Finish(CURLcode code, std::chrono::steady_clock::time_point now) const {
  AttemptResult r;
  r.started_at_us = started_at_us_;
  r.latency_us = std::chrono::duration_cast<std::chrono::microseconds>(now - start_).count();
  CURL* c = easy_.get();
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  // A body cut at our cap ends in CURLE_WRITE_ERROR, but the status line had arrived: a 2xx
  // with a huge body is delivered.
  bool got_status = status > 0 && (code == CURLE_OK || (code == CURLE_WRITE_ERROR && body_capped_));
  if (got_status) {
    r.http_status = static_cast<int>(status);
    curl_header* h = nullptr;
    if (curl_easy_header(c, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h != nullptr) {
      r.retry_after = std::string(h->value);
    }
    return r;
  }
  if (!refused_.empty()) {
    r.error = refused_;
  } else if (code == CURLE_OPERATION_TIMEDOUT) {
    r.error = "timeout after " + std::to_string(r.latency_us / 1000) + " ms";
  } else if (code == CURLE_OK) {
    r.error = "no HTTP status in the response";
  } else {
    r.error = curl_easy_strerror(code);
    if (errbuf_[0] != '\0') r.error += std::string(" (") + errbuf_ + ")";
  }
  if (status > 0) r.error += " after HTTP " + std::to_string(status);
  return r;
}

}  // namespace ct::notify
