// GET /api/v1/live[?link_id=N][&after=SEQ]: the account's clicks as they are committed, as
// server-sent events (text/event-stream), for the dashboard's Live page (README "Live clicks").
//
// Each committed hit of the account (or of one link) is
//   id: <commit sequence number>\nevent: hit\ndata: <the hits-list object + link_id, slug,
//   short_url>\n\n
// The stream starts after the hits committed before the request, or after `Last-Event-ID`
// (what EventSource sends when it reconnects) or `?after=` when given, so a reconnect neither
// skips nor repeats a hit. ": ping" every 15 s keeps proxies from closing a quiet stream.
//
// The store is polled every 250 ms per stream (sooner while there is a backlog): the API may
// run in another process than the tracker, so nothing in-process can announce commits. At
// most api.max_streams streams are open at once (503 beyond). Each poll is one read of the
// index hits_by_account_seq, on the API pool, never on an I/O thread (edge/api_handler.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "api/api_context.h"
#include "api/auth.h"
#include "edge/api_handler.h"

namespace ct::api {

inline constexpr std::chrono::milliseconds kLivePollInterval{250};
inline constexpr std::chrono::seconds kLivePingInterval{15};
inline constexpr int kLiveBatch = 200;  // hits examined per poll

class LiveHandler {
 public:
  explicit LiveHandler(const ApiContext* ctx);
  ApiResponse Open(const Principal& who, const ApiRequest& req);

 private:
  const ApiContext* ctx_;
  // Streams open now; shared with them, since a stream may end after the handler is gone.
  std::shared_ptr<std::atomic<int64_t>> open_ = std::make_shared<std::atomic<int64_t>>(0);
  Gauge* open_gauge_ = nullptr;
  Counter* events_ = nullptr;
};

}  // namespace ct::api
