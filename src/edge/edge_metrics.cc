#include "edge/edge_metrics.h"

#include <string>

namespace ct::edge {
namespace {
Counter* Outcome(MetricsRegistry* r, const char* outcome) {
  return r->AddCounter("clicktrail_edge_requests_total", "HTTP requests answered, by outcome",
                       std::string("outcome=\"") + outcome + "\"");
}
}  // namespace

EdgeMetrics::EdgeMetrics(MetricsRegistry* r)
    : redirect(Outcome(r, "redirect")),
      head(Outcome(r, "head")),
      not_found(Outcome(r, "not_found")),
      method_not_allowed(Outcome(r, "method_not_allowed")),
      bad_request(Outcome(r, "bad_request")),
      api(Outcome(r, "api")),
      gone(Outcome(r, "gone")),
      password_form(Outcome(r, "password_form")),
      password_rejected(Outcome(r, "password_rejected")),
      password_throttled(Outcome(r, "password_throttled")),
      pixel(Outcome(r, "pixel")),
      conversion(Outcome(r, "conversion")),
      unsafe_location(r->AddCounter(
          "clicktrail_edge_unsafe_locations_total",
          "Clicks answered 404 because the destination expanded to an unsafe Location")),
      pixel_unknown(r->AddCounter(
          "clicktrail_edge_pixel_unknown_total",
          "Pixel requests (/p/) naming no pixel of the host: answered the GIF, nothing journaled")),
      conversion_unknown_goal(r->AddCounter("clicktrail_edge_conversion_unknown_goal_total",
                                            "Conversion pixel requests (/c/) naming no live goal: "
                                            "answered the GIF, nothing journaled")),
      clicks_unrecorded(r->AddCounter(
          "clicktrail_edge_clicks_unrecorded_total",
          "Redirects answered whose event could not be appended (or made durable) in the journal")),
      connections_active(r->AddGauge("clicktrail_edge_connections_active", "Open connections")),
      connections_refused(r->AddCounter("clicktrail_edge_connections_refused_total",
                                        "Connections closed at accept: over max_connections")),
      header_timeouts(r->AddCounter("clicktrail_edge_header_timeouts_total",
                                    "Connections closed for not sending a request in time")),
      idle_timeouts(r->AddCounter("clicktrail_edge_idle_timeouts_total",
                                  "Idle keep-alive connections closed")),
      accept_errors(r->AddCounter("clicktrail_edge_accept_errors_total",
                                  "accept() failures (EMFILE, ENFILE, ...)")),
      redirect_latency(r->AddHistogram(
          "clicktrail_edge_redirect_latency_seconds",
          "From request headers parsed to the 302 handed to the socket", LatencyBuckets())) {}

}  // namespace ct::edge
