// The seam between the HTTP listener (edge/) and everything that is not a redirect: the REST
// API, /metrics, /healthz, /readyz. Beast types stay out of it on purpose: a Beast translation
// unit takes ~14 s to compile, so only the edge's own .cc files include Beast.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
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

// What a streamed body (server-sent events) hands the connection on each call of Next().
struct StreamChunk {
  std::string bytes;  // to send now; may be empty
  bool done = false;  // nothing follows: the connection closes after `bytes`
  // When to call Next() again (the connection waits on a timer meanwhile, not on a thread).
  std::chrono::milliseconds next_call{250};
};

// A response body produced piece by piece for as long as the client listens (GET
// /api/v1/live). The connection calls Next() on the API pool, one call at a time, never on an
// I/O thread; Next() must return promptly (one store query, no sleeping): the waiting between
// calls happens on the I/O thread's timer, so a stream holds no thread while it is quiet. The
// stream ends when Next() says done, when the client goes away or when the server stops; the
// object is destroyed when the connection is done with it (on whichever thread that is).
class ApiStream {
 public:
  virtual ~ApiStream() = default;
  virtual StreamChunk Next() = 0;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  // Set: the answer is streamed. `body` (if any) goes out first, then what the stream produces,
  // without Content-Length; the connection closes at its end.
  std::shared_ptr<ApiStream> stream;
};

// Called on a worker thread (never an edge I/O thread), so it may block on the store.
using ApiHandler = std::function<ApiResponse(const ApiRequest&)>;

}  // namespace ct
