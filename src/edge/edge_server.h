// EdgeServer: the HTTP listener. GET/HEAD /{slug} answers a 302 from the LinkTable after the
// request's event record is appended to the journal (EventSink); /p/{slug} (tracking pixels)
// and /c/{key} (conversion pixels) answer a GIF after theirs; /api/, /ui, /metrics, /healthz
// and /readyz go to the ApiHandler on a worker pool.
//
// Threads: `threads` I/O threads, each with its own io_context and its own SO_REUSEPORT
// acceptor on the same port; a connection stays on the thread that accepted it. The ApiHandler
// runs on a separate pool of `api_threads`, never on an I/O thread.
//
// Promise: a 302 is written only after the Append carrying its record returned (kGroupCommit),
// or after the record is fsynced (kStrict). If the journal fails the 302 is still sent (the
// visitor comes first) and clicktrail_edge_clicks_unrecorded_total counts it.
//
// Ownership: borrows the LinkTable, EventSink, MetricsRegistry and Clock; they must outlive the
// server. Start/Stop from one thread. Stop order for the caller: EdgeServer::Stop() (waits for
// in-flight requests, their Appends and responses), then close the journal.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "edge/api_handler.h"
#include "edge/link_table.h"
#include "journal/event_sink.h"
#include "monitor/metrics.h"

namespace ct::enrich {
class GeoDb;
class UserAgentParser;
}  // namespace ct::enrich

namespace ct::edge {

enum class Durability {
  kGroupCommit,  // reply once the record's Append returned (page cache; fsync soon after)
  kStrict,       // reply only once the record is fsynced (EventSink::WhenDurable)
  kNone,         // journal nothing (benchmarks: what durability costs); sink may be null
};

struct EdgeOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: ephemeral (tests); EdgeServer::port() tells which
  int threads = 2;
  Durability durability = Durability::kGroupCommit;
  std::chrono::seconds header_timeout{10};  // from accept / first byte to a complete header
  std::chrono::seconds idle_timeout{60};    // keep-alive idle; also a stalled body or write
  int api_threads = 2;
  size_t max_connections = 10000;                // over it, new connections are accepted and closed
  std::chrono::milliseconds stop_timeout{5000};  // Stop(): then force-close what is left

  // Host routing (edge.default_hosts): the request hosts (lower case, no port, IPv6 without
  // brackets) served from the default domain; "*" = any host that is not a custom domain. A
  // request without a Host header (HTTP/1.0) is served from the default domain.
  std::vector<std::string> default_hosts = {"localhost", "127.0.0.1", "::1"};
  // edge.trusted_proxies: IPs/CIDRs whose X-Forwarded-For is believed ("" = none). Start()
  // fails with kInvalidArgument on a bad entry.
  std::string trusted_proxies;
  bool visitor_cookie = true;  // tracking.visitor_cookie: read/set the ct_vid cookie
  // tracking.click_cookie / click_cookie_days: every click (a GET answered with a redirect)
  // sets ct_cid=<its click id>, the id the conversion pixel reads when no click_id is given.
  bool click_cookie = true;
  int click_cookie_days = 90;
  bool anonymize_ip = false;  // tracking.anonymize_ip: journal the anonymised address
  // Password guesses per protected link (edge.password_attempts_per_second / _burst): each
  // costs a PBKDF2 on the API pool, so past the bucket a POST gets 429 without hashing.
  int64_t password_attempts_per_second = 2;
  int64_t password_attempts_burst = 10;
  // Enrichment for targeting rules, macros and Event.country; null = not available (rules on
  // country / device / os then never match, and the values are "").
  std::shared_ptr<const enrich::GeoDb> geo;
  std::shared_ptr<const enrich::UserAgentParser> user_agents;
};

// Host of a Host header value: port stripped, lower-cased, IPv6 brackets removed
// ("[::1]:8080" -> "::1", "Go.Example.COM:443" -> "go.example.com"). Appends to `out`.
void NormalizeHost(std::string_view host, std::string* out);
// The host of a URL ("https://Go.Example.com:8443/x" -> "go.example.com"); "" if none.
std::string HostOfUrl(std::string_view url);

class EdgeServer {
 public:
  // `sink` is null iff options.durability == kNone. `clock` stamps event times.
  EdgeServer(EdgeOptions options, LinkTable* links, EventSink* sink, ApiHandler api,
             MetricsRegistry* metrics, Clock* clock);
  ~EdgeServer();  // Stop()s
  EdgeServer(const EdgeServer&) = delete;
  EdgeServer& operator=(const EdgeServer&) = delete;

  // Binds every acceptor and starts the threads. On error nothing is left running.
  Status Start();
  // The bound port (valid after a successful Start).
  uint16_t port() const { return port_; }
  // Graceful: closes the acceptors, lets in-flight requests finish (journal Append and
  // response), closes idle connections, joins the I/O threads and the API pool; past
  // options.stop_timeout the remaining connections are force-closed. Idempotent.
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace ct::edge
