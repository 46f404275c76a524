// The seam between the HTTP listener (edge/) and everything that is not a redirect: the REST
// API, /metrics, /healthz, /readyz. Beast types stay out of it on purpose: a Beast translation
// unit takes ~14 s to compile, so only the edge's own .cc files include Beast.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace ct {

struct ApiRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // origin-form request target: path and query, as received
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  std::string remote_ip;

  // First header named `name` (lowercase), or nullptr.
  const std::string* Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return &v;
    }
    return nullptr;
  }
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// Called on a worker thread (never an edge I/O thread), so it may block on the store.
using ApiHandler = std::function<ApiResponse(const ApiRequest&)>;

}  // namespace ct
