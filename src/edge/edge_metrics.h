// The edge's metrics, registered in one place. Pointers are owned by the MetricsRegistry and
// updated lock-free from the I/O threads.
#pragma once

#include "monitor/metrics.h"

namespace ct::edge {

struct EdgeMetrics {
  explicit EdgeMetrics(MetricsRegistry* registry);

  // clicktrail_edge_requests_total{outcome=...}
  Counter* redirect;
  Counter* head;
  Counter* not_found;
  Counter* method_not_allowed;
  Counter* bad_request;  // every 4xx/5xx for malformed or oversized input (400/413/414/431/...)
  Counter* api;
  Counter* gone;                // 410: expired or capped without a fallback (journaled)
  Counter* password_form;       // the password form of a protected link (not a click)
  Counter* password_rejected;   // 401: a wrong password posted
  Counter* password_throttled;  // 429: too many guesses at one link, not checked
  Counter* pixel;               // GET /p/...: the GIF (known pixel or not)
  Counter* conversion;          // GET|HEAD /c/...: the GIF or the piggyback page
  Counter* unsafe_location;     // a destination that expanded to an unsafe Location (404)
  Counter* pixel_unknown;       // /p/ of no pixel of the host (or malformed): GIF, not journaled
  Counter* conversion_unknown_goal;  // /c/ of no live goal (or malformed): GIF, not journaled
  Counter* clicks_unrecorded;        // 302s sent whose record is not (durably) in the journal
  Gauge* connections_active;
  Counter* connections_refused;
  Counter* header_timeouts;
  Counter* idle_timeouts;
  Counter* accept_errors;
  Histogram* redirect_latency;  // seconds, headers parsed -> 302 handed to the socket
};

}  // namespace ct::edge
