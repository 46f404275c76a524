#include "monitor/curl_util.h"

#include <fmt/format.h>

#include <mutex>

namespace ct {
namespace {

std::once_flag g_curl_init;

struct BodySink {
  std::string* out;
  bool capped = false;
};

size_t WriteBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  size_t n = size * nmemb;
  size_t room = kMaxResponseBodyBytes - std::min(kMaxResponseBodyBytes, sink->out->size());
  if (n > room) {
    // Stop the transfer rather than read an endless body until the total timeout: the status
    // line has already arrived, which is all the caller decides on.
    sink->out->append(data, room);
    sink->capped = true;
    return 0;
  }
  sink->out->append(data, n);
  return n;
}

}  // namespace

void CurlGlobalInitOnce() {
  // curl_global_init is not thread-safe in older libcurl and must run before any handle.
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CurlHandle NewCurlHandle(const CurlTimeouts& timeouts, const char* protocols) {
  CurlGlobalInitOnce();
  CurlHandle h(curl_easy_init());
  if (!h) return h;
  CURL* c = h.get();
  // Signals are process-wide; a resolver timeout via SIGALRM in a multi-threaded process can
  // crash it.
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeouts.connect.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeouts.total.count()));
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
  return h;
}

CurlSlist MakeSlist(const std::vector<std::string>& items) {
  curl_slist* list = nullptr;
  for (const auto& s : items) {
    curl_slist* next = curl_slist_append(list, s.c_str());
    if (next == nullptr) break;  // out of memory: send what we have, the send will fail visibly
    list = next;
  }
  return CurlSlist(list);
}

Status CurlError(std::string_view what, CURLcode code, const char* errbuf) {
  std::string msg = fmt::format("curl: {}: {}", what, curl_easy_strerror(code));
  if (errbuf != nullptr && errbuf[0] != '\0') msg += fmt::format(" ({})", errbuf);
  if (code == CURLE_OPERATION_TIMEDOUT) return Status::DeadlineExceeded(msg);
  return Status::Unavailable(msg);
}

Result<HttpPostResponse> CurlHttpPost(const HttpPostRequest& req) {
  CurlHandle h = NewCurlHandle(req.timeouts, "http,https");
  if (!h) return Status::ResourceExhausted("curl_easy_init failed");
  CURL* c = h.get();
  HttpPostResponse resp;
  BodySink sink{&resp.body};
  char errbuf[CURL_ERROR_SIZE] = {0};
  std::vector<std::string> headers = req.headers;
  // No "Expect: 100-continue" round trip (and its one-second stall on servers that ignore it).
  headers.push_back("Expect:");
  CurlSlist hdrs = MakeSlist(headers);

  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "clicktrail-alarm/1");
  if (!req.username.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(c, CURLOPT_USERNAME, req.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, req.password.c_str());
  }

  CURLcode rc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  // A body cut at the cap ends in CURLE_WRITE_ERROR, but the status line is complete.
  if (rc == CURLE_WRITE_ERROR && sink.capped && resp.status != 0) return resp;
  if (rc != CURLE_OK) return CurlError("POST " + req.url, rc, errbuf);
  return resp;
}

std::string CurlEscape(std::string_view s) {
  CurlGlobalInitOnce();
  // curl_easy_escape needs no handle since 7.82; a null handle keeps this allocation-only.
  char* out = curl_easy_escape(nullptr, s.data(), static_cast<int>(s.size()));
  if (out == nullptr) return "";
  std::string r(out);
  curl_free(out);
  return r;
}

Status HttpStatusToStatus(std::string_view what, const HttpPostResponse& resp) {
  if (resp.status >= 200 && resp.status < 300) return Status::Ok();
  std::string snippet = resp.body.substr(0, 200);
  return Status::Unavailable(
      fmt::format("{}: HTTP {}{}{}", what, resp.status, snippet.empty() ? "" : ": ", snippet));
}

}  // namespace ct
