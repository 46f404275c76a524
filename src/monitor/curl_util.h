// Small shared pieces of the libcurl-based alarm channels: process-wide initialisation, an
// owning handle, the options every request gets (no signals, timeouts, no redirects, a protocol
// allow-list) and a blocking HTTP POST with a capped response body.
//
// Thread safety: every function may be called from any thread; a CurlHandle belongs to one
// thread at a time (libcurl's rule for easy handles).
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ct {

// Limits of one alarm request. The defaults follow the Standard Webhooks advice (15-30 s).
struct CurlTimeouts {
  std::chrono::milliseconds connect{5000};  // TCP + TLS handshake
  std::chrono::milliseconds total{15000};   // the whole transfer
};

// What we keep of a response body: enough for an error message, never a memory hazard.
inline constexpr size_t kMaxResponseBodyBytes = 64 * 1024;

// curl_global_init, once per process (std::call_once). Safe to call before every request.
void CurlGlobalInitOnce();

struct CurlHandleDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
using CurlHandle = std::unique_ptr<CURL, CurlHandleDeleter>;

struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// A fresh easy handle with: CURLOPT_NOSIGNAL, the timeouts, no redirects followed, and only the
// protocols in `protocols` (e.g. "http,https"). Null if libcurl cannot allocate one.
CurlHandle NewCurlHandle(const CurlTimeouts& timeouts, const char* protocols);

// Appends every string to a curl_slist (for headers or SMTP recipients).
CurlSlist MakeSlist(const std::vector<std::string>& items);

// "curl: <what>: <curl_easy_strerror> (<detail from the error buffer>)", as a Status: timeouts
// map to kDeadlineExceeded, everything else to kUnavailable (worth retrying).
Status CurlError(std::string_view what, CURLcode code, const char* errbuf);

struct HttpPostRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::string username;  // HTTP basic auth when not empty
  std::string password;
  CurlTimeouts timeouts;
};

struct HttpPostResponse {
  long status = 0;   // HTTP status code
  std::string body;  // at most kMaxResponseBodyBytes
};

// One blocking POST over http or https; never follows a redirect. A transport failure (DNS,
// refused, timeout, TLS) is an error Status; any HTTP answer, 2xx or not, is a response.
Result<HttpPostResponse> CurlHttpPost(const HttpPostRequest& req);

// Percent-encodes `s` for application/x-www-form-urlencoded (curl_easy_escape).
std::string CurlEscape(std::string_view s);

// OK for 2xx; otherwise kUnavailable "<what>: HTTP <status>: <start of the body>". A 3xx is a
// failure: the alarm target moved, and following it blindly is how requests leak (SSRF).
Status HttpStatusToStatus(std::string_view what, const HttpPostResponse& resp);

}  // namespace ct
