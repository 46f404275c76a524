// One HTTP attempt at a delivery, as a libcurl easy handle for the notifier's multi handle:
// signed (Standard Webhooks headers; a GET also in the query), never following redirects, only
// http/https, no proxy from the environment, the SSRF check on the address actually connected
// to, and the response body counted but not kept past max_response_bytes.
//
// Lifetime: the Transfer owns the easy handle and every buffer libcurl points into; it must
// outlive its membership in the multi handle (remove the handle before destroying it).
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <string>

#include "monitor/curl_util.h"
#include "notify/attempt_outcome.h"
#include "notify/dispatch_queue.h"
#include "notify/notifier.h"

namespace ct::notify {

class Transfer {
 public:
  // A transfer ready to add to a multi handle; `now_us` stamps webhook-timestamp. kInternal if
  // libcurl cannot allocate a handle.
  static Result<std::unique_ptr<Transfer>> Create(const Job& job, const NotifierOptions& options,
                                                  int64_t now_us,
                                                  std::chrono::steady_clock::time_point start);
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  CURL* handle() const { return easy_.get(); }
  const Job& job() const { return job_; }

  // Reads what came back once the multi handle reports the transfer done with `code`.
  AttemptResult Finish(CURLcode code, std::chrono::steady_clock::time_point now) const;

 private:
  Transfer(const Job& job, const NotifierOptions& options) : job_(job), options_(options) {}
  static size_t OnBody(char* data, size_t size, size_t nmemb, void* self);
  static curl_socket_t OnOpenSocket(void* self, curlsocktype purpose, curl_sockaddr* addr);

  Job job_;
  const NotifierOptions& options_;
  CurlHandle easy_;
  CurlSlist headers_;
  std::string url_;
  int64_t started_at_us_ = 0;
  std::chrono::steady_clock::time_point start_;
  size_t body_bytes_ = 0;
  bool body_capped_ = false;
  std::string refused_;  // set when the SSRF check refused an address
  char errbuf_[CURL_ERROR_SIZE] = {};
};

}  // namespace ct::notify
